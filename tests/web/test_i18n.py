"""Language negotiation, and catalogs that cover every message the customer pages can show."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from rostersync.engine import Check, Outcome
from rostersync.engine.preflight import Message
from rostersync.web.i18n import SOURCE, Language, negotiate, read_catalog, templates

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [language for language in Language if language is not SOURCE]


@pytest.mark.parametrize(
    ("parameter", "cookie", "accept_language", "expected"),
    [
        (None, None, None, Language.EN),
        (None, None, "", Language.EN),
        (None, None, "da, ja;q=0.9", Language.EN),
        (None, None, "de-CH", Language.DE),
        (None, None, "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", Language.FR),
        # Highest q wins wherever it stands; equal q keeps the header's order.
        (None, None, "en;q=0.5, nl;q=0.9, es;q=0.9", Language.NL),
        # q=0 means "not this one"; a malformed q counts as 0.
        (None, None, "de;q=0, es;q=x, fr;q=0.1", Language.FR),
        (None, None, "*", Language.EN),
        (None, "es", "de", Language.ES),
        ("nl", "es", "de", Language.NL),
        ("NL_be", None, None, Language.NL),
        # An unknown link parameter is ignored, not an error.
        ("xx", None, "fr", Language.FR),
        ("", "bogus", "es-MX", Language.ES),
    ],
)
def test_negotiation(
    parameter: str | None, cookie: str | None, accept_language: str | None, expected: Language
) -> None:
    assert (
        negotiate(parameter=parameter, cookie=cookie, accept_language=accept_language) is expected
    )


def test_a_huge_accept_language_header_is_cut_short() -> None:
    header = ", ".join(["xx"] * 10_000) + ", de"
    assert negotiate(parameter=None, cookie=None, accept_language=header) is Language.EN


def _extracted() -> set[str]:
    """Every msgid `make messages` would extract now, from the templates and the live values."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(str(ROOT), method_map, options_map)
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    ids = _extracted()
    assert "Choose your HR system" in ids  # templates
    assert "First name" in ids  # the allowlist
    assert Message.ACCEPTED.value in ids  # the preflight's messages
    return ids


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: Language, extracted: set[str]) -> None:
    catalog = read_catalog(language)
    untranslated = []
    for msgid in sorted(extracted):
        message = catalog.get(msgid) or next(
            (m for m in catalog if isinstance(m.id, tuple) and m.id[0] == msgid), None
        )
        strings = () if message is None else message.string
        forms = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not forms or not all(forms):
            untranslated.append(msgid)
    assert not untranslated, f"{language}: run `make messages` and translate {untranslated}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language: Language) -> None:
    problems = [
        (message.id, [str(e) for e in errors]) for message, errors in read_catalog(language).check()
    ]
    assert not problems


def test_a_check_is_said_in_the_admins_language_with_its_numbers() -> None:
    check = Check("People readable", Outcome.PASSED, Message.PEOPLE_SEEN, (("count", "12500"),))
    assert check.detail == "12500 people read."
    say = templates(Language.DE).env.filters["say"]
    assert say(check) == "12.500 Personen gelesen."
    assert templates(Language.EN).env.filters["say"](check) == "12,500 people read."
    assert say(Check("People readable", Outcome.NOT_RUN)) == ""
