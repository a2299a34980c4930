import logging
import re

_QUERY = re.compile(r"\?\S*")


class StripQueryStrings(logging.Filter):
    """Drops query strings from request lines: the alarm webhook's secret rides in one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (_QUERY.sub("?…", record.args[0]), *record.args[1:])
        if isinstance(record.msg, str):
            record.msg = _QUERY.sub("?…", record.msg)
        return True
