"""The operator's tenant list: search by name, health (the worst connection state), pages of
50; the same few queries whatever the number of tenants."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from rostersync.services import connections, tenants
from rostersync.store import Store
from tests.conftest import HIBOB_TOKEN, HIBOB_USER
from tests.web.conftest import Dash, visible


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def _names(html: str) -> list[str]:
    _, cells = visible(html)
    return [c.rsplit(" ten_", 1)[0] for c in cells if " ten_" in c]


def test_search_health_and_paging_over_many_tenants(dash: Dash) -> None:
    for n in range(120):
        tenants.create_tenant(dash.store, f"Customer {n:03d}", actor="test")
    dash.harness.sync()
    dash.harness.sandbox.faults.revoke_credentials()
    assert dash.harness.sync().error_code == "auth_revoked"
    dash.sign_in(dash.admin_key)

    first = dash.client.get("/dashboard/tenants")
    assert first.status_code == 200
    names = _names(first.text)
    assert names[:2] == ["Acme", "Customer 000"]
    assert len(names) == 50
    text, cells = visible(first.text)
    assert "121 tenants." in text
    assert "Page 1 of 3" in text
    assert cells[cells.index(names[0] + " " + dash.harness.tenant_id) + 1] == (
        "Needs re-authorisation"
    )
    assert cells[cells.index(names[0] + " " + dash.harness.tenant_id) + 2] == "1"
    assert cells[4] == "Not connected yet"
    last = dash.client.get("/dashboard/tenants", params={"page": 3})
    assert _names(last.text) == [f"Customer {n:03d}" for n in range(99, 120)]

    found = dash.client.get("/dashboard/tenants", params={"q": "customer 11"})
    assert _names(found.text) == [f"Customer {n}" for n in range(110, 120)]
    assert "10 tenants matching “customer 11”." in visible(found.text)[0]
    literal = dash.client.get("/dashboard/tenants", params={"q": "%"})
    assert _names(literal.text) == []  # a wildcard is searched for, not expanded


def test_the_tenant_list_costs_the_same_queries_for_10_or_120_tenants(dash: Dash) -> None:
    dash.sign_in(dash.admin_key)

    def queries() -> int:
        with statements(dash.store) as seen:
            assert dash.client.get("/dashboard/tenants").status_code == 200
        return len(seen)

    def add_tenants(prefix: str, count: int) -> None:
        """Each with a connection: a query per tenant or per connection would show."""
        for n in range(count):
            tenant = tenants.create_tenant(dash.store, f"{prefix} {n}", actor="test")
            connections.create_connection(
                dash.store,
                tenant_id=tenant.id,
                provider="hibob",
                credentials={"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN},
                base_url=dash.harness.sandbox.base_url,
                environment="production",
                allow_loopback=True,
                actor="test",
            )

    add_tenants("Small", 9)
    few = queries()
    add_tenants("Large", 110)
    assert queries() == few


def test_a_tenant_key_has_no_tenant_list(dash: Dash) -> None:
    assert dash.client.get("/dashboard/tenants").status_code == 404
    dash.client.cookies.clear()
    assert dash.client.get("/dashboard/tenants").status_code == 404
