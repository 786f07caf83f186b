"""`rostersync serve` as an operator runs it: a real process on a free port of loopback."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from rostersync.store.crypto import generate_key_setting


def cli_env(folder: Path) -> dict[str, str]:
    """An operator's environment with a fresh SQLite database and master key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    return env | {
        "ROSTERSYNC_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite'}",
        "ROSTERSYNC_MASTER_KEY": generate_key_setting(),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(
    env: dict[str, str],
    *options: str,
    output: IO[str] | int = subprocess.DEVNULL,
    origin: str = "http://127.0.0.1",
    verify: ssl.SSLContext | bool = True,
) -> Iterator[str]:
    """The base URL of `rostersync serve --no-workers` once /healthz answers; on leaving, the
    server is stopped as an operator stops it (SIGTERM) and has written all its output."""
    port = _free_port()
    command = [sys.executable, "-m", "rostersync", "serve", "--port", str(port), "--no-workers"]
    process = subprocess.Popen(
        [*command, *options], env=env, stdout=output, stderr=subprocess.STDOUT
    )
    base_url = f"{origin}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base_url}/healthz", verify=verify)
                break
            except httpx.TransportError:
                assert process.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)
