"""A real sync in a process of its own, for tests that SIGKILL it mid-apply.

`python -m tests.engine.apply_victim CONNECTION_ID AS_OF MODE` with the store in
VICTIM_DATABASE_URL and VICTIM_KEY. The plan is staged two rows per transaction. MODE `stop`:
after the first chunk is committed, say how many rows are staged on stdout and wait to be
killed; MODE `run`: apply to the end (a test holding a lock stops it where it wants).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date

from rostersync.engine import SyncOptions, run_sync
from rostersync.store import open_store
from rostersync.store.crypto import Keyring


def _stop(rows: int) -> None:
    sys.stdout.write(f"{rows}\n")
    sys.stdout.flush()
    time.sleep(3600)  # the test kills this process long before


def main() -> None:
    connection_id, as_of, mode = sys.argv[1:4]
    store = open_store(os.environ["VICTIM_DATABASE_URL"], Keyring.parse(os.environ["VICTIM_KEY"]))
    options = SyncOptions(
        as_of=date.fromisoformat(as_of),
        allow_loopback=True,
        chunk=2,
        on_applied=_stop if mode == "stop" else lambda _rows: None,
    )
    run_sync(store, connection_id, options=options)


if __name__ == "__main__":
    main()
