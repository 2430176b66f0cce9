"""Plural labels ("20 Points", "3 Comments") chosen by CLDR plural category, so embed.js can pick the same form.

gettext picks a plural form with the catalog's own expression, which the browser cannot run;
``Intl.PluralRules`` names CLDR categories instead. So the server renders each category's form
once (by translating a sample number of that category) and labels every number through the
same category: a label rendered here and one set later by embed.js always agree, negative
points included.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import cache

from babel import Locale
from babel.support import NullTranslations

from pnyx.i18n import translations

MARK = "{n}"  # where embed.js puts the number
SAMPLE_RANGE = range(0, 1000)


class Counted(StrEnum):
    """What a plural label counts."""

    POINTS = "points"
    COMMENTS = "comments"


def _points(t: NullTranslations, n: int) -> str:
    return t.ngettext("%(num)d Point", "%(num)d Points", n)


def _comments(t: NullTranslations, n: int) -> str:
    return t.ngettext("%(num)d Comment", "%(num)d Comments", n)


_PICK: dict[Counted, Callable[[NullTranslations, int], str]] = {Counted.POINTS: _points, Counted.COMMENTS: _comments}


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@cache
def _samples(language: str) -> dict[str, int]:
    # The smallest non-negative number of each category stands for the whole category.
    plural = _locale(language).plural_form
    found: dict[str, int] = {}
    for n in SAMPLE_RANGE:
        found.setdefault(plural(n), n)
    return found


@cache
def plural_forms(language: str, counted: Counted) -> dict[str, str]:
    """Each CLDR category's translated form with ``{n}`` where the number goes."""
    pick, t = _PICK[counted], translations(language)
    return {category: pick(t, sample).replace("%(num)d", MARK) for category, sample in _samples(language).items()}


def plural_label(language: str, counted: Counted, n: int) -> str:
    """``n`` with its noun in ``language``, for example "1 Point" or "-3 Points"."""
    forms = plural_forms(language, counted)
    category = _locale(language).plural_form(n)
    return forms.get(category, forms["other"]).replace(MARK, str(n))
