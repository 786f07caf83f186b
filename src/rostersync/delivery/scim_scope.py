"""What a SCIM destination is sent, and the group names its users need, apart from scim.py:
scim2-client takes about two seconds to import, which every CLI command that never pushes to
a SCIM server would otherwise pay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rostersync.store.tables import OrgGroup

HANDLED_EVENTS = frozenset({"user.provision", "user.update", "user.deprovision", "user.delete"})
"""Connection events (needs_reauth, sync.held) have no SCIM counterpart."""


@dataclass(frozen=True, slots=True)
class OrgUnit:
    group_type: str
    name: str


GroupLookup = Callable[[str], Mapping[str, OrgUnit]]
"""A connection id to its groups by remote id (the event carries group ids, not names)."""


def load_groups(session: Session, *, tenant_id: str, connection_id: str) -> dict[str, OrgUnit]:
    rows = session.scalars(
        select(OrgGroup).where(
            OrgGroup.tenant_id == tenant_id, OrgGroup.connection_id == connection_id
        )
    )
    return {row.remote_id: OrgUnit(row.group_type, row.name) for row in rows}
