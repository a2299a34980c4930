import logging
import re

from rop.lan import scrub_tokens

_QUERY = re.compile(r"\?\S*")


class StripQueryStrings(logging.Filter):
    """Drops query strings from request lines: the alarm webhook's secret rides in one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (_QUERY.sub("?…", record.args[0]), *record.args[1:])
        if isinstance(record.msg, str):
            record.msg = _QUERY.sub("?…", record.msg)
        return True


class ScrubTokens(logging.Filter):
    """Defence in depth: LAN errors are scrubbed where they are built (rop.lan.errors), but a
    traceback also prints the chained requests/aiohttp exception, which quotes the URL with its
    `token=`. The record is rendered once here, scrubbed, and its traceback text replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it for logging's own error report
            return True
        if "token=" in message.lower():
            record.msg, record.args = scrub_tokens(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_tokens(record.exc_text)
        return True
