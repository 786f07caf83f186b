"""`make bench`: how near a read and a sync come to the cost of reading the data at all.

For each size, a HiBob emulator runs in its own process (`rostersync sandbox serve`), and
each step runs in a fresh process of its own, so its wall time, CPU time and peak RSS are its
alone:

- bare: the same three requests with http.client and json.loads (the floor);
- extract: the connector's read, every record built and validated;
- first sync: a new SQLite store, one webhook destination, everyone provisioned;
- re-sync: the same store, nothing changed in the company.

Each row's ratio is its wall time over bare's, measured in the same run on the same machine,
so a noisy, shared machine still gives comparable figures. Nothing here is a test: there are
no thresholds, only the table.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SERVICE_USER, TOKEN = "SERVICE-BENCH", "bench-token"
CREDENTIALS = {"service_user_id": SERVICE_USER, "service_user_token": TOKEN}
STEPS = ("bare", "extract", "first-sync", "re-sync")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def emulator(people: int) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "rostersync", "sandbox", "serve", "--vendor", "hibob"]
    command += ["--port", str(port), "--people", str(people)]
    command += ["--credential", f"service_user_id={SERVICE_USER}", "--credential", f"token={TOKEN}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- the steps, each run in its own process -------------------------------------------------
# Each step prepares (imports, opens the store) untimed and returns what is timed: start-up
# is a figure of its own, not a share of every step's.

Timed = Callable[[], int]


def _bare(base_url: str, _db: Path) -> Timed:
    from rostersync.connectors.vendors.hibob import PEOPLE_FIELDS  # the same fields asked for

    def run() -> int:
        target = urlsplit(base_url)
        connection = http.client.HTTPConnection(target.hostname or "", target.port)
        basic = base64.b64encode(f"{SERVICE_USER}:{TOKEN}".encode()).decode()
        headers = {"Authorization": f"Basic {basic}", "Accept": "application/json"}
        records = 0
        for path in ("/v1/company/named-lists/department", "/v1/company/named-lists/site"):
            connection.request("GET", path, headers=headers)
            records += len(json.loads(connection.getresponse().read())["items"])
        body = json.dumps({"fields": list(PEOPLE_FIELDS), "showInactive": True})
        search = {**headers, "Content-Type": "application/json"}
        connection.request("POST", "/v1/people/search", body, headers=search)
        records += len(json.loads(connection.getresponse().read())["employees"])
        return records

    return run


def _extract(base_url: str, _db: Path) -> Timed:
    from rostersync.connectors import CONNECTORS, ReadContext

    context = ReadContext(
        credentials=CREDENTIALS,
        as_of=datetime.now(UTC).date(),
        base_url=base_url,
        allow_loopback=True,
    )
    return lambda: sum(1 for _ in CONNECTORS["hibob"].read(context))


def _store(db: Path) -> Any:
    from rostersync.store import open_store
    from rostersync.store.crypto import Keyring

    return open_store(f"sqlite:///{db}", Keyring.parse(os.environ["BENCH_KEY"]))


def _sync(_base_url: str, db: Path) -> Timed:
    from rostersync.engine.sync import SyncOptions, run_sync

    store = _store(db)
    connection_id = (db.parent / "connection").read_text()

    def run() -> int:
        report = run_sync(store, connection_id, options=SyncOptions(allow_loopback=True))
        if not report.ok:
            raise SystemExit(f"the sync did not succeed: {report.status} {report.error_message}")
        return int(report.counts.get("employees_read", 0))

    return run


def _setup(base_url: str, db: Path) -> None:
    from rostersync.services import connections, tenants
    from rostersync.services.destinations import DestinationSpec, create_destination

    store = _store(db)
    tenant = tenants.create_tenant(store, "Bench", actor="bench")
    connection = connections.create_connection(
        store,
        tenant_id=tenant.id,
        provider="hibob",
        credentials=CREDENTIALS,
        base_url=base_url,
        environment="production",
        allow_loopback=True,
        actor="bench",
    )
    # Events are enqueued for it; nothing is delivered during the bench.
    spec = DestinationSpec(webhook_url="http://127.0.0.1:9/hook")
    create_destination(store, tenant.id, spec, allow_loopback=True, actor="bench")
    (db.parent / "connection").write_text(connection.id)


CHILD_STEPS: dict[str, Callable[[str, Path], Timed]] = {
    "bare": _bare,
    "extract": _extract,
    "first-sync": _sync,
    "re-sync": _sync,
}


def child(step: str, base_url: str, db: Path) -> None:
    timed = CHILD_STEPS[step](base_url, db)
    wall, cpu = time.perf_counter(), time.process_time()
    records = timed()
    figures = {
        "records": records,
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    sys.stdout.write(json.dumps(figures) + "\n")


# --- the table ----------------------------------------------------------------------------


def _run(step: str, base_url: str, db: Path, env: dict[str, str]) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", step, "--base-url", base_url, "--db", str(db)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr[-2000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", default="1000,10000", help="comma-separated sizes")
    parser.add_argument("--child", choices=(*CHILD_STEPS, "setup"), help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "setup":
        _setup(args.base_url, args.db)
        return 0
    if args.child:
        child(args.child, args.base_url, args.db)
        return 0
    from rostersync.store.crypto import generate_key_setting

    env = {**os.environ, "BENCH_KEY": generate_key_setting()}
    header = f"{'people':>8} {'step':<11} {'wall s':>8} {'cpu s':>8} {'rss MB':>8} {'x bare':>7}"
    print(header)
    for people in (int(size) for size in args.people.split(",")):
        with emulator(people) as base_url, tempfile.TemporaryDirectory() as workdir:
            db = Path(workdir) / "bench.db"
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "setup",
                    "--base-url",
                    base_url,
                    "--db",
                    str(db),
                ],
                env=env,
                check=True,
            )
            bare: float | None = None
            for step in STEPS:
                figures = _run(step, base_url, db, env)
                bare = figures["wall"] if step == "bare" else bare
                ratio = figures["wall"] / bare if bare else 1.0
                print(
                    f"{people:>8} {step:<11} {figures['wall']:>8.2f} {figures['cpu']:>8.2f} "
                    f"{figures['rss_mb']:>8.0f} {ratio:>7.1f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
