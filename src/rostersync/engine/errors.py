"""Errors the engine raises itself.

EngineError(RostersyncError)
└── ConnectionNotActive   the connection needs reauth or was disconnected: no sync
"""

from __future__ import annotations

from rostersync.errors import RostersyncError, Terminal


class EngineError(RostersyncError):
    code = "engine_error"


class ConnectionNotActive(EngineError, Terminal):
    code = "connection_not_active"


class RunHeld(EngineError, Terminal):
    code = "run_held"


class NotHeld(EngineError, Terminal):
    code = "not_held"
