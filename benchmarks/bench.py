"""`make bench`: how near a read, a sync and a delivery come to the cost of the I/O alone.

For each vendor, store and size, the vendor's emulator runs in its own process
(`rostersync sandbox serve`), a webhook receiver answering 200 runs in this one, and each step
runs in a fresh process of its own, so its wall time, CPU time and peak RSS are its alone:

- bare: the connector's HTTP requests, issued with http.client and json.loads (the floor);
- extract: the connector's read, every record built and validated;
- first sync: a new store (SQLite, or a PostgreSQL database made for the run), one webhook
  destination, everyone provisioned;
- bare delivery: the outbox's event bodies posted one after another on one keep-alive
  http.client connection (the floor for delivery);
- delivery: the service's deliver_now, every event signed, sent and recorded;
- re-sync: the same store, nothing changed in the company;
- 1% re-sync: after 1% of the people moved department or left, through the emulator's
  /_sandbox control endpoints.

"n" is what the step handled: records read (bare: list entries), changes planned (syncs:
provisions, updates, deprovisions), events sent (deliveries). HiBob answers everyone in one
response, BambooHR in one large JSON report, Personio in pages of 100. Each row's ratio is
its wall time over the bare read's (deliveries: over the bare delivery's), measured in the
same run on the same machine, so a noisy, shared machine still gives comparable figures. A
connector keeps the vendor's documented rate limits by sleeping; against an emulator those
sleeps are skipped and their sum is shown as "paced s", the time the real vendor's limits
would add. Nothing here is a test: there are no thresholds, only the
table.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from rostersync.connectors.vendors import bamboohr, hibob, personio

# --- the vendors, as the bare client sees them --------------------------------------------


@dataclass(frozen=True)
class Basic:
    """HTTP Basic from two credential values (a key absent from the credentials is literal)."""

    user: str
    password: str


@dataclass(frozen=True)
class TokenCall:
    """A form POST of credential values whose JSON answer holds a Bearer token."""

    path: str
    form: tuple[str, ...]
    token_path: str


@dataclass(frozen=True)
class Call:
    """One request, or one paged list when `page_size` is set (offset and limit)."""

    method: str
    path: str
    records_path: str = ""
    """Where the records sit in the answer, dotted; "" = the answer is the list."""
    query: tuple[tuple[str, str], ...] = ()
    body: Mapping[str, Any] | None = None
    page_size: int | None = None
    total_path: str = ""
    """Where a paged answer says how many records the list has."""


@dataclass(frozen=True)
class Vendor:
    slug: str
    credentials: Mapping[str, str]
    """The connector's credentials."""
    emulator_credentials: Mapping[str, str]
    """What `rostersync sandbox serve --credential` takes for the same account."""
    auth: Basic | TokenCall
    calls: tuple[Call, ...]
    prefix: str = ""
    """The path of the documented API root, kept when the base URL replaces its host."""
    headers: Mapping[str, str] = field(default_factory=lambda: {"Accept": "application/json"})


SECRET = "bench-secret"  # noqa: S105 - the emulator's, made up for the run
VENDORS = {
    vendor.slug: vendor
    for vendor in (
        Vendor(
            "hibob",
            credentials={"service_user_id": "SERVICE-BENCH", "service_user_token": SECRET},
            emulator_credentials={"service_user_id": "SERVICE-BENCH", "token": SECRET},
            auth=Basic("service_user_id", "service_user_token"),
            calls=(
                Call("GET", "/v1/company/named-lists/department", "items"),
                Call("GET", "/v1/company/named-lists/site", "items"),
                Call(
                    "POST",
                    "/v1/people/search",
                    "employees",
                    body={
                        "fields": [field.name for field in hibob.PEOPLE_FIELDS],
                        "showInactive": True,
                    },
                ),
            ),
        ),
        Vendor(
            "bamboohr",
            credentials={"company_domain": "bench", "api_key": SECRET},
            emulator_credentials={"company_domain": "bench", "api_key": SECRET},
            auth=Basic("api_key", "x"),
            prefix="/api",
            calls=(
                Call("GET", "/v1/meta/lists"),
                Call(
                    "POST",
                    "/v1/reports/custom",
                    "employees",
                    query=(("format", "JSON"), ("onlyCurrent", "false")),
                    body={
                        "title": "rostersync",
                        "fields": [field.name for field in bamboohr.REPORT_FIELDS],
                    },
                ),
            ),
        ),
        Vendor(
            "personio",
            credentials={"client_id": "bench-client", "client_secret": SECRET},
            emulator_credentials={"client_id": "bench-client", "client_secret": SECRET},
            auth=TokenCall("/v1/auth", ("client_id", "client_secret"), "data.token"),
            headers={"Accept": "application/json", "X-Personio-App-ID": "ROSTERSYNC"},
            calls=(
                Call(
                    "GET",
                    "/v1/company/employees",
                    "data",
                    query=tuple(("attributes[]", field.name) for field in personio.ATTRIBUTES),
                    page_size=personio.PAGE_SIZE,
                    total_path="metadata.total_elements",
                ),
            ),
        ),
    )
}


