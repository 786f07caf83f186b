"""The use cases every front-end shares: one function each, owning its transaction and its
audit entry, returning plain typed values (frozen dataclasses, pydantic models), never ORM
rows. `cli`, `api`, `web` and `jobs` call these; these call engine, delivery and store.

A `tenant_id=None` argument means "any tenant" and is for operator tools and admin keys only;
a tenant's caller always passes its own, and another tenant's object is then NotFound.
"""

from rostersync.services import (
    accounts,
    apikeys,
    approvals,
    audit,
    connections,
    dashboard,
    deliveries,
    destinations,
    keys,
    links,
    pull,
    runs,
    stores,
    tenants,
)

__all__ = [
    "accounts",
    "apikeys",
    "approvals",
    "audit",
    "connections",
    "dashboard",
    "deliveries",
    "destinations",
    "keys",
    "links",
    "pull",
    "runs",
    "stores",
    "tenants",
]
