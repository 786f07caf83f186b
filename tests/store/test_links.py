"""Connect links in the store: hashed, expiring, used once even when two confirm at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rostersync.services import tenants
from rostersync.store import Store
from rostersync.store.repos import links
from rostersync.store.session import transaction
from rostersync.store.tables import ConnectLink


def test_a_link_is_valid_until_used_or_expired(store: Store) -> None:
    tenant = tenants.create_tenant(store, "Acme", actor="test")
    now = datetime.now(UTC)
    with transaction(store.sessions) as session:
        link, token = links.create_link(
            session,
            tenant_id=tenant.id,
            environment="staging",
            expires_at=now + timedelta(hours=1),
            created_by="test",
        )
        link_id = link.id
    with transaction(store.sessions) as session:
        stored = session.get(ConnectLink, link_id)
        assert stored is not None
        assert token not in stored.token_hash
        assert links.resolve(session, token, at=now).state is links.LinkState.VALID
        assert links.resolve(session, token, at=now + timedelta(hours=2)).state is (
            links.LinkState.EXPIRED
        )
        assert links.resolve(session, token + "x", at=now).state is links.LinkState.UNKNOWN
        assert links.resolve(session, "nope", at=now).state is links.LinkState.UNKNOWN
        assert links.claim(session, link_id, at=now + timedelta(hours=2)) is None
    with transaction(store.sessions) as session:
        assert links.claim(session, link_id, at=now) is not None
    with transaction(store.sessions) as session:
        assert links.claim(session, link_id, at=now) is None
        assert links.resolve(session, token, at=now).state is links.LinkState.USED
        links.release(session, link_id)
        assert links.resolve(session, token, at=now).state is links.LinkState.VALID
