"""Delivery: the outbox worker and Standard Webhooks. Imports model, store and net only."""

from rostersync.delivery.webhooks import Outcome, signed_headers
from rostersync.delivery.worker import RETRY_SCHEDULE, DrainResult, deliver_due, next_attempt

__all__ = [
    "RETRY_SCHEDULE",
    "DrainResult",
    "Outcome",
    "deliver_due",
    "next_attempt",
    "signed_headers",
]
