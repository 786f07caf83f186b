"""`rostersync keys rotate`: everything re-encrypted under a new version, nothing lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from rostersync.model import Employee, EmploymentStatus, StoredPerson
from rostersync.store import Store, open_store
from rostersync.store.crypto import generate_key_setting, load_key_file, load_or_create_key_file
from rostersync.store.repos import connections, destinations, people, staging, tenants
from rostersync.store.rotation import version_counts
from rostersync.store.session import transaction
from rostersync.store.tables import Connection, Tenant
from tests.store.test_repos import NOW


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    env["ROSTERSYNC_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "rostersync", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _employee(remote_id: str, first: str, last: str) -> Employee:
    return Employee(
        remote_id=remote_id,
        first_name=first,
        last_name=last,
        work_email=f"{first.lower()}@example.com",
        employment_status=EmploymentStatus.ACTIVE,
    )


def _staged_connection(
    store: Store, session: Session, person: Employee, run_id: str
) -> tuple[Tenant, Connection]:
    """A tenant's HiBob connection with `person` staged by run `run_id`, not yet published."""
    tenant = tenants.create_tenant(session, "Acme")
    connection = connections.create_connection(
        session,
        store.keyring,
        tenant_id=tenant.id,
        provider="hibob",
        credentials={"service_user_id": "S", "service_user_token": "T"},
    )
    row = [StoredPerson(person, True, False)]
    people.stage_people(session, store.keyring, connection, run_id, row, NOW)
    return tenant, connection


def test_rotate_reencrypts_everything_and_a_running_process_keeps_reading(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    running = load_or_create_key_file(key_file)  # a server process that loaded the old key
    store = open_store(f"sqlite:///{tmp_path / 'rostersync.db'}", running)
    ada = _employee("1", "Ada", "Lovelace")
    with transaction(store.sessions) as session:
        tenant, connection = _staged_connection(store, session, ada, "run_setup")
        staging.publish(session, "run_setup")
        destinations.create_webhook(
            session, store.keyring, tenant_id=tenant.id, url="https://e.x/h"
        )
        connection_id = connection.id
        index_before = session.scalar(text("SELECT work_email_index FROM people"))

    result = _cli("keys", "rotate", "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["current_version"] == 2
    assert key_file.stat().st_mode & 0o777 == 0o600

    status = json.loads(_cli("keys", "status", "--json", data_dir=tmp_path).stdout)
    assert all(set(counts) <= {"2"} for counts in status["columns"].values())
    assert status["columns"]["people.first_name"] == {"2": 1}

    # The process that still holds version 1 only reads the new ciphertexts after a reload.
    with transaction(store.sessions) as session:
        current = connections.get_connection(session, connection_id, tenant_id=None)
        state = people.load_state(session, store.keyring, current)
        assert connections.read_credentials(store.keyring, current)["service_user_token"] == "T"
    assert state.people["1"].employee == ada
    assert store.keyring.current_version == 2
    assert version_counts(store)["people.work_email"] == {2: 1}
    with transaction(store.sessions) as session:
        index_after = session.scalar(text("SELECT work_email_index FROM people"))
    assert index_after == store.keyring.blind_index("ADA@example.com") != index_before


def test_rotate_with_a_single_environment_key_says_what_to_do(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    env["ROSTERSYNC_MASTER_KEY"] = generate_key_setting()
    env["ROSTERSYNC_DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "rostersync", "keys", "rotate"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "1:<old>,2:<new>" in result.stderr


def test_rotate_reseals_an_applying_runs_staged_people_for_their_live_table(
    tmp_path: Path,
) -> None:
    """Staged ciphertexts are published as they are: sealed under the old key, they would turn
    unreadable once that key is removed because `keys status` showed it unused."""
    key_file = tmp_path / "master.key"
    store = open_store(f"sqlite:///{tmp_path / 'rostersync.db'}", load_or_create_key_file(key_file))
    grace = _employee("2", "Grace", "Hopper")
    with transaction(store.sessions) as session:
        _tenant, connection = _staged_connection(store, session, grace, "run_applying")
        connection_id = connection.id

    result = _cli("keys", "rotate", "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    status = json.loads(_cli("keys", "status", "--json", data_dir=tmp_path).stdout)
    assert status["columns"]["staged_people.first_name"] == {"2": 1}
    assert all(set(counts) <= {"2"} for counts in status["columns"].values())

    # Only the new version from here on: the old one is gone, as an operator would remove it.
    key_file.write_text(key_file.read_text().strip().split(",")[1])
    only_new = open_store(f"sqlite:///{tmp_path / 'rostersync.db'}", load_key_file(key_file))
    assert only_new.keyring.versions == (2,)
    with transaction(only_new.sessions) as session:
        staging.publish(session, "run_applying")
        current = connections.get_connection(session, connection_id, tenant_id=None)
        state = people.load_state(session, only_new.keyring, current)
    assert state.people["2"].employee == grace
