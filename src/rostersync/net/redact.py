"""How a URL may appear in a log line or an error message."""

from __future__ import annotations

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
