"""The ceiling on the text a record may carry: what the product and the store can take.

Every record type validates its text fields through these types, so whatever a connector
maps (or the store loads) holds no control character and stays within these lengths.
"""

from __future__ import annotations

import re
import sys
from typing import Annotated

from pydantic import AfterValidator, Field

NAME_MAX = 200
"""People, group and location names: far above any real name, small enough for every UI."""
EMAIL_MAX = 320
"""RFC 3696 (errata): 64 characters of local part, "@", 255 of domain."""
ID_MAX = 200
"""Vendor ids are short tokens (numbers, UUIDs, ~40-character Workday ids)."""

# C0 (NUL included), DEL and C1, plus lone surrogates: PostgreSQL refuses NUL in text and
# nothing can encode a lone surrogate as UTF-8, so either one fails a whole sync.
_CONTROL = r"\x00-\x1f\x7f-\x9f\ud800-\udfff"
_ANY_CONTROL = re.compile(f"[{_CONTROL}]")
_CONTROL_RUN = re.compile(f"[ {_CONTROL}]*[{_CONTROL}][ {_CONTROL}]*")
_GAP = re.compile(r"[ \t\n\v\f\r\x85]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def _without_controls(run: re.Match[str]) -> str:
    # "Ann\r\nMarie" is two words; "Ann\x00e" is one.
    return " " if _GAP.search(run.group()) else ""


def clean_name(value: str) -> str:
    """Control characters out (a run holding a tab, a line break or a space becomes one
    space), blanks trimmed, and the result cut to NAME_MAX characters."""
    value = _CONTROL_RUN.sub(_without_controls, value).strip()
    return value[:NAME_MAX].rstrip()


def clean_email(value: str | None) -> str | None:
    """The address trimmed, or None when it cannot be one: rostersync invites by it, and an
    address that cannot receive mail is the same as no address."""
    if value is None:
        return None
    value = value.strip()
    if len(value) > EMAIL_MAX or _ANY_CONTROL.search(value) or not _EMAIL.fullmatch(value):
        return None
    return value


def _check_id(value: str) -> str:
    # An id is identity: cleaning or cutting one could make two people one, so refuse it.
    if _ANY_CONTROL.search(value):
        raise ValueError("an id must not contain control characters")
    # Group, location and manager ids repeat across a company: one string each, not one per
    # person who names it.
    return sys.intern(value)


Name = Annotated[str, AfterValidator(clean_name)]
Email = Annotated[str | None, AfterValidator(clean_email)]
RemoteId = Annotated[str, Field(min_length=1, max_length=ID_MAX), AfterValidator(_check_id)]
