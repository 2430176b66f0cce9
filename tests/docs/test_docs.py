"""The documentation stays true: generated pages are current, every error code and command is described."""

from __future__ import annotations

import re
from pathlib import Path

import pnyx.config
import pnyx.errors
from tools import gen_docs

ROOT = Path(__file__).resolve().parents[2]


def test_generated_pages_are_current() -> None:
    for path, generated in gen_docs.pages().items():
        assert path.read_text() == gen_docs.render(path, generated), f"{path.name} is stale: run `make docs`"


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    for name in pnyx.config.Settings.model_fields:
        assert f"`PNYX_{name.upper()}`" in text


def _error_codes() -> set[str]:
    source = Path(pnyx.errors.__file__).read_text()
    codes = set(re.findall(r'code = "([a-z_]+)"', source)) | set(re.findall(r'code="([a-z_]+)"', source))
    for path in (ROOT / "pnyx").rglob("*.py"):
        codes |= set(re.findall(r'code="([a-z_]+)"', path.read_text()))
    return codes - {"internal", "config"}


def test_every_error_code_is_documented() -> None:
    api = (ROOT / "docs" / "api.md").read_text()
    missing = sorted(code for code in _error_codes() if f"`{code}`" not in api)
    assert not missing, f"error codes missing from docs/api.md: {missing}"


def test_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text().split("\n\n", 3)[:3]
    assert "make demo" in "\n".join(head) and "make test" in "\n".join(head)
