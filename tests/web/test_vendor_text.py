"""Every vendor's set-up guide and credential form in every language: walked from the registry,
so a new vendor, step or field without its translations fails here, not on a customer's page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from babel.messages import Catalog

from rostersync.engine import VendorProfile, catalog, vendor_profile
from rostersync.settings import Branding
from rostersync.web.branding import Rebrand
from rostersync.web.i18n import SOURCE, Language, localize, read_catalog, translations
from rostersync.web.vendor_text import said, vendor_texts
from tests.web.conftest import ConnectSite, visible

TRANSLATED = [language for language in Language if language is not SOURCE]

NAMES_ONLY = re.compile(r"[^\s,/]+(?:\s*[,/]\s*[^\s,/]+)*")
"""A list of scope or field names (`people:read, departments`): the same in every language."""
IDENTIFIER = re.compile(r"[\w*-]{2,}(?:[:._][\w*-]+)+")
"""Scopes, hosts, field paths, report and user names: `people:read`, `ISU_rostersync`."""
MENU_PATH = re.compile(r"[A-Z][\w-]*(?: > [A-Z][\w-]*)+")
"""The joints of a path through the vendor's own menus (`Settings > Integrations > Service`
of `Settings > Integrations > Service users`): the path stays whole and in its product's words."""
QUOTED = re.compile(r"(?<!\w)'([^']+?)'(?!\w)")
"""A button, option or name in the vendor's product, quoted as it shows it."""


def _translation(book: Catalog, msgid: str) -> str | None:
    message = book.get(msgid)
    if message is None or message.fuzzy or not isinstance(message.string, str):
        return None
    return message.string or None


@pytest.fixture(scope="module")
def catalogs() -> dict[Language, Catalog]:
    return {language: read_catalog(language) for language in TRANSLATED}


def _missing(language: Language, book: Catalog) -> Iterator[str]:
    for slug, texts in vendor_texts():
        for text in texts:
            translated = _translation(book, text)
            if translated is None:
                yield f"{slug}: {text!r} has no translation"
            elif translated == text and not NAMES_ONLY.fullmatch(text):
                yield f"{slug}: {text!r} is left in English"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_vendor_text_is_translated(
    language: Language, catalogs: dict[Language, Catalog]
) -> None:
    missing = list(_missing(language, catalogs[language]))
    assert not missing, f"{language}: run `make messages` and translate:\n" + "\n".join(missing)


def _kept_exact(text: str) -> list[str]:
    """What a translation must carry as the English has it."""
    return [
        *IDENTIFIER.findall(text),
        *MENU_PATH.findall(text),
        *QUOTED.findall(text),
    ]


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_vendor_names_scopes_and_ours(
    language: Language, catalogs: dict[Language, Catalog]
) -> None:
    """Menu paths, quoted product words and identifiers stay as the vendor's product shows
    them, and our name stays where the English has it, for the product's name to replace."""
    problems = []
    for slug, texts in vendor_texts():
        for text in texts:
            translated = _translation(catalogs[language], text) or ""
            lost = [kept for kept in _kept_exact(text) if kept not in translated]
            if lost:
                problems.append(f"{slug}: {lost} lost from {translated!r}")
            if translated.count("rostersync") != text.count("rostersync"):
                problems.append(f"{slug}: our name is not where the English has it: {translated!r}")
    assert not problems, "\n".join(problems)


def test_the_checks_see_what_they_are_meant_to() -> None:
    hibob = " ".join(said(vendor_profile("hibob")))
    assert "Settings > Integrations > Service" in MENU_PATH.findall(hibob)
    assert "Whose data can members access?" in QUOTED.findall(hibob)
    assert "People's data" not in QUOTED.findall(hibob)  # an apostrophe, not a quote
    workday = " ".join(said(vendor_profile("workday")))
    assert {"ISU_rostersync", "HRIS_Workers"} <= set(IDENTIFIER.findall(workday))
    assert NAMES_ONLY.fullmatch("time_off / vacation_requests, benefits")
    assert not NAMES_ONLY.fullmatch("Any :write scope")


def _page(client: httpx.Client, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    return visible(answer.text)[0]


def _shown(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_vendors_guide_and_form_render_in_the_language(
    connect_site: ConnectSite, language: Language
) -> None:
    """Each vendor's disclosure, then its guide and (if it has one) its credential form, as an
    HR admin whose browser asks for `language` sees them."""
    url = connect_site.link()
    say = translations(language).gettext
    headers = {"accept-language": language.value}
    absent = []
    with httpx.Client(timeout=30, headers=headers) as client:
        for info in catalog.providers():
            profile = vendor_profile(info.name)
            _page(client, f"{url}/hris/{info.name}")  # shown first, as the flow wants
            guide = _page(client, f"{url}/hris/{info.name}/setup")
            absent += [(info.name, t) for t in said(profile) if _shown(say(t)) not in guide]
            if info.uses_oauth:
                continue  # a consent page, not a form: its fields are filled by the consent
            form = _page(client, f"{url}/hris/{info.name}/credentials")
            absent += [(info.name, t) for t in said(info) if _shown(say(t)) not in form]
    assert not absent, f"{language}: shown in English or not at all: {absent}"


def test_a_translated_guide_is_put_in_the_products_name() -> None:
    """Translated first (the msgids are the English text), then rebranded."""
    rebrand = Rebrand(Branding(product_name="Acme Learning"))
    context = rebrand.context(localize({"vendor": vendor_profile("hibob")}, Language.DE))
    shown = context["vendor"]
    assert isinstance(shown, VendorProfile)
    assert "Legen Sie einen Dienstbenutzer namens „Acme Learning“ an." in shown.steps[1]
    assert not any("rostersync" in step for step in (shown.summary, *shown.steps))
