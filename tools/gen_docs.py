"""Writes the generated reference pages in docs/ from the code: settings and CLI commands.

Run with `make docs`; tests/docs/test_docs.py fails when a page differs from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer.main

from pnyx.cli import app
from pnyx.config import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"
BEGIN = "<!-- generated: do not edit below; run `make docs` -->"


def _default(name: str) -> str:
    field = Settings.model_fields[name]
    if field.default_factory is not None:
        return "(none)"
    value = field.default
    return "(unset)" if value is None else f"`{value}`"


def settings_table() -> str:
    """The settings reference: one row per field of Settings."""
    rows = ["| env | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `PNYX_{name.upper()}` | {_default(name)} | {field.description} |")
    return "\n".join(rows) + "\n"


def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    # Typer ships its own copy of click, so commands are told apart by shape, not by class.
    found: list[tuple[str, Any]] = []
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            found.extend(_commands(command, f"{prefix} {name}"))
        else:
            found.append((f"{prefix} {name}", command))
    return found


def cli_reference() -> str:
    """The CLI reference: each command with its help and options."""
    root = typer.main.get_command(app)
    parts: list[str] = []
    for path, command in _commands(root, "pnyx"):
        parts.append(f"### `{path}`\n\n{(command.help or '').strip()}\n")
        for param in command.params:
            # A flag pair (--x/--no-x) keeps its second name in secondary_opts.
            opts = [*param.opts, *getattr(param, "secondary_opts", [])]
            names = ", ".join(f"`{opt}`" for opt in opts) if opts else f"`{param.name}`"
            help_text = getattr(param, "help", None) or ""
            parts.append(f"- {names}: {help_text}")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def pages() -> dict[Path, str]:
    """Each generated page's path and the text below its marker."""
    return {DOCS / "configuration.md": settings_table(), DOCS / "cli.md": cli_reference()}


def render(path: Path, generated: str) -> str:
    """The page with everything below the marker replaced by ``generated``."""
    head = path.read_text().split(BEGIN)[0] if path.exists() else f"# {path.stem.title()}\n\n"
    return f"{head.rstrip()}\n\n{BEGIN}\n\n{generated}"


def main() -> int:
    for path, generated in pages().items():
        path.write_text(render(path, generated))
        print(f"wrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
