"""The widget's page weight: embed.js and embed.css together stay within 15 KB gzipped, inline.js within 8 KB."""

from __future__ import annotations

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "pnyx" / "static"
BUDGET_BYTES = 15 * 1024
# Inline feedback is loaded only by pages that use it, on top of the widget.
INLINE_BUDGET_BYTES = 8 * 1024


def _gzipped(name: str) -> int:
    return len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9))


def test_script_and_stylesheet_fit_the_budget() -> None:
    sizes = {name: _gzipped(name) for name in ("embed.js", "embed.css")}
    assert sum(sizes.values()) <= BUDGET_BYTES, f"gzipped sizes {sizes} exceed {BUDGET_BYTES} bytes together"


def test_inline_feedback_fits_its_budget() -> None:
    size = _gzipped("inline.js")
    assert size <= INLINE_BUDGET_BYTES, f"inline.js is {size} bytes gzipped, over {INLINE_BUDGET_BYTES}"


def test_the_assets_load_nothing_from_elsewhere() -> None:
    css = (STATIC / "embed.css").read_text()
    assert "url(" not in css and "@import" not in css, "no fonts, images or other sheets"
    script = (STATIC / "embed.js").read_text()
    assert "innerHTML" in script and script.count("innerHTML") == 1, "only server fragments are parsed as HTML"
    assert "eval(" not in script and "new Function" not in script


def test_inline_feedback_loads_nothing_from_elsewhere() -> None:
    css = (STATIC / "inline.css").read_text()
    assert "url(" not in css and "@import" not in css
    script = (STATIC / "inline.js").read_text()
    assert "innerHTML" not in script, "inline.js parses no HTML: fragments go through embed.js"
    assert "eval(" not in script and "new Function" not in script
