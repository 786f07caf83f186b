"""The use cases every front-end shares: one function each, owning its transaction and its
audit entry, returning plain typed values (frozen dataclasses, pydantic models), never ORM
rows. `cli`, `api`, `web` and `jobs` call these; these call engine, delivery and store.

A `tenant_id=None` argument means "any tenant" and is for operator tools and admin keys only;
a tenant's caller always passes its own, and another tenant's object is then NotFound.
"""

from typing import TYPE_CHECKING

from rostersync.lazy import exports

if TYPE_CHECKING:
    from rostersync.services import (
        accounts,
        apikeys,
        approvals,
        audit,
        branding,
        connections,
        dashboard,
        deliveries,
        destinations,
        handoff,
        keys,
        links,
        oauth,
        pull,
        run_detail,
        runs,
        schedule,
        stores,
        tenants,
    )

__getattr__ = exports(
    __name__,
    {
        "accounts": ("accounts",),
        "apikeys": ("apikeys",),
        "approvals": ("approvals",),
        "audit": ("audit",),
        "branding": ("branding",),
        "connections": ("connections",),
        "dashboard": ("dashboard",),
        "deliveries": ("deliveries",),
        "destinations": ("destinations",),
        "handoff": ("handoff",),
        "keys": ("keys",),
        "links": ("links",),
        "oauth": ("oauth",),
        "pull": ("pull",),
        "run_detail": ("run_detail",),
        "runs": ("runs",),
        "schedule": ("schedule",),
        "stores": ("stores",),
        "tenants": ("tenants",),
    },
)

__all__ = [
    "accounts",
    "apikeys",
    "approvals",
    "audit",
    "branding",
    "connections",
    "dashboard",
    "deliveries",
    "destinations",
    "handoff",
    "keys",
    "links",
    "oauth",
    "pull",
    "run_detail",
    "runs",
    "schedule",
    "stores",
    "tenants",
]
