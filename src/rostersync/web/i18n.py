"""The customer pages' languages: gettext catalogs (Babel), negotiation and formatting.

English is the source language (the msgids); the other catalogs are the `.po` files under
`locale/`, compiled in memory the first time a language is used, so a fresh clone needs no
build step and no `.mo` file can fall behind its `.po`. `make messages` re-extracts the
msgids (babel.cfg) and merges them into every catalog.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from rostersync.engine import Check
from rostersync.engine.preflight import ORDER as PREFLIGHT_CHECKS
from rostersync.engine.preflight import Message
from rostersync.model import ALLOWLIST, NOT_ACCESSED
from rostersync.web.connect_steps import STEP_NAMES, mark_colour, monogram
from rostersync.web.vendor_text import reword, vendor_texts

LOCALE_DIR = Path(__file__).parent / "locale"
TEMPLATE_DIR = Path(__file__).parent / "templates"
DOMAIN = "messages"
COOKIE = "connect_lang"
"""Keeps the language a link parameter chose while the admin moves through the flow."""


class Language(StrEnum):
    EN = "en"
    DE = "de"
    FR = "fr"
    ES = "es"
    NL = "nl"

    @property
    def native_name(self) -> str:
        """The language's name in itself, for the language switcher."""
        return str(Locale.parse(self.value).display_name).capitalize()


SOURCE = Language.EN
MAX_ACCEPT_LANGUAGE = 1024


def parse_language(value: str | None) -> Language | None:
    """`de`, `de-CH`, `DE_at` -> de; anything else (or nothing) -> None."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    try:
        return Language(primary)
    except ValueError:
        return None


def _weighted(header: str) -> Iterator[tuple[float, int, str]]:
    for position, part in enumerate(header[:MAX_ACCEPT_LANGUAGE].split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            yield -quality, position, tag


def negotiate(
    *, parameter: str | None, cookie: str | None, accept_language: str | None
) -> Language:
    """The link parameter (`?lang=de`), else the language it chose earlier, else the best
    Accept-Language match (by q, then by order), else English."""
    for explicit in (parameter, cookie):
        chosen = parse_language(explicit)
        if chosen is not None:
            return chosen
    for _, _, tag in sorted(_weighted(accept_language or "")):
        matched = parse_language(tag)
        if matched is not None:
            return matched
    return SOURCE


def language_of(request: Request) -> Language:
    return negotiate(
        parameter=request.query_params.get("lang"),
        cookie=request.cookies.get(COOKIE),
        accept_language=request.headers.get("accept-language"),
    )


def catalog_path(language: Language) -> Path:
    return LOCALE_DIR / language.value / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: Language) -> Catalog:
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language.value, domain=DOMAIN)


@cache
def translations(language: Language) -> gettext.NullTranslations:
    if language is SOURCE:
        return gettext.NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, read_catalog(language))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def localize(context: dict[str, object], language: Language) -> dict[str, object]:
    """A page's context with the vendor text (guides, credential labels and hints) in this
    language. Translated here, not in the template: the text is plain and stays escaped, and
    the product's name goes in afterwards (branding) over what the translation says."""
    say = translations(language).gettext
    return {key: reword(value, say) for key, value in context.items()}


def _filters(language: Language) -> dict[str, object]:
    def number(value: int | float) -> str:
        return format_decimal(value, locale=language.value)

    def long_date(value: date) -> str:
        return format_date(value, format="long", locale=language.value)

    def say(check: Check) -> str:
        """A preflight check's message in this language, counts formatted for it."""
        if check.message is Message.NONE:
            return ""
        values = {k: number(int(v)) if v.isdigit() else v for k, v in check.values}
        return translations(language).gettext(check.message.value) % values

    return {"number": number, "long_date": long_date, "say": say}


@cache
def templates(language: Language) -> Jinja2Templates:
    """One environment per language: gettext is bound at install time, so sharing one
    environment across concurrent requests in different languages would mix them."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, extensions=["jinja2.ext.i18n"]
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(_filters(language))
    env.globals["language"] = language
    env.globals["step_names"] = list(STEP_NAMES.values())
    env.filters["monogram"] = monogram
    env.filters["mark_colour"] = mark_colour
    env.globals["languages"] = tuple(Language)
    return Jinja2Templates(env=env)


def extract_vocabulary(
    fileobj: object, keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extractor (babel.cfg) for the text the pages take from the model and engine:
    the allowlist's labels and reasons, what is never accessed, the preflight check names.
    Read from the live values, so a new field cannot go untranslated unnoticed."""
    del fileobj, keywords, comment_tags, options
    for field in ALLOWLIST:
        yield 0, None, field.label, [f"field {field.record.value}.{field.name}"]
        yield 0, None, field.meaning, [f"why {field.record.value}.{field.name}"]
    for category in NOT_ACCESSED:
        yield 0, None, category, ["never accessed"]
    for name in PREFLIGHT_CHECKS:
        yield 0, None, name, ["preflight check"]
    for step in STEP_NAMES.values():
        yield 0, None, step, ["step"]
    for message in Message:
        # The vendor's own error text is shown as it came.
        if message not in (Message.NONE, Message.ERROR):
            yield 0, None, message.value, [f"preflight {message.name}"]


def extract_vendor_words(
    fileobj: object, keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extractor (babel.cfg) for every vendor's set-up guide and credential form, read
    from the live registry: a new vendor or step shows up in `make messages` untranslated."""
    del fileobj, keywords, comment_tags, options
    for slug, texts in vendor_texts():
        for text in texts:
            yield 0, None, text, [f"vendor {slug}"]
