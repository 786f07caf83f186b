"""Jobs: task functions and the in-process runner. Imports engine, delivery and store."""

from rostersync.jobs.runner import InProcessRunner
from rostersync.jobs.tasks import deliver, due_connections, sync_connection

__all__ = ["InProcessRunner", "deliver", "due_connections", "sync_connection"]
