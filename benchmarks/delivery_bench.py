"""How near draining the outbox comes to posting the same bodies with nothing in between.

For each size, N webhook events for one destination are enqueued in a new SQLite store, and a
trivial receiver (http.server answering 200, in its own process) takes:

- bare: the bodies posted one after another over one keep-alive http.client connection;
- drain: `deliver_now` sending every entry (claim, decrypt, sign, post, record).

The ratio is drain's wall time over bare's, measured in the same run, so a noisy shared machine
still gives comparable figures. Nothing here is a test: no thresholds, only the table.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rostersync.services import deliveries
from rostersync.store import open_store
from rostersync.store.crypto import Keyring, generate_key_setting
from rostersync.store.repos import destinations, outbox, tenants
from rostersync.store.session import transaction


class _Accept(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), _Accept)
    server.daemon_threads = True
    server.serve_forever()


@contextmanager
def receiver() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait()


def _event(n: int) -> outbox.NewEvent:
    employee = {"remote_id": str(n), "display_name": f"Person {n}", "title": "Engineer" * 8}
    payload = {"type": "user.created", "data": {"connection_id": "conn", "employee": employee}}
    return outbox.NewEvent(f"evt-{n}", "user.created", f"conn:{n}", payload)


def measure(size: int, port: int) -> tuple[float, float]:
    """Seconds for bare and for drain, in that order."""
    events = [_event(n) for n in range(size)]
    bodies = [json.dumps(event.payload).encode() for event in events]
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for body in bodies:
        connection.request("POST", "/hook", body=body, headers={"content-type": "application/json"})
        connection.getresponse().read()
    connection.close()
    bare = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as scratch:
        store = open_store(f"sqlite:///{scratch}/bench.db", Keyring.parse(generate_key_setting()))
        with transaction(store.sessions) as session:
            tenant = tenants.create_tenant(session, "Bench")
            destination, _ = destinations.create_webhook(
                session, store.keyring, tenant_id=tenant.id, url=f"http://127.0.0.1:{port}/hook"
            )
            outbox.enqueue_many(session, store.keyring, [destination], events, at=datetime.now(UTC))
        started = time.perf_counter()
        summary = deliveries.deliver_now(store, allow_loopback=True)
        drain = time.perf_counter() - started
        store.engine.dispose()
    if summary.delivered != size:
        raise SystemExit(f"drain delivered {summary.delivered} of {size}: {summary}")
    return bare, drain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000", help="comma-separated event counts")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    print(f"{'events':>8} {'bare/s':>9} {'drain/s':>9} {'ratio':>6}")
    with receiver() as port:
        for size in (int(s) for s in args.sizes.split(",")):
            bare, drain = measure(size, port)
            print(f"{size:>8} {size / bare:>9.0f} {size / drain:>9.0f} {drain / bare:>6.2f}")


if __name__ == "__main__":
    main()
