"""Kept for the modules that import it from here: the request type is core.http's
(one class, so a view annotated with either may pass its request to the other)."""

from core.http import HtmxHttpRequest

__all__ = ["HtmxHttpRequest"]
