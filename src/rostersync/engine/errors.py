"""Errors the engine raises itself.

EngineError(RostersyncError)
├── ConnectionNotActive   the connection needs reauth or was disconnected: no sync
├── RunHeld               a held run awaits a decision: no sync until it gets one
├── NotHeld               an approval for a run that is not held
├── RunAbandoned          the run's process stopped without finishing it (crash, kill, OOM)
└── RunCrashed            something we did not foresee stopped the run: named by type only
"""

from __future__ import annotations

from rostersync.errors import ExitCode, Retryable, RostersyncError, Terminal


class EngineError(RostersyncError):
    code = "engine_error"
    http_status = 500
    exit_code = ExitCode.ERROR


class ConnectionNotActive(EngineError, Terminal):
    code = "connection_not_active"
    http_status = 409
    exit_code = ExitCode.BAD_INPUT


class RunHeld(EngineError, Terminal):
    code = "run_held"
    http_status = 409
    exit_code = ExitCode.ERROR


class NotHeld(EngineError, Terminal):
    code = "not_held"
    http_status = 409
    exit_code = ExitCode.BAD_INPUT


class RunAbandoned(EngineError, Retryable):
    code = "run_abandoned"
    http_status = 503
    exit_code = ExitCode.ERROR


class RunCrashed(EngineError):
    code = "internal_error"
    http_status = 500
    exit_code = ExitCode.ERROR

    def __init__(self, exc: Exception) -> None:
        # The type only: an exception's message may hold the values it choked on.
        super().__init__(f"the run stopped on an unexpected {type(exc).__name__}")
