"""A channel's last state and what a new reading changes. Pure: no I/O.

An *episode* is the time a channel is active: motion, or one of its allowed AI types
detected. It becomes ONE AlarmEvent (status "MD", source lan): inserted when the
episode starts, its ai_types growing as more types are detected during it, and its
ended_at set when the channel is quiet again. Polls that change nothing write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from rop.lan.models import ChannelState

from .config import ChannelConfig


class Kind(StrEnum):
    START = "start"  # a new event
    GROW = "grow"  # the open event saw more AI types
    END = "end"  # the open event ended
    STATE = "state"  # only the stored state changed (motion went off while AI stays on, ...)


@dataclass(frozen=True)
class Change:
    kind: Kind
    channel_pk: int
    channel: int
    motion: bool
    ai: frozenset[str]  # detected now (allowed types only)
    episode_ai: frozenset[str]  # every allowed type seen in the episode so far


@dataclass
class ChannelMemory:
    pk: int
    index: int
    ai_limit: frozenset[str]
    motion: bool = False
    ai: frozenset[str] = frozenset()
    episode_ai: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_config(cls, ch: ChannelConfig) -> ChannelMemory:
        # After a restart or a takeover the stored state is the last one seen; an episode
        # still open then continues (its event is found by ended_at IS NULL).
        return cls(ch.pk, ch.index, ch.ai_limit, ch.motion, ch.ai_detected, ch.ai_detected)

    @property
    def active(self) -> bool:
        return self.motion or bool(self.ai)

    def allowed(self, state: ChannelState) -> frozenset[str]:
        if state.ai is None:
            return frozenset()  # a device without AI
        return frozenset(k for k, on in state.ai.items() if on and (not self.ai_limit or k in self.ai_limit))

    def observe(self, state: ChannelState) -> Change | None:
        """Remember ``state``; the change it makes, or None when nothing changed."""
        motion, ai = state.motion, self.allowed(state)
        if motion == self.motion and ai == self.ai:
            return None
        was_active = self.active
        self.motion, self.ai = motion, ai
        if not was_active and self.active:
            kind, self.episode_ai = Kind.START, ai
        elif was_active and not self.active:
            kind = Kind.END
        elif ai - self.episode_ai:
            kind, self.episode_ai = Kind.GROW, self.episode_ai | ai
        else:
            kind = Kind.STATE
        change = Change(kind, self.pk, self.index, motion, ai, self.episode_ai)
        if kind is Kind.END:
            self.episode_ai = frozenset()
        return change
