"""The device-connection layer's lower half: the clients (factory.py), how hard a call
tries (policies.py) and what a failure means to a fleet manager (messages.py).
What a device can do, whichever transport reaches it, is devices.drivers, above this
package and devices.polling. See docs/lan-devices.md."""

from .factory import lan_client, rop_client, using_rop
from .messages import FAILURES, ROP_FAILURES, NotSupported, describe, is_server_failure
from .policies import BULK, INTERACTIVE, POLL, SEARCH
from .transports import THROUGH_CORE_SERVER, swept, through_core_server

__all__ = [
    "BULK",
    "INTERACTIVE",
    "POLL",
    "SEARCH",
    "THROUGH_CORE_SERVER",
    "FAILURES",
    "ROP_FAILURES",
    "NotSupported",
    "describe",
    "is_server_failure",
    "lan_client",
    "rop_client",
    "swept",
    "through_core_server",
    "using_rop",
]