def _exchange(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: str | None,
    headers: Mapping[str, str],
) -> http.client.HTTPResponse:
    """One request, sent once more on a fresh connection if the server had closed the idle
    kept-alive one meanwhile (on a loaded machine the gap can outlast its keep-alive)."""
    try:
        connection.request(method, path, body, headers=dict(headers))
        return connection.getresponse()
    except (http.client.RemoteDisconnected, ConnectionError):
        connection.close()
        connection.request(method, path, body, headers=dict(headers))
        return connection.getresponse()


def _dig(data: Any, path: str) -> Any:
    for key in filter(None, path.split(".")):
        data = data[key]
    return data


class BareClient:
    """The vendor's requests on one keep-alive http.client connection, answers json.loads'd."""

    def __init__(self, vendor: Vendor, base_url: str) -> None:
        target = urlsplit(base_url)
        self._connection = http.client.HTTPConnection(target.hostname or "", target.port)
        self._vendor = vendor
        self._headers = dict(vendor.headers)

    def _send(self, method: str, path: str, body: str | None, headers: Mapping[str, str]) -> Any:
        response = _exchange(self._connection, method, self._vendor.prefix + path, body, headers)
        content = response.read()
        if response.status != 200:
            raise SystemExit(f"bare {method} {path}: HTTP {response.status}")
        return json.loads(content)

    def _authorize(self) -> None:
        auth, credentials = self._vendor.auth, self._vendor.credentials
        if isinstance(auth, Basic):
            user = credentials.get(auth.user, auth.user)
            pair = f"{user}:{credentials.get(auth.password, auth.password)}"
            self._headers["Authorization"] = f"Basic {base64.b64encode(pair.encode()).decode()}"
            return
        form = urlencode({name: credentials[name] for name in auth.form})
        headers = {**self._headers, "Content-Type": "application/x-www-form-urlencoded"}
        token = _dig(self._send("POST", auth.path, form, headers), auth.token_path)
        self._headers["Authorization"] = f"Bearer {token}"

    def _call(self, call: Call) -> int:
        body = None if call.body is None else json.dumps(call.body)
        headers = (
            self._headers if body is None else {**self._headers, "Content-Type": "application/json"}
        )
        records, offset = 0, 0
        while True:
            paging = (
                ()
                if call.page_size is None
                else (("offset", str(offset)), ("limit", str(call.page_size)))
            )
            query = urlencode((*call.query, *paging))
            answer = self._send(
                call.method, f"{call.path}?{query}" if query else call.path, body, headers
            )
            page = len(_dig(answer, call.records_path))
            records, offset = records + page, offset + page
            if call.page_size is None or offset >= _dig(answer, call.total_path) or not page:
                return records

    def read(self) -> int:
        self._authorize()
        return sum(self._call(call) for call in self._vendor.calls)


