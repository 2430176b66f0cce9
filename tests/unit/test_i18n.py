"""Choosing a page's language from what the browser says it reads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pnyx.i18n import available_languages, preferred


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("de-AT,de;q=0.9,en;q=0.5", "de"),
        ("fr-FR,fr;q=0.9,de;q=0.8,en;q=0.7", "de"),
        ("en-GB,de;q=0.8", "en"),
        ("fr;q=1.0, de;q=0.2", "de"),
        ("de;q=0, en", "en"),
        ("*", "en"),
        ("", "en"),
        (None, "en"),
        ("de;q=abc", "en"),
        ("x" * 400, "en"),
    ],
)
def test_the_best_supported_language_wins(header: str | None, language: str) -> None:
    assert preferred(header) == language


@given(st.text(max_size=300))
def test_any_header_gives_a_supported_language(header: str) -> None:
    assert preferred(header) in available_languages()
