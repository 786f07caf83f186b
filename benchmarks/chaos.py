"""`make chaos`: vendor faults, process kills and receiver outages against the real service.

Every scenario is one story told twice, with the fault and without it (the control): a fresh
SQLite store, a vendor emulator and a recording webhook receiver over HTTP on 127.0.0.1; a
first sync; true changes in the company (leavers, joiners, a mover); a sync under the fault;
then clean syncs until any absence would be confirmed, delivering after each. An operator
renews a revoked credential and rejects a held run, as the dashboard asks them to. Then:

- wrong deprovisions: removals the receiver got for people the control never removed;
- lost events: person events the control's receiver got and this one never did;
- duplicates: person events this receiver got more often than the control's, counting one
  webhook-id once (a redelivery under the same id is the at-least-once contract; it is
  printed apart as "redelivered").

The table and the summary line are measured, and the exit status says whether all three are
zero. `--vendors` and `--people` make it shorter.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rostersync.delivery import deliver_due
from rostersync.delivery.worker import LEASE
from rostersync.engine.sync import SyncOptions, run_sync
from rostersync.jobs.tasks import due_connections
from rostersync.sandbox import (
    EMULATORS,
    Fault,
    FaultKind,
    Faults,
    PersonStatus,
    ServerThread,
    SyntheticCompany,
)
from rostersync.services import connections, runs, tenants
from rostersync.services.approvals import decide
from rostersync.services.destinations import DestinationSpec, create_destination
from rostersync.store import Store, open_store
from rostersync.store.crypto import Keyring, generate_key_setting
from rostersync.store.session import transaction
from rostersync.store.tables import OutboxEntry, SyncRun

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "connectors" / "fixtures"
PERSON_EVENTS = ("user.provision", "user.update", "user.deprovision")
SYNC_INTERVAL = timedelta(minutes=10)


class Receiver:
    """A webhook receiver that records what it is sent; it can be down or slow."""

    def __init__(self) -> None:
        self.down = False
        self.delay = 0.0
        self.log: list[tuple[str, str, str]] = []  # (webhook-id, event type, person id)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            if self.down:
                return Response(status_code=503)
            if self.delay:
                time.sleep(self.delay)  # a slow receiver holds the sender's request open
            body = json.loads(await request.body())
            employee = body.get("data", {}).get("employee") or {}
            self.log.append(
                (request.headers["webhook-id"], body["type"], employee.get("remote_id", ""))
            )
            return Response(status_code=204)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])

    def person_events(self) -> Counter[tuple[str, str]]:
        """(event type, person) counted once per webhook-id."""
        seen: dict[str, tuple[str, str]] = {}
        for webhook_id, event_type, person in self.log:
            if event_type in PERSON_EVENTS:
                seen.setdefault(webhook_id, (event_type, person))
        return Counter(seen.values())

    def redelivered(self) -> int:
        return len(self.log) - len({webhook_id for webhook_id, _, _ in self.log})


@dataclass
class SimClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@dataclass
class Story:
    """One run of the story: what the test bench holds while it is told."""

    slug: str
    store: Store
    company: SyntheticCompany
    faults: Faults
    receiver: Receiver
    clock: SimClock
    today: date
    """Every sync reads as of this day, however far the simulated clock moves."""
    connection_id: str
    database_url: str
    config: dict[str, Any]
    statuses: list[str] = field(default_factory=list)
    people_requests: int = 0
    """How many people requests a clean read takes: more than one means the vendor pages."""
    left_running: int = 0
    fault_outcome: list[str] = field(default_factory=list)
    """The statuses of the runs while the fault lasted, e.g. ["killed", "succeeded"]."""

    def sync(self) -> str:
        options = SyncOptions(
            as_of=self.today,
            allow_loopback=True,
            sleep=lambda _seconds: None,
            clock=self.clock,
        )
        report = run_sync(self.store, self.connection_id, options=options)
        self.statuses.append(report.status)
        return report.status

    def deliver(self, *, until_empty: bool = True) -> None:
        """Drain the outbox; a retry not yet due is waited for in simulated time."""
        for _ in range(500):
            result = deliver_due(self.store, allow_loopback=True, clock=self.clock, timeout=5)
            if result.delivered + result.retrying + result.failed + result.skipped == 0:
                if not until_empty or not self.pending():
                    return
                self.clock.advance(timedelta(minutes=5))
        raise RuntimeError("the outbox never drained")

    def pending(self) -> bool:
        return self._count(OutboxEntry, OutboxEntry.status == "pending") > 0

    def runs_left_running(self) -> int:
        return self._count(SyncRun, SyncRun.status == "running")

    def _count(self, table: type[OutboxEntry | SyncRun], *where: ColumnElement[bool]) -> int:
        with transaction(self.store.sessions) as session:
            return session.scalar(select(func.count()).select_from(table).where(*where)) or 0

    def cli_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
        return env | {
            "ROSTERSYNC_DATABASE_URL": self.database_url,
            "ROSTERSYNC_MASTER_KEY": self.store.keyring.serialise(),
            "ROSTERSYNC_ALLOW_LOOPBACK": "true",
        }

    def settle(self) -> None:
        """What an operator does when the dashboard asks: renew a credential, reject a hold."""
        connection = connections.get_connection(self.store, self.connection_id, tenant_id=None)
        if connection.status == "needs_reauth":
            connections.reconnect(
                self.store,
                self.connection_id,
                provider=connection.provider,
                credentials=self.config["credentials"],
                actor="chaos",
            )
        for run in runs.list_runs(self.store, tenant_id=None, connection_id=self.connection_id):
            if run.status == "held":
                decide(self.store, run.id, approve=False, tenant_id=None, actor="chaos")


# A fault happens while the story's third sync (the one after the changes) runs or delivers.
SyncFault = Callable[[Story], None]


@dataclass(frozen=True)
class Scenario:
    name: str
    during_sync: SyncFault | None = None
    during_delivery: SyncFault | None = None
    vendors: str = "all"
    """"all": every vendor; "one": the first only (process kills and outages are not
    vendor-specific)."""


def _people_fault(kind: FaultKind, *, times: int = 1, **values: Any) -> SyncFault:
    """A fault on a people request: the second one where the vendor pages past a first page
    of records, else the first. A read of two requests ends on one that holds no records (ADP's
    204, UKG's empty page): a fault there would test nothing a client reads."""

    def inject(story: Story) -> None:
        after = 1 if story.people_requests > 2 else 0
        fault = Fault(kind, path=story.config["people_path"], **values)
        # Only the first waits for `after` requests: the rest must hit its retries.
        story.faults.inject(replace(fault, after=after))
        if times > 1:
            story.faults.inject(fault, times - 1)
        story.sync()
        if len(story.faults.pending()) == times:
            raise RuntimeError(f"{kind} on {story.slug} never fired: the table would lie")
        story.faults.reset()

    return inject


def _kill_sync(story: Story) -> None:
    """SIGKILL a `rostersync sync` while it waits on a slow vendor, then a scheduler pass."""
    story.faults.inject(Fault(FaultKind.SLOW, seconds=60, path=story.config["people_path"]))
    process = subprocess.Popen(
        [sys.executable, "-m", "rostersync", "sync", story.connection_id],
        env=story.cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not any(path == story.config["people_path"] for _, path, _ in story.faults.requests()):
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the sync never reached the vendor")
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    story.faults.reset()
    story.statuses.append("killed")
    # The scheduler's next pass, on the real clock: the killed run must not block it for long.
    story.clock.advance(SYNC_INTERVAL)
    for connection_id in due_connections(
        story.store, interval=SYNC_INTERVAL, now=max(story.clock.now, datetime.now(UTC))
    ):
        if connection_id == story.connection_id:
            story.sync()


def _kill_delivery(story: Story) -> None:
    """SIGKILL `rostersync deliver` mid-drain; the lease runs out and the rest is sent."""
    story.sync()
    story.receiver.delay = 0.2
    process = subprocess.Popen(
        [sys.executable, "-m", "rostersync", "deliver"],
        env=story.cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline, before = time.monotonic() + 60, len(story.receiver.log)
    while len(story.receiver.log) < before + 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    story.receiver.delay = 0.0
    story.statuses.append("killed")
    story.clock.now = max(story.clock.now, datetime.now(UTC)) + LEASE + timedelta(seconds=1)


def _receiver_outage(story: Story) -> None:
    """The receiver answers 503 for an hour of simulated time, then comes back."""
    story.sync()
    story.receiver.down = True
    for _ in range(12):
        deliver_due(story.store, allow_loopback=True, clock=story.clock, timeout=5)
        story.clock.advance(timedelta(minutes=5))
    story.receiver.down = False


SCENARIOS = (
    Scenario("401 mid-read", _people_fault(FaultKind.STATUS, status=401)),
    Scenario("500 on page k", _people_fault(FaultKind.STATUS, status=500, times=20)),
    Scenario("short page", _people_fault(FaultKind.SHORT, keep=0.5)),
    Scenario("truncated JSON", _people_fault(FaultKind.TRUNCATE, keep=0.6)),
    Scenario("429 storm", _people_fault(FaultKind.STATUS, status=429, retry_after=2, times=4)),
    Scenario(
        "429 past retries", _people_fault(FaultKind.STATUS, status=429, retry_after=2, times=9)
    ),
    Scenario("slow responses", _people_fault(FaultKind.SLOW, seconds=1.0, times=3)),
    Scenario("nested body", _people_fault(FaultKind.NESTED, depth=50_000)),
    Scenario("endless body", _people_fault(FaultKind.HUGE, size=600 * 2**20)),
    Scenario("wrong types", _people_fault(FaultKind.WRONG_TYPES)),
    Scenario("list as number", _people_fault(FaultKind.LIST_AS_NUMBER)),
    Scenario("sync SIGKILL", _kill_sync, vendors="one"),
    Scenario("delivery SIGKILL", during_delivery=_kill_delivery, vendors="one"),
    Scenario("receiver down 1 h", during_delivery=_receiver_outage, vendors="one"),
)


def _change(company: SyntheticCompany, today: date) -> None:
    """True changes between two syncs: three leavers, three joiners, one mover."""
    active = [p for p in company.people() if p.status is PersonStatus.ACTIVE]
    for person in active[:3]:
        company.terminate(person.id, today - timedelta(days=1))
    for _ in range(3):
        company.hire(start_date=today - timedelta(days=1))
    mover, target = active[3], active[-1]
    company.move(mover.id, department_id=target.department_id)


@contextmanager
def _bench(slug: str, people: int, today: date, workdir: Path) -> Iterator[Story]:
    config: dict[str, Any] = json.loads((FIXTURES / slug / "sandbox.json").read_text())
    company = SyntheticCompany(seed=11, size=people, today=today)
    faults = Faults()
    receiver = Receiver()
    vendor_app = EMULATORS[slug](company, credentials=config["emulator_credentials"], faults=faults)
    database_url = f"sqlite:///{workdir / 'chaos.db'}"
    with (
        ServerThread(vendor_app) as vendor,
        ServerThread(receiver.app(), probe_path="/probe") as hook,
    ):
        store = open_store(database_url, Keyring.parse(generate_key_setting()))
        tenant = tenants.create_tenant(store, "Chaos", actor="chaos")
        connection = connections.create_connection(
            store,
            tenant_id=tenant.id,
            provider=slug,
            credentials=config["credentials"],
            base_url=vendor.base_url,
            environment="production",
            allow_loopback=True,
            actor="chaos",
        )
        create_destination(
            store,
            tenant.id,
            DestinationSpec(webhook_url=f"{hook.base_url}/hook"),
            allow_loopback=True,
            actor="chaos",
        )
        # Simulated time starts hours behind the wall clock: what the story enqueues is then
        # already due for a `rostersync deliver` subprocess, which reads the real clock.
        clock = SimClock(datetime.now(UTC) - timedelta(hours=5))
        yield Story(
            slug,
            store,
            company,
            faults,
            receiver,
            clock,
            today,
            connection.id,
            database_url,
            config,
        )
        store.engine.dispose()


def tell(slug: str, scenario: Scenario | None, people: int) -> Story:
    today = datetime.now(UTC).date()
    with (
        tempfile.TemporaryDirectory() as workdir,
        _bench(slug, people, today, Path(workdir)) as story,
    ):
        story.sync()
        path = story.config["people_path"]
        story.people_requests = sum(1 for _, seen, _ in story.faults.requests() if seen == path)
        story.deliver()
        _change(story.company, today)
        story.clock.advance(SYNC_INTERVAL)
        before = len(story.statuses)
        if scenario is not None and scenario.during_sync is not None:
            scenario.during_sync(story)
        elif scenario is not None and scenario.during_delivery is not None:
            scenario.during_delivery(story)
        else:
            story.sync()
        story.fault_outcome = story.statuses[before:]
        story.deliver()
        for wait in (SYNC_INTERVAL, timedelta(hours=2)):
            story.settle()
            story.clock.advance(wait)
            story.sync()
            story.deliver()
        story.left_running = story.runs_left_running()
        return story


@dataclass
class Figures:
    scenario: str
    runs: int = 0
    outcomes: dict[str, list[str]] = field(default_factory=dict)
    """What the runs did while the fault lasted, and for which vendors."""
    wrong_deprovisions: int = 0
    lost: int = 0
    duplicates: int = 0
    redelivered: int = 0
    left_running: int = 0

    def add(self, control: Story, faulted: Story) -> None:
        expected, got = control.receiver.person_events(), faulted.receiver.person_events()
        removed_in_control = {p for (kind, p) in expected if kind == "user.deprovision"}
        self.runs += 1
        outcome = " then ".join(faulted.fault_outcome)
        self.outcomes.setdefault(outcome, []).append(faulted.slug)
        self.wrong_deprovisions += sum(
            n
            for (kind, p), n in got.items()
            if kind == "user.deprovision" and p not in removed_in_control
        )
        self.lost += sum((expected - got).values())
        self.duplicates += sum((got - expected).values())
        self.redelivered += faulted.receiver.redelivered()
        self.left_running += faulted.left_running


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--vendors", help="comma-separated slugs (default: every emulator)")
    parser.add_argument("--people", type=int, default=60, help="synthetic people per company")
    args = parser.parse_args(argv)
    # Each fault logs the warning it should; the table is what this prints.
    logging.basicConfig(level=logging.ERROR)
    slugs = args.vendors.split(",") if args.vendors else sorted(EMULATORS)
    unknown = sorted(set(slugs) - set(EMULATORS))
    if unknown:
        parser.error(f"no emulator for {', '.join(unknown)}")
    started = time.monotonic()
    controls = {slug: tell(slug, None, args.people) for slug in slugs}
    table = []
    for scenario in SCENARIOS:
        figures = Figures(scenario.name)
        for slug in slugs if scenario.vendors == "all" else slugs[:1]:
            figures.add(controls[slug], tell(slug, scenario, args.people))
        table.append(figures)
        print(_row(figures), flush=True)
    faults = sum(f.runs for f in table)
    wrong = sum(f.wrong_deprovisions for f in table)
    lost = sum(f.lost for f in table)
    duplicates = sum(f.duplicates for f in table)
    print(
        f"\n{faults} faults over {len(slugs)} vendors in {time.monotonic() - started:.0f} s: "
        f"{wrong} wrong deprovisions, {lost} lost events, {duplicates} duplicates by webhook-id"
    )
    # On Linux ru_maxrss is in KiB: a nested or endless body must not show here.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the service process: {peak:.0f} MiB")
    running = sum(f.left_running for f in table)
    if running:
        print(f"{running} runs were left running")
    return 0 if wrong == lost == duplicates == running == 0 else 1


def _row(figures: Figures) -> str:
    ranked = sorted(figures.outcomes.items(), key=lambda item: -len(item[1]))
    # The usual outcome is counted; a rarer one also names its vendors.
    outcomes = ", ".join(
        f"{len(slugs)} {outcome}" + (f" ({', '.join(slugs)})" if rank else "")
        for rank, (outcome, slugs) in enumerate(ranked)
    )
    return (
        f"{figures.scenario:<18} {figures.runs:>3} runs  wrong removals "
        f"{figures.wrong_deprovisions}  lost {figures.lost}  duplicates {figures.duplicates}  "
        f"redelivered {figures.redelivered}  left running {figures.left_running}  [{outcomes}]"
    )


if __name__ == "__main__":
    sys.exit(main())
