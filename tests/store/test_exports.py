from __future__ import annotations

import rostersync.store
from tests.exports import assert_exports


def test_exported_members() -> None:
    assert_exports(
        rostersync.store,
        {
            "DecryptionError",
            "KeyConfigError",
            "Keyring",
            "NotFound",
            "Store",
            "StoreError",
            "open_store",
        },
    )
