"""Languages: gettext catalogs (Babel) for every reader-facing string, chosen per request.

Catalogs live as ``pnyx/locale/<lang>/LC_MESSAGES/messages.po`` and are compiled in
memory on first use, so no binary ``.mo`` file is kept in the repository. English is
the source language; ``make messages`` extracts new strings into ``messages.pot`` and
merges them into each catalog.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT_LANGUAGE = "en"


def available_languages() -> tuple[str, ...]:
    """English plus every language with a catalog, sorted."""
    found = {path.parent.parent.name for path in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po")}
    return tuple(sorted({DEFAULT_LANGUAGE, *found}))


# A header lists a handful of languages; more is noise or an attempt to make parsing slow.
MAX_ACCEPTED = 20


def negotiate(requested: str | None) -> str:
    """The supported language closest to a BCP 47 tag such as ``de-AT``; English when none fits."""
    if not requested:
        return DEFAULT_LANGUAGE
    try:
        locale = Locale.parse(requested.strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return DEFAULT_LANGUAGE
    return locale.language if locale.language in available_languages() else DEFAULT_LANGUAGE


def preferred(accept_language: str | None) -> str:
    """The supported language a browser's ``Accept-Language`` header likes best; English when none fits."""
    weighted: list[tuple[float, str]] = []
    for part in (accept_language or "").split(",")[:MAX_ACCEPTED]:
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        if tag and tag != "*" and weight > 0:
            weighted.append((weight, tag))
    for _, tag in sorted(weighted, key=lambda pair: -pair[0]):
        language = negotiate(tag)
        if language != DEFAULT_LANGUAGE or tag.lower().startswith(DEFAULT_LANGUAGE):
            return language
    return DEFAULT_LANGUAGE


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of a supported language (English: identity, with English plural rules)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain="messages")
