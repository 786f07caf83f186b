from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import LoopbackServer, RecordingSleep, self_signed_context, serve


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with serve() as loopback:
        yield loopback


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[LoopbackServer]:
    with serve(self_signed_context(tmp_path)) as loopback:
        yield loopback


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()
