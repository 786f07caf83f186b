"""A re-sync compares people by keyed fingerprint: it decrypts only who changed (issue 13)."""

from __future__ import annotations

import base64
import os
from collections import Counter

import pytest
from sqlalchemy import func, select, update

from rostersync.model import ActionKind
from rostersync.sandbox.company import PersonStatus
from rostersync.store import Keyring, Store
from rostersync.store.session import transaction
from rostersync.store.tables import Person
from tests.conftest import Harness


def _count_decryptions(keyring: Keyring, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many people's fields the keyring decrypts from now on, by column."""
    counts: Counter[str] = Counter()
    decrypt = keyring.decrypt

    def counting(token: str, *, context: str) -> str:
        if context.startswith("people."):
            counts[context] += 1
        return decrypt(token, context=context)

    monkeypatch.setattr(keyring, "decrypt", counting)
    return counts


@pytest.fixture
def decrypted(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    return _count_decryptions(harness.store.keyring, monkeypatch)


def _a_mover(harness: Harness) -> str:
    company = harness.sandbox.company
    mover = next(p for p in company.people() if p.status is PersonStatus.ACTIVE and p.work_email)
    other = next(d.id for d in company.departments if d.id != mover.department_id)
    company.move(mover.id, department_id=other)
    return mover.id


def test_an_unchanged_resync_decrypts_no_one(harness: Harness, decrypted: Counter[str]) -> None:
    harness.sync()
    decrypted.clear()
    report = harness.sync()
    assert report.ok
    assert report.actions == ()
    assert decrypted == Counter()


def test_a_resync_decrypts_only_who_changed_and_still_sees_the_change(
    harness: Harness, decrypted: Counter[str]
) -> None:
    harness.sync()
    mover = _a_mover(harness)
    decrypted.clear()
    report = harness.sync()
    assert [(a.kind, a.remote_id) for a in report.actions] == [(ActionKind.UPDATE, mover)]
    assert decrypted["people.first_name"] == 1
    decrypted.clear()
    assert harness.sync().actions == ()
    assert decrypted == Counter()


def test_rows_without_a_fingerprint_are_compared_in_full_once_then_fingerprinted(
    harness: Harness, decrypted: Counter[str]
) -> None:
    """Rows written before fingerprints existed: the same plan, then no more decryption."""
    harness.sync()
    with transaction(harness.store.sessions) as session:
        session.execute(update(Person).values(fingerprint=None))
        stored = session.scalar(select(func.count()).select_from(Person)) or 0
    decrypted.clear()
    assert harness.sync().actions == ()
    assert decrypted["people.first_name"] == stored > 0
    decrypted.clear()
    assert harness.sync().actions == ()
    assert decrypted == Counter()


def test_a_new_key_version_costs_one_full_comparison_never_a_wrong_plan(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.sync()
    newer = Keyring.parse(f"{harness.store.keyring.serialise()},2:{_random_key()}")
    rotated = Harness(
        Store(harness.store.engine, harness.store.sessions, newer),
        harness.sandbox,
        harness.tenant_id,
        harness.connection_id,
    )
    mover = _a_mover(rotated)
    report = rotated.sync()
    assert [(a.kind, a.remote_id) for a in report.actions] == [(ActionKind.UPDATE, mover)]
    decrypted = _count_decryptions(newer, monkeypatch)
    assert rotated.sync().actions == ()
    assert decrypted == Counter()


def _random_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_fingerprints_are_keyed() -> None:
    one, two = (Keyring.parse(_random_key()) for _ in range(2))
    assert one.fingerprint("x") == one.fingerprint("x") != one.fingerprint("y")
    assert one.fingerprint("x") != two.fingerprint("x")
