"""The demo's data directory: made by the demo, reused by its next start, never deleted.

A directory is a demo's when it holds `demo.lock`, the first file the demo writes in it. The
running demo holds a lock on that file, so a second demo on the same directory stops before it
touches anything. `demo.json` (0600, beside the 0600 master key) keeps what a restart needs to
find its tenants again and to serve the sandboxes with the credentials stored for them.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from rostersync.connectors import BadInput

LOCK = "demo.lock"
STATE = "demo.json"


@dataclass(frozen=True)
class DemoState:
    tenant_id: str
    connection_id: str
    linked_tenant_id: str
    """The second tenant, which its HR admin connects through the printed link."""
    sandbox_token: str
    """The sandbox HiBob's service-user token: synthetic people only."""
    webhook_secret: str
    """The demo receiver's signing secret, to verify what the outbox sends it."""
    gusto_client_secret: str = ""
    """The demo's OAuth app secret at the sandbox Gusto: kept, since the refresh tokens that app
    issued are signed with it (a connection made by consent survives a restart). Empty in a
    state written before the sandbox Gusto was served; the next start fills it in."""


def claim_port(port: int) -> socket.socket:
    """127.0.0.1:`port`, bound now and kept for the server: checked before anything else."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise BadInput(
            f"port {port} on 127.0.0.1 is in use (another demo?): "
            f"stop it, or start this one with --port (make demo PORT=...)"
        ) from None
    return sock


class DemoDir:
    """`path`, claimed for this demo: created if new, else proven to be a demo's own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        lock = path / LOCK
        if path.exists() and not path.is_dir():
            raise BadInput(f"--data-dir {path} is a file, not a directory")
        if path.is_dir() and not lock.exists() and any(path.iterdir()):
            raise BadInput(
                f"--data-dir {path} holds files a demo did not write (no {LOCK}); the demo "
                "never deletes a directory: give a new or empty one"
            )
        path.mkdir(parents=True, exist_ok=True)
        self._lock: IO[str] = lock.open("a")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise BadInput(f"another rostersync demo is running on {path}") from None

    def state(self) -> DemoState | None:
        """What the last start seeded, or None for a directory never seeded."""
        try:
            return DemoState(**json.loads((self.path / STATE).read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            raise BadInput(f"{self.path / STATE} is not a demo's state file") from None

    def save(self, state: DemoState) -> None:
        target = self.path / STATE
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(asdict(state), handle, indent=2)

    def release(self) -> None:
        self._lock.close()
