"""The commands the CLI gained for parity with the API, run as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from rostersync.store.crypto import generate_key_setting
from tests.cli.test_cli import CREDENTIALS, rostersync
from tests.conftest import Sandbox

SCIM_TOKEN = "scim-bearer-not-shown"


def test_destinations_connections_links_and_audit(hibob: Sandbox, tmp_path: Path) -> None:
    env = {
        "ROSTERSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ROSTERSYNC_MASTER_KEY": generate_key_setting(),
    }
    tenant = rostersync("tenants", "create", "Acme", env=env).stdout.strip()
    scim = rostersync(
        "destinations",
        "create",
        "--tenant",
        tenant,
        "--scim-url",
        "https://93.184.216.34/scim/v2",
        "--event-type",
        "user.provision",
        "--json",
        env={**env, "ROSTERSYNC_SCIM_TOKEN": SCIM_TOKEN},
    )
    assert scim.returncode == 0, scim.stderr
    listed = rostersync("destinations", "list", "--tenant", tenant, "--json", env=env)
    (destination,) = json.loads(listed.stdout)
    assert destination["kind"] == "scim"
    assert destination["options"] == {"event_types": ["user.provision"]}
    assert SCIM_TOKEN not in scim.stdout + listed.stdout

    created = rostersync(
        "connections",
        "create",
        "--tenant",
        tenant,
        "--provider",
        "hibob",
        *CREDENTIALS,
        "--base-url",
        hibob.base_url,
        "--environment",
        "staging",
        "--json",
        env=env,
    )
    connection_id = json.loads(created.stdout)["id"]
    promoted = rostersync("connections", "promote", connection_id, env=env)
    assert promoted.returncode == 0, promoted.stderr
    shown = json.loads(rostersync("connections", "show", connection_id, "--json", env=env).stdout)
    assert shown["environment"] == "production"
    assert "credentials" not in shown
    status = rostersync("connections", "sync-status", connection_id, "--json", env=env)
    assert json.loads(status.stdout)["status"] == "SYNCING"

    link = rostersync(
        "links", "create", "--tenant", tenant, "--reconnect", connection_id, "--json", env=env
    )
    assert json.loads(link.stdout)["reconnect"] == connection_id

    audit = rostersync("audit", "list", "--tenant", tenant, "--json", env=env)
    actions = [entry["action"] for entry in json.loads(audit.stdout)]
    for action in (
        "destination.created",
        "connection.created",
        "connection.promoted",
        "connect_link.created",
    ):
        assert action in actions
    assert SCIM_TOKEN not in audit.stdout
