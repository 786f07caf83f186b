from __future__ import annotations

import rostersync.services
from tests.exports import assert_exports


def test_exported_members() -> None:
    assert_exports(
        rostersync.services,
        {
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
        },
    )
