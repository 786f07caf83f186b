"""Every connector carries its set-up guide as data, for the connect flow to render."""

from __future__ import annotations

import pytest

from rostersync.connectors import CONNECTORS
from tests.connectors.conftest import SLUGS


@pytest.mark.parametrize("slug", SLUGS)
def test_each_connector_has_a_complete_setup_guide(slug: str) -> None:
    guide = CONNECTORS[slug].guide
    assert guide.summary
    assert len(guide.steps) >= 2
    assert guide.grant
    assert guide.do_not_grant
    assert all(url.startswith("https://") for url in guide.sources)
    assert guide.sources, f"{slug}: say where the steps come from"


@pytest.mark.parametrize("slug", SLUGS)
def test_credential_fields_say_which_are_secret(slug: str) -> None:
    fields = CONNECTORS[slug].credential_fields
    assert fields
    assert any(f.secret for f in fields), f"{slug}: some credential must be secret"
    assert len({f.name for f in fields}) == len(fields)