# --- the processes around the steps: emulator, receiver, store -----------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def emulator(vendor: Vendor, people: int) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "rostersync", "sandbox", "serve", "--vendor", vendor.slug]
    command += ["--port", str(port), "--people", str(people)]
    for name, value in vendor.emulator_credentials.items():
        command += ["--credential", f"{name}={value}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the {vendor.slug} emulator did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


class _Answer200(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one line per event would drown the table."""


@contextmanager
def receiver() -> Iterator[str]:
    """A webhook receiver on 127.0.0.1 that takes everything; its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer200)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="bench-receiver", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def store_url(kind: str, workdir: Path, pg_admin_url: str) -> Iterator[str]:
    """A new, empty database of `kind`, removed afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text

    name = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _control(
    connection: http.client.HTTPConnection, method: str, path: str, body: Any = None
) -> Any:
    payload = None if body is None else json.dumps(body)
    headers = {"Content-Type": "application/json"}
    response = _exchange(connection, method, f"/_sandbox{path}", payload, headers)
    content = response.read()
    if response.status >= 300:
        raise SystemExit(f"sandbox {method} {path}: HTTP {response.status} {content[:200]!r}")
    return json.loads(content)


def churn(base_url: str, percent: float) -> None:
    """Change `percent` of the company, active people spread evenly: every other one moves to
    the next department, the rest left yesterday."""
    target = urlsplit(base_url)
    connection = http.client.HTTPConnection(target.hostname or "", target.port)
    company = _control(connection, "GET", "/company")
    departments = [d["id"] for d in company["departments"] if not d["archived"]]
    # The termination date is the last day employed: yesterday's leavers are gone today.
    yesterday = (date.fromisoformat(company["today"]) - timedelta(days=1)).isoformat()
    people = _control(connection, "GET", "/people")
    active = [person for person in people if person["status"] == "active"]
    count = max(1, round(len(people) * percent / 100))
    chosen = active[:: max(1, len(active) // count)][:count]
    for index, person in enumerate(chosen):
        if index % 2:
            _control(connection, "POST", f"/terminate/{person['id']}", {"on": yesterday})
            continue
        current = (
            departments.index(person["department_id"])
            if person["department_id"] in departments
            else -1
        )
        moved_to = departments[(current + 1) % len(departments)]
        _control(connection, "POST", f"/move/{person['id']}", {"department_id": moved_to})
    connection.close()


# --- the steps, each run in its own process -------------------------------------------------
# Each step prepares (imports, opens the store) untimed and returns what is timed: start-up
# is a figure of its own, not a share of every step's.


@dataclass
class Paced:
    """The sleep a connector is given: it skips the wait and adds it up."""

    seconds: float = 0.0

    def __call__(self, seconds: float) -> None:
        self.seconds += seconds


@dataclass(frozen=True)
class Args:
    vendor: Vendor
    base_url: str
    store_url: str
    workdir: Path
    receiver_url: str


Timed = Callable[[], int]
Step = Callable[[Args, Paced], Timed]


def _bare(args: Args, _paced: Paced) -> Timed:
    return BareClient(args.vendor, args.base_url).read


def _extract(args: Args, paced: Paced) -> Timed:
    from rostersync.connectors import CONNECTORS, ReadContext

    context = ReadContext(
        credentials=args.vendor.credentials,
        as_of=datetime.now(UTC).date(),
        base_url=args.base_url,
        allow_loopback=True,
        sleep=paced,
    )
    return lambda: sum(1 for _ in CONNECTORS[args.vendor.slug].read(context))


def _store(args: Args) -> Any:
    from rostersync.store import open_store
    from rostersync.store.crypto import Keyring

    return open_store(args.store_url, Keyring.parse(os.environ["BENCH_KEY"]))


def _sync(args: Args, paced: Paced) -> Timed:
    from rostersync.engine.sync import SyncOptions, run_sync
    from rostersync.model.actions import ActionKind

    store = _store(args)
    connection_id = (args.workdir / "connection").read_text()
    options = SyncOptions(allow_loopback=True, sleep=paced)

    def run() -> int:
        report = run_sync(store, connection_id, options=options)
        if not report.ok:
            raise SystemExit(f"the sync did not succeed: {report.status} {report.error_message}")
        return sum(report.counts.get(kind.value, 0) for kind in ActionKind)

    return run


def _bare_delivery(args: Args, _paced: Paced) -> Timed:
    from rostersync.services.deliveries import feed

    store = _store(args)
    bodies = [
        json.dumps(entry.body)
        for entry in feed(store, tenant_id=None, after=0, limit=10**9, destination_id=None)
    ]
    target = urlsplit(args.receiver_url)

    def run() -> int:
        connection = http.client.HTTPConnection(target.hostname or "", target.port)
        for body in bodies:
            connection.request("POST", target.path, body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"the receiver answered {response.status}")
        connection.close()
        return len(bodies)

    return run


def _delivery(args: Args, _paced: Paced) -> Timed:
    from rostersync.services.deliveries import deliver_now

    store = _store(args)

    def run() -> int:
        summary = deliver_now(store, allow_loopback=True)
        if summary.retrying or summary.failed or summary.remaining:
            raise SystemExit(f"not everything was delivered: {summary}")
        return summary.delivered

    return run


def _setup(args: Args) -> None:
    from rostersync.services import connections, tenants
    from rostersync.services.destinations import DestinationSpec, create_destination

    store = _store(args)
    tenant = tenants.create_tenant(store, "Bench", actor="bench")
    connection = connections.create_connection(
        store,
        tenant_id=tenant.id,
        provider=args.vendor.slug,
        credentials=dict(args.vendor.credentials),
        base_url=args.base_url,
        environment="production",
        allow_loopback=True,
        actor="bench",
    )
    spec = DestinationSpec(webhook_url=args.receiver_url)
    create_destination(store, tenant.id, spec, allow_loopback=True, actor="bench")
    (args.workdir / "connection").write_text(connection.id)


# In the order they run; `churn` runs (untimed, in this process) before the 1% re-sync.
STEPS: dict[str, Step] = {
    "bare": _bare,
    "extract": _extract,
    "first-sync": _sync,
    "bare-delivery": _bare_delivery,
    "delivery": _delivery,
    "re-sync": _sync,
    "1%-re-sync": _sync,
}
FLOOR_OF = {"delivery": "bare-delivery", "bare-delivery": "bare-delivery"}
"""The bare step each step's ratio is taken to; any other: the bare read."""


def _peak_rss_mb() -> float:
    """This process's peak RSS since exec. ru_maxrss would do but for Linux carrying the
    parent's RSS at fork into it: every child would show at least the table's process."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kilobytes) / 1024


def child(step: str, args: Args) -> None:
    paced = Paced()
    timed = STEPS[step](args, paced)
    if step == "bare":
        # The emulator builds a response once, then serves it from memory: ask untimed first,
        # so bare is the floor of reading the data, not the emulator's cost of making it.
        timed()
    wall, cpu = time.perf_counter(), time.process_time()
    records = timed()
    figures = {
        "n": records,
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "rss_mb": _peak_rss_mb(),
        "paced": paced.seconds,
    }
    sys.stdout.write(json.dumps(figures) + "\n")


# --- the table ----------------------------------------------------------------------------


def _child_command(step: str, args: Args) -> list[str]:
    return [
        sys.executable,
        __file__,
        "--child",
        step,
        "--vendors",
        args.vendor.slug,
        "--base-url",
        args.base_url,
        "--store-url",
        args.store_url,
        "--workdir",
        str(args.workdir),
        "--receiver-url",
        args.receiver_url,
    ]


def _run(step: str, args: Args, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        _child_command(step, args), capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr[-2000:]}{done.stdout[-500:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


COLUMNS = (
    ("vendor", "<9"),
    ("store", "<10"),
    ("people", ">7"),
    ("step", "<13"),
    ("n", ">7"),
    ("wall s", ">8"),
    ("cpu s", ">7"),
    ("rss MB", ">7"),
    ("paced s", ">8"),
    ("ratio", ">6"),
)


def _row(*values: object) -> str:
    return " ".join(f"{value:{spec}}" for value, (_, spec) in zip(values, COLUMNS, strict=True))


def bench_one(
    vendor: Vendor,
    store: str,
    people: int,
    steps: list[str],
    pg_admin_url: str,
    env: dict[str, str],
) -> None:
    with (
        emulator(vendor, people) as base_url,
        receiver() as receiver_url,
        tempfile.TemporaryDirectory() as workdir,
        store_url(store, Path(workdir), pg_admin_url) as url,
    ):
        args = Args(vendor, base_url, url, Path(workdir), receiver_url)
        subprocess.run(_child_command("setup", args), env=env, check=True)
        walls: dict[str, float] = {}
        for step in steps:
            if step == "1%-re-sync":
                churn(base_url, percent=1.0)
            figures = _run(step, args, env)
            walls[step] = figures["wall"]
            floor = walls.get(FLOOR_OF.get(step, "bare"))
            print(
                _row(
                    vendor.slug,
                    store,
                    people,
                    step,
                    int(figures["n"]),
                    f"{figures['wall']:.2f}",
                    f"{figures['cpu']:.2f}",
                    f"{figures['rss_mb']:.0f}",
                    f"{figures['paced']:.1f}",
                    f"{figures['wall'] / floor:.1f}" if floor else "",
                ),
                flush=True,
            )


def _choices(value: str, allowed: Mapping[str, object] | tuple[str, ...]) -> list[str]:
    chosen = [item for item in value.split(",") if item]
    unknown = [item for item in chosen if item not in allowed]
    if unknown:
        raise SystemExit(f"unknown {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", default="1000,10000", help="comma-separated sizes")
    parser.add_argument("--vendors", default="hibob,bamboohr,personio", help="comma-separated")
    parser.add_argument("--stores", default="sqlite,postgresql", help="sqlite and/or postgresql")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "ROSTERSYNC_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL database to connect to while creating and dropping the run's own",
    )
    parser.add_argument(
        "--skip",
        default="",
        # argparse formats help with %: the 1%-re-sync step's name must not read as one.
        help=f"comma-separated steps to leave out, of {', '.join(STEPS)} (every step after "
        "first-sync needs it)".replace("%", "%%"),
    )
    parser.add_argument("--child", choices=(*STEPS, "setup"), help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--store-url", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--receiver-url", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    vendors = [VENDORS[slug] for slug in _choices(options.vendors, VENDORS)]
    if options.child:
        args = Args(
            vendors[0], options.base_url, options.store_url, options.workdir, options.receiver_url
        )
        if options.child == "setup":
            _setup(args)
        else:
            child(options.child, args)
        return 0
    from rostersync.store.crypto import generate_key_setting

    stores = _choices(options.stores, ("sqlite", "postgresql"))
    skipped = _choices(options.skip, tuple(STEPS))
    steps = [step for step in STEPS if step not in skipped]
    env = {**os.environ, "BENCH_KEY": generate_key_setting()}
    print(_row(*(name for name, _ in COLUMNS)), flush=True)
    for vendor in vendors:
        for store in stores:
            for people in (int(size) for size in options.people.split(",")):
                bench_one(vendor, store, people, steps, options.pg_url, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
