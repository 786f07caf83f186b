"""The access log without secrets: no connect-link token and no query string reaches it.

uvicorn logs each request with the arguments (client, method, path?query, HTTP version,
status), the shape its own access formatter unpacks. The filter rewrites the path; a record of
any other shape is dropped, since nothing would then say what it carries.
"""

from __future__ import annotations

import logging

CONNECT = "/connect/"


def redact_target(target: str) -> str:
    """`/connect/cl_…/verify?x=1` becomes `/connect/…`: everything after `/connect/` is, or
    follows, a live link's token; a query string may carry anything."""
    path = target.partition("?")[0]
    before, connect, _ = path.partition(CONNECT)
    return f"{before}{CONNECT}…" if connect else path


class RedactedAccessLog(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not (isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str)):
            return False
        record.args = (*args[:2], redact_target(args[2]), *args[3:])
        return True


REDACTED_ACCESS_LOG = RedactedAccessLog()
"""One instance, so installing it again (another server in the same process) is a no-op."""
