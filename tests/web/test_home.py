"""The dashboard's home page: held runs however old, the next sync the scheduler will
really start, and how delivery to each destination goes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from starlette.requests import Request
from starlette.responses import Response

from rostersync.jobs import due_connections
from rostersync.services import deliveries, destinations
from rostersync.services.destinations import DestinationSpec
from rostersync.store.repos import connections
from rostersync.store.session import transaction
from tests.conftest import hook_receiver
from tests.web.conftest import SYNC_INTERVAL, Dash, visible


def _cell_after(html: str, provider_cell: str, column: int) -> str:
    """The text of one column of the connections row that starts with `provider_cell`."""
    _, cells = visible(html)
    start = next(i for i, c in enumerate(cells) if c.startswith(provider_cell))
    return cells[start + column]


def test_a_held_run_is_shown_after_more_than_twenty_later_runs(dash: Dash) -> None:
    held = dash.hold_a_run()
    for _ in range(25):  # previews still run while a run is held
        assert dash.harness.sync(dry_run=True).status == "previewed"

    html = dash.home()
    text, _ = visible(html)
    assert "Held for your approval" in text
    assert f"/dashboard/runs/{held}/approve" in html
    assert held not in re.findall(
        r"run_[0-9a-f]+", html.split('id="runs"')[1]
    )  # not in the last 20
    next_sync = _cell_after(html, f"hibob {dash.harness.connection_id}", 4)
    assert next_sync == "Paused: held — needs approval"
    assert due_connections(dash.store, interval=timedelta(0)) == []


def test_next_sync_is_the_last_sync_plus_the_real_interval(dash: Dash) -> None:
    connection = f"hibob {dash.harness.connection_id}"
    assert _cell_after(dash.home(), connection, 4) == "Due now"
    assert dash.harness.sync().status == "succeeded"
    with transaction(dash.store.sessions) as session:
        row = connections.get_connection(session, dash.harness.connection_id, tenant_id=None)
        last = row.last_sync_at
    assert last is not None
    expected = (last + SYNC_INTERVAL).strftime("%Y-%m-%d %H:%M UTC")
    assert _cell_after(dash.home(), connection, 4) == f"Scheduled for {expected}"
    # The scheduler agrees: not due before then, due from then on.
    assert due_connections(dash.store, interval=SYNC_INTERVAL) == []
    later = last + SYNC_INTERVAL
    assert due_connections(dash.store, interval=SYNC_INTERVAL, now=later) == [
        dash.harness.connection_id
    ]


def test_refused_credentials_pause_the_next_sync(dash: Dash) -> None:
    dash.harness.sync()
    dash.harness.sandbox.faults.revoke_credentials()
    assert dash.harness.sync().error_code == "auth_revoked"
    html = dash.home()
    row = f"hibob {dash.harness.connection_id}"
    assert _cell_after(html, row, 2).startswith("Needs re-authorisation")
    assert _cell_after(html, row, 4) == "Paused: needs re-authorisation"
    assert "no longer accepts the credentials" in _cell_after(html, row, 5)
    assert "needs_reauth" not in visible(html)[0]


class _Receiver:
    def __init__(self, status: int) -> None:
        self.status = status

    async def handle(self, _request: Request) -> Response:
        return Response(status_code=self.status)


@pytest.fixture
def receivers() -> Iterator[dict[int, str]]:
    """Webhook receivers on 127.0.0.1 answering 204, 500 and 410."""
    with (
        hook_receiver(_Receiver(204).handle) as ok,
        hook_receiver(_Receiver(500).handle) as failing,
        hook_receiver(_Receiver(410).handle) as gone,
    ):
        yield {204: ok, 500: failing, 410: gone}


def test_delivery_health_per_destination(dash: Dash, receivers: dict[int, str]) -> None:
    tenant = dash.harness.tenant_id
    for url in receivers.values():
        spec = DestinationSpec(webhook_url=url)
        destinations.create_destination(dash.store, tenant, spec, allow_loopback=True, actor="t")
    before = datetime.now(UTC)
    report = dash.harness.sync()
    events = report.counts["provision"] + 1  # and connection.synced
    summary = deliveries.deliver_now(dash.store, allow_loopback=True)
    assert summary.delivered >= events

    _, cells = visible(dash.home())

    def row(status: int) -> list[str]:
        """Destination, environment, state, waiting, last success, failures."""
        first = cells.index(f"Webhook {receivers[status]}")
        return cells[first : first + 6]

    ok, failing, gone = row(204), row(500), row(410)
    assert (ok[2], ok[3], ok[5]) == ("Sending", "0", "0")
    assert ok[4] >= before.strftime("%Y-%m-%d %H:%M UTC")
    assert failing[2] == "Sending"
    assert int(failing[3]) == events  # each waits for its retry
    assert int(failing[5]) >= 1
    assert failing[4] == "never"
    assert gone[2] == "Stopped: the receiver answered 410 Gone"
