"""How a URL may appear in a log line or an error message."""

from __future__ import annotations

import logging

import httpx


def safe_url(url: httpx.URL | str) -> str:
    """Render ``url`` as scheme://host[:port]/path.

    Userinfo, query string and fragment are dropped: vendors and webhook receivers put
    tokens there, and log lines outlive the secrets they leak.
    """
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except httpx.InvalidURL:
        return "<invalid URL>"
    host = parsed.raw_host.decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    port = f":{parsed.port}" if parsed.port is not None else ""
    path = parsed.raw_path.split(b"?", 1)[0].decode("ascii")
    return f"{parsed.scheme}://{host}{port}{path}"


class SafeUrlsInLogs(logging.Filter):
    """Rewrites every URL argument of a log record with ``safe_url``.

    httpx logs each request at INFO with its full URL, query included; a webhook's query
    often holds the receiver's token.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                safe_url(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True
