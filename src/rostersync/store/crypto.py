"""Field encryption at rest: AES-256-GCM under versioned master keys, and an HMAC blind index.

Each master key version yields two sub-keys through HKDF, one to encrypt and one for the blind
index, so a leaked index key never decrypts anything. Ciphertexts carry their key version
(`v<N>.<base64(nonce | ciphertext)>`), so old versions keep decrypting until `keys rotate` has
re-encrypted everything under the newest one. The associated data binds a ciphertext to its
column, so a value copied into another column does not decrypt there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rostersync.model import normalise_email
from rostersync.store.errors import DecryptionError, KeyConfigError

_NONCE_BYTES = 12
_KEY_BYTES = 32


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=None, info=purpose).derive(
        master
    )


class Keyring:
    """The configured master key versions; the highest one encrypts."""

    def __init__(
        self, master_keys: Mapping[int, bytes], *, reload: Callable[[], Keyring] | None = None
    ) -> None:
        self._reload = reload
        self._load(master_keys)

    def _load(self, master_keys: Mapping[int, bytes]) -> None:
        if not master_keys:
            raise KeyConfigError("no master key configured")
        for version, key in master_keys.items():
            if len(key) != _KEY_BYTES:
                raise KeyConfigError(f"master key version {version} must be 32 bytes")
        self._masters = dict(master_keys)
        self._aead = {
            v: AESGCM(_derive(k, b"rostersync field encryption")) for v, k in master_keys.items()
        }
        self._index_keys = {
            v: _derive(k, b"rostersync blind index") for v, k in master_keys.items()
        }
        self._fingerprint_key = _derive(
            master_keys[max(master_keys)], b"rostersync record fingerprint"
        )
        self.current_version = max(master_keys)

    def __repr__(self) -> str:
        return f"Keyring(versions={sorted(self._aead)})"

    @property
    def versions(self) -> tuple[int, ...]:
        return tuple(sorted(self._aead))

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead[self.current_version].encrypt(
            nonce, plaintext.encode(), context.encode()
        )
        return f"v{self.current_version}.{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, context: str) -> str:
        version_text, _, body = token.partition(".")
        try:
            version = int(version_text.removeprefix("v"))
            raw = base64.b64decode(body, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise DecryptionError(f"malformed ciphertext in {context}") from exc
        if version not in self._aead and self._reload is not None:
            # Another process rotated the key file: pick up the new version, then carry on.
            self._load(self._reload()._masters)
        aead = self._aead.get(version)
        if aead is None:
            raise DecryptionError(
                f"{context} is encrypted under key version {version}, not configured"
            )
        try:
            return aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode()).decode()
        except InvalidTag as exc:
            raise DecryptionError(f"{context} does not decrypt with key version {version}") from exc

    def key_version_of(self, token: str) -> int:
        return int(token.partition(".")[0].removeprefix("v"))

    def derive(self, purpose: str) -> bytes:
        """A key for another use (signing sessions), from the current master key version."""
        return _derive(self._masters[self.current_version], f"rostersync {purpose}".encode())

    def blind_index(self, value: str) -> str:
        """HMAC-SHA256 of a normalised email (current index key; recomputed on rotation)."""
        digest = hmac.new(
            self._index_keys[self.current_version], normalise_email(value).encode(), hashlib.sha256
        )
        return digest.hexdigest()

    def fingerprint(self, canonical: str) -> str:
        """A keyed digest (HMAC-SHA256, current key version) of a record's canonical form:
        equal fingerprints mean equal records, so a re-sync compares people without decrypting
        them, and the digest says nothing about the values to anyone without the key. A
        fingerprint made under an older key version differs, which costs a decryption, never a
        wrong answer."""
        digest = hmac.new(self._fingerprint_key, canonical.encode(), hashlib.sha256)
        return f"v{self.current_version}.{digest.hexdigest()}"

    @classmethod
    def parse(cls, setting: str) -> Keyring:
        """`<b64>` (version 1) or `1:<b64>,2:<b64>`."""
        keys: dict[int, bytes] = {}
        for part in filter(None, (p.strip() for p in setting.split(","))):
            version_text, sep, encoded = part.rpartition(":")
            try:
                version = int(version_text) if sep else 1
                keys[version] = base64.b64decode(encoded, validate=True)
            except (ValueError, binascii.Error) as exc:
                raise KeyConfigError(
                    "ROSTERSYNC_MASTER_KEY must be base64 of 32 bytes, or `1:<b64>,2:<b64>`"
                ) from exc
        return cls(keys)

    def serialise(self) -> str:
        return ",".join(f"{v}:{base64.b64encode(self._masters[v]).decode()}" for v in self.versions)


def generate_key_setting() -> str:
    return f"1:{base64.b64encode(secrets.token_bytes(_KEY_BYTES)).decode()}"


def _write_private(path: Path, text: str) -> None:
    """Write atomically, readable by the owner only, never briefly world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    os.replace(temporary, path)


def load_key_file(path: Path) -> Keyring:
    def reload() -> Keyring:
        return Keyring.parse(path.read_text().strip())

    return Keyring(reload()._masters, reload=reload)


def load_or_create_key_file(path: Path) -> Keyring:
    """The demo's key: generated once into the data directory, readable by the owner only."""
    if not path.exists():
        _write_private(path, generate_key_setting())
    return load_key_file(path)


def add_key_version(path: Path) -> int:
    """Append a new, highest key version to a key file; returns that version."""
    ring = Keyring.parse(path.read_text().strip())
    version = ring.current_version + 1
    new_key = base64.b64encode(secrets.token_bytes(_KEY_BYTES)).decode()
    _write_private(path, f"{ring.serialise()},{version}:{new_key}")
    return version
