"""Outcome: what a change or a live read of one device answered, as a page shows it.

Its own module so that forms, reads, bulk jobs and views can use it without
importing the actions module."""

from dataclasses import dataclass, field
from typing import Any

from .models import ItemResult


@dataclass(frozen=True)
class Outcome:
    result: str  # an ItemResult value
    message: str
    # What the call answered (a live session, a scan task...). Out of repr: it may
    # be a credential (a signed play URL, an initialization code).
    value: Any = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.result == ItemResult.OK

    @property
    def level(self) -> str:
        """How a page shows it: success, warning (offline, not supported) or error."""
        if self.ok:
            return "success"
        return "warning" if self.result in (ItemResult.OFFLINE, ItemResult.NOT_SUPPORTED) else "error"
