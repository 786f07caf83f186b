"""Field encryption: AES-GCM with key versions and column binding; the blind index."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from rostersync.store import DecryptionError, KeyConfigError, Keyring
from rostersync.store.crypto import generate_key_setting


def test_round_trip_and_ciphertext_hides_the_value(keyring: Keyring) -> None:
    token = keyring.encrypt("ada@example.com", context="people.work_email")
    # Whole values only: a three-letter name turns up by chance in random base64 or hex.
    assert "ada@example.com" not in token
    assert base64.b64encode(b"ada@example.com").decode()[:12] not in token
    assert keyring.decrypt(token, context="people.work_email") == "ada@example.com"


def test_same_value_encrypts_differently_each_time(keyring: Keyring) -> None:
    assert keyring.encrypt("x", context="c") != keyring.encrypt("x", context="c")


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(keyring: Keyring) -> None:
    token = keyring.encrypt("Ada", context="people.first_name")
    with pytest.raises(DecryptionError):
        keyring.decrypt(token, context="people.last_name")


def test_tampered_ciphertext_is_refused(keyring: Keyring) -> None:
    version, _, body = keyring.encrypt("Ada", context="c").partition(".")
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(DecryptionError):
        keyring.decrypt(f"{version}.{base64.b64encode(bytes(raw)).decode()}", context="c")


def test_old_versions_decrypt_after_a_new_key_is_added() -> None:
    old_setting = generate_key_setting()
    old = Keyring.parse(old_setting)
    token = old.encrypt("Ada", context="c")
    new_key = base64.b64encode(b"k" * 32).decode()
    both = Keyring.parse(f"{old_setting},2:{new_key}")
    assert both.current_version == 2
    assert both.decrypt(token, context="c") == "Ada"
    assert both.encrypt("Ada", context="c").startswith("v2.")


def test_blind_index_matches_case_insensitively_and_hides_the_email(keyring: Keyring) -> None:
    index = keyring.blind_index(" Ada@Example.com ")
    assert index == keyring.blind_index("ada@example.com")
    assert re.fullmatch("[0-9a-f]{64}", index)
    assert index != hashlib.sha256(b"ada@example.com").hexdigest()
    assert index != Keyring.parse(generate_key_setting()).blind_index("ada@example.com")


@pytest.mark.parametrize("setting", ["", "not base64!", "1:" + base64.b64encode(b"short").decode()])
def test_bad_key_settings_say_what_is_expected(setting: str) -> None:
    with pytest.raises(KeyConfigError):
        Keyring.parse(setting)
