"""How long to wait, for one device of a rollout: the settings behind the waits, the
timing class of a device (its model and the image's size), and what earlier rollouts
learnt about that class. When to read an upgrade session is learning.py's."""

from datetime import timedelta

from django.conf import settings

from ..models import UpgradeTiming
from .learning import Learnt

# Until anything is learnt about an upgrade (an adopted one, a session-limit back-off).
DEFAULT_UPGRADE_SECONDS = 300.0
# The scouts' first read (learning.py): the quickest upgrades seen are about a minute.
DEFAULT_FIRST_READ_SECONDS = 10.0
# First wait before trying an offline or asleep device again; doubles up to 8 times that.
DEFAULT_RETRY_SECONDS = 300.0
# Wait before trying a low-battery device again (it may charge meanwhile).
DEFAULT_DEFER_SECONDS = 1800.0
# The longest wait between two reads of an adopted upgrade.
MAX_CHECK_SECONDS = 600.0
# Without a deadline, tries of an unreachable (or low-battery) device before it is
# skipped (or left deferred): about a day with the default back-off.
MAX_TRIES = 24
# Images under this size are size class 0; each doubling above it is one class more.
SIZE_CLASS_BYTES = 16 * 1024 * 1024


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, None) or default)


def prior_seconds() -> float | None:
    """ROLLOUT_UPGRADE_SECONDS: an operator's guess for models nothing was learnt about
    (unset: none; the scouts find out)."""
    value = getattr(settings, "ROLLOUT_UPGRADE_SECONDS", None)
    return float(value) if value else None


def default_upgrade_seconds() -> float:
    return prior_seconds() or DEFAULT_UPGRADE_SECONDS


def first_read_seconds() -> float:
    return _setting("ROLLOUT_FIRST_READ_SECONDS", DEFAULT_FIRST_READ_SECONDS)


def retry_seconds() -> float:
    return _setting("ROLLOUT_RETRY_SECONDS", DEFAULT_RETRY_SECONDS)


def defer_seconds() -> float:
    return _setting("ROLLOUT_DEFER_SECONDS", DEFAULT_DEFER_SECONDS)


def size_class(size: int) -> int:
    """0 under 16 MiB, 1 under 32, 2 under 64...: a bigger image takes longer to send and write."""
    return max(0, int(size) // SIZE_CLASS_BYTES).bit_length()


def size_class_label(klass: int) -> str:
    if klass == 0:
        return f"images under {SIZE_CLASS_BYTES >> 20} MB"
    low = SIZE_CLASS_BYTES << (klass - 1)
    return f"images of {low >> 20}–{(low * 2) >> 20} MB"


def class_key(model: str, size: int) -> str:
    """What item.data["timing"] holds: upgrades of one key are timed together."""
    return f"{size_class(size)}|{model or 'unknown model'}"


def split_key(key: str) -> tuple[str, int]:
    klass, _, model = key.partition("|")
    return model, int(klass or 0)


def learnt(partner_id: int, key: str) -> Learnt | None:
    """What earlier rollouts measured for this class, else the operator's prior, else nothing."""
    model, klass = split_key(key)
    row = UpgradeTiming.objects.filter(partner_id=partner_id, model=model, size_class=klass).first()
    if row is not None:
        return Learnt(row.low_seconds, row.typical_seconds, row.high_seconds, row.samples)
    prior = prior_seconds()
    return Learnt(prior * 0.9, prior, prior * 1.1, 0) if prior else None


def next_check(typical: float, checks: int) -> timedelta:
    """An adopted upgrade (no session of ours to read): a quarter of the typical time,
    doubling each read, at most MAX_CHECK_SECONDS."""
    seconds = typical * 0.25 * (2 ** min(checks - 1, 10))
    return timedelta(seconds=min(max(seconds, 0.1), max(MAX_CHECK_SECONDS, typical)))


def retry_after(tries: int, base: float) -> timedelta:
    """The tries-th wait for an unreachable device: base, 2×, 4×, up to 8× base."""
    return timedelta(seconds=base * min(2 ** max(tries - 1, 0), 8))
