"""The connect flow's steps, in the order an HR admin meets them, and the vendor cards' marks.

What will be read is shown (2) before anything is asked for (4), and nothing is read before
credentials are entered and checked (5); only the confirmation stores the connection.
"""

from __future__ import annotations

import hashlib
from enum import IntEnum


class Step(IntEnum):
    CHOOSE = 1
    DISCLOSE = 2
    SET_UP = 3
    CREDENTIALS = 4
    CHECK = 5
    CONNECT = 6
    DONE = 7


STEP_NAMES: dict[Step, str] = {
    Step.CHOOSE: "Choose your HR system",
    Step.DISCLOSE: "See what we read",
    Step.SET_UP: "Set it up",
    Step.CREDENTIALS: "Enter the credentials",
    Step.CHECK: "Check access and confirm",
    Step.CONNECT: "Connect",
    Step.DONE: "Done",
}

MARK_COLOURS = 8
"""How many monogram colours connect.css defines (`.mark-0` to `.mark-7`)."""


def monogram(display_name: str) -> str:
    """Up to two letters for a vendor's card: its capitals ("HiBob" -> "HB"), else its first
    two letters ("Zenefits" -> "Ze"). Drawn by us: no vendor logo is fetched or shipped."""
    capitals = [c for c in display_name if c.isupper()]
    if len(capitals) >= 2:
        return "".join(capitals[:2])
    letters = [c for c in display_name if c.isalnum()]
    return "".join(letters[:2])


def mark_colour(slug: str) -> int:
    """A colour for the slug, stable across processes and releases (not Python's hash())."""
    return hashlib.sha256(slug.encode()).digest()[0] % MARK_COLOURS
