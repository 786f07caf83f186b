"""The vendor text a connect page shows: each set-up guide's words and each credential field's
label and hint, written in English beside the vendor's connector.

A page shows them translated (i18n) and in the product's name (branding); both go through
`reword`, so translating, rebranding and extracting the msgids cannot disagree on which text
that is. Display names, the sources' URLs and the exact requests are not words: left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from rostersync.engine import ProviderInfo, VendorProfile, catalog
from rostersync.errors import RostersyncError

Say = Callable[[str], str]


def reword(value: object, say: Say) -> object:
    """`value` with its vendor text said by `say`; anything that is no vendor text as it is."""

    def each(text: str) -> str:
        # An empty hint stays empty: gettext("") would answer with the catalog's header.
        return say(text) if text else text

    def every(texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(each(t) for t in texts)

    if isinstance(value, VendorProfile):
        return replace(
            value,
            summary=each(value.summary),
            steps=every(value.steps),
            grant=every(value.grant),
            do_not_grant=every(value.do_not_grant),
        )
    if isinstance(value, ProviderInfo):
        fields = tuple(
            replace(f, label=each(f.label), help=each(f.help)) for f in value.credential_fields
        )
        return replace(value, credential_fields=fields)
    return value


def said(value: object) -> list[str]:
    """Every piece of vendor text in `value`, in page order."""
    texts: list[str] = []

    def keep(text: str) -> str:
        texts.append(text)
        return text

    reword(value, keep)
    return texts


def vendor_texts() -> Iterator[tuple[str, list[str]]]:
    """(vendor slug, its texts) for every vendor in the registry that a link can connect."""
    for info in catalog.providers():
        try:
            profile = catalog.vendor_profile(info.name)
        except RostersyncError:
            continue  # no link pages for it, so nothing of it is shown
        yield info.name, said(profile) + said(info)
