"""The widget's page weight: embed.js and embed.css together stay within 15 KB gzipped."""

from __future__ import annotations

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "pnyx" / "static"
BUDGET_BYTES = 15 * 1024


def test_script_and_stylesheet_fit_the_budget() -> None:
    sizes = {
        name: len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9)) for name in ("embed.js", "embed.css")
    }
    assert sum(sizes.values()) <= BUDGET_BYTES, f"gzipped sizes {sizes} exceed {BUDGET_BYTES} bytes together"


def test_the_assets_load_nothing_from_elsewhere() -> None:
    css = (STATIC / "embed.css").read_text()
    assert "url(" not in css and "@import" not in css, "no fonts, images or other sheets"
    script = (STATIC / "embed.js").read_text()
    assert "innerHTML" in script and script.count("innerHTML") == 1, "only server fragments are parsed as HTML"
    assert "eval(" not in script and "new Function" not in script
