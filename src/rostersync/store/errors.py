"""Errors of the store layer.

StoreError(RostersyncError)
├── KeyConfigError     master key missing or malformed
├── DecryptionError    a value cannot be decrypted with any configured key version
└── NotFound           no such object for this tenant (never says whether it exists elsewhere)
"""

from __future__ import annotations

from rostersync.errors import ExitCode, RostersyncError, Terminal


class StoreError(RostersyncError):
    code = "store_error"
    http_status = 500
    exit_code = ExitCode.ERROR


class KeyConfigError(StoreError, Terminal):
    code = "key_config"
    http_status = 500
    exit_code = ExitCode.BAD_INPUT


class DecryptionError(StoreError, Terminal):
    code = "decryption_failed"
    http_status = 500
    exit_code = ExitCode.ERROR


class NotFound(StoreError, Terminal):
    code = "not_found"
    http_status = 404
    exit_code = ExitCode.BAD_INPUT

    def __init__(self, kind: str, object_id: str) -> None:
        super().__init__(f"{kind} {object_id!r} not found")
        self.kind = kind
        self.object_id = object_id
