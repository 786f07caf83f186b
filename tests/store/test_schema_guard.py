"""No table may gain a column that holds people data outside the allowlist.

Every column of every table (as the migrations really create them) must be listed here; the
people, group and location columns must be exactly the model's allowlist plus bookkeeping.
Adding a column therefore means deciding here, in review, that it holds no personal data.
"""

from __future__ import annotations

from sqlalchemy import inspect

from rostersync.model import RecordType, field_names
from rostersync.store import Store

BOOKKEEPING = {"id", "tenant_id", "connection_id", "modified_at"}
PEOPLE_EXTRA = {
    "work_email_index",
    "fingerprint",  # a keyed digest of the row: no value can be read back from it
    "provisioned",
    "remote_was_deleted",
    "account_id",
    "deprovisioned_on",
    "account_deleted",
    "access_seq",
    "missing_since",
}

NON_PEOPLE_TABLES = {
    "alembic_version": {"version_num"},
    "tenants": {"id", "name", "timezone", "created_at"},
    # The product's brand; support_contact is the product's public help address (every link
    # of the tenant shows it), not an employee's.
    "tenant_branding": {
        "tenant_id",
        "product_name",
        "primary_colour",
        "accent_colour",
        "support_contact",
        "logo",
        "logo_type",
        "logo_digest",
        "modified_at",
    },
    "connections": {
        "id",
        "tenant_id",
        "provider",
        "environment",
        "base_url",
        "credentials",
        "status",
        "status_reason",
        "policy",
        "account_token_hash",
        "created_at",
        "last_sync_at",
    },
    "sync_runs": {
        "id",
        "tenant_id",
        "connection_id",
        "status",
        "dry_run",
        "started_at",
        "finished_at",
        "error_code",
        "error_message",
        "counts",
        "report",
        "held_plan",
        "decided_by",
        "heartbeat_at",
        "applying_since",
    },
    "actions": {
        "id",
        "tenant_id",
        "connection_id",
        "run_id",
        "kind",
        "remote_id",
        "rule",
        "changed_fields",
        "from_status",
        "to_status",
        "account_id",
        "cause",
        "created_at",
    },
    "destinations": {
        "id",
        "tenant_id",
        "kind",
        "url",
        "url_query",
        "secret",
        "previous_secret",
        "previous_secret_until",
        "environment",
        "enabled",
        "options",
        "created_at",
    },
    "delivery_attempts": {
        "id",
        "tenant_id",
        "outbox_id",
        "destination_id",
        "at",
        "status_code",
        "duration_ms",
        "error",
    },
    "connect_links": {
        "id",
        "tenant_id",
        "environment",
        "token_hash",
        "expires_at",
        "used_at",
        "connection_id",
        "created_by",
        "revoked_at",
        "created_at",
        "redirect_url",
        "allowed_origin",
        "return_state",
    },
    "handoff_codes": {
        "id",
        "tenant_id",
        "link_id",
        "connection_id",
        "code_hash",
        "expires_at",
        "used_at",
        "created_at",
    },
    "outbox": {
        "sequence",
        "id",
        "tenant_id",
        "destination_id",
        "event_type",
        "subject",
        "payload",
        "status",
        "lease_until",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
    },
    "api_keys": {
        "id",
        "tenant_id",
        "name",
        "secret_hash",
        "created_at",
        "last_used_at",
        "revoked_at",
    },
    "ended_sessions": {"nonce", "expires_at"},
    # A hashed random state per OAuth consent: nothing about anyone.
    "oauth_grants": {"state_hash", "link_id", "provider", "expires_at", "used_at", "created_at"},
    "key_checks": {"version", "token"},
    "audit_log": {"id", "tenant_id", "actor", "action", "target", "at", "details"},
    "product_accounts": {
        "id",
        "tenant_id",
        "account_id",
        "email_index",
        "external_id",
        "created_at",
    },
}


STAGING = {"staged_seq", "run_id"}
"""A staged twin's own columns: the order rows were staged in and the run staging them."""


def test_every_column_is_accounted_for(store: Store) -> None:
    people = set(field_names(RecordType.EMPLOYEE)) | BOOKKEEPING | PEOPLE_EXTRA
    expected = {
        **NON_PEOPLE_TABLES,
        # A run's rows before it is published (store.repos.staging): the live columns.
        "staged_people": people - {"id"} | STAGING,
        "staged_actions": NON_PEOPLE_TABLES["actions"] | STAGING,
        "staged_outbox": NON_PEOPLE_TABLES["outbox"] - {"sequence"} | STAGING,
        "people": people,
        "groups": set(field_names(RecordType.GROUP)) | BOOKKEEPING,
        "locations": set(field_names(RecordType.LOCATION)) | BOOKKEEPING,
    }
    inspector = inspect(store.engine)
    actual = {
        table: {column["name"] for column in inspector.get_columns(table)}
        for table in inspector.get_table_names()
    }
    assert set(actual) == set(expected), "a table was added or removed: list its columns here"
    for table, columns in actual.items():
        assert columns == expected[table], f"{table}: {columns ^ expected[table]}"
