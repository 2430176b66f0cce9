"""Jinja2 environments, one per language, autoescaping everything (attributes included)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from babel.dates import format_date, format_datetime
from jinja2 import Environment, PackageLoader, select_autoescape

from pnyx.i18n import translations


@cache
def environment(language: str) -> Environment:
    """The template environment for ``language``; built once, shared by every request in it."""
    env = Environment(
        loader=PackageLoader("pnyx", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["language"] = language
    env.filters["datetime"] = lambda moment: _format(moment, language)
    env.filters["date"] = lambda moment: format_date(moment, "medium", locale=language)
    return env


def _format(moment: datetime, language: str) -> str:
    return format_datetime(moment, "medium", locale=language)


def render(language: str, template: str, **context: Any) -> str:
    """Render ``template`` in ``language``."""
    return environment(language).get_template(template).render(**context)
