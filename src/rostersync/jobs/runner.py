"""The embedded mode's scheduler: one background thread syncing and delivering on a clock.

Failures are logged and the loop goes on: one broken connection must not stop the others.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from rostersync.jobs import tasks
from rostersync.store import Store

log = logging.getLogger("rostersync.jobs.runner")


class InProcessRunner:
    def __init__(
        self,
        store: Store,
        *,
        sync_interval: timedelta,
        deliver_interval: float,
        allow_loopback: bool,
    ) -> None:
        self._store = store
        self._sync_interval = sync_interval
        self._deliver_interval = deliver_interval
        self._allow_loopback = allow_loopback
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rostersync-runner", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def run_once(self) -> None:
        for connection_id in tasks.due_connections(self._store, interval=self._sync_interval):
            try:
                tasks.sync_connection(
                    self._store, connection_id, allow_loopback=self._allow_loopback
                )
            except Exception:
                log.exception("sync of %s crashed", connection_id)
        try:
            tasks.deliver(self._store, allow_loopback=self._allow_loopback)
        except Exception:
            log.exception("delivery round crashed")

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self._deliver_interval)
