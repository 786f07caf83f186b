from __future__ import annotations

import rostersync.delivery
from tests.exports import assert_exports


def test_exported_members() -> None:
    assert_exports(
        rostersync.delivery,
        {
            "DrainResult",
            "Outcome",
            "RETRY_SCHEDULE",
            "check_webhook_url",
            "deliver_due",
            "next_attempt",
            "signed_headers",
        },
    )
