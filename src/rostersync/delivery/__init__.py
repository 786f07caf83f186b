"""Delivery: the outbox worker, Standard Webhooks, SCIM 2.0. Imports model, store and net only."""

from rostersync.delivery.validation import check_webhook_url
from rostersync.delivery.webhooks import Outcome, signed_headers
from rostersync.delivery.worker import RETRY_SCHEDULE, DrainResult, deliver_due, next_attempt

__all__ = [
    "RETRY_SCHEDULE",
    "DrainResult",
    "Outcome",
    "check_webhook_url",
    "deliver_due",
    "next_attempt",
    "signed_headers",
]
