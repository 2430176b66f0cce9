"""The import rule of DESIGN.md, checked on the source: imports point downward only.

Every ``.py`` file under ``pnyx/`` is parsed with ``ast``; nothing is imported or executed, so a
module with side effects or a missing optional dependency cannot hide a violation. Imports inside
functions and ``if TYPE_CHECKING:`` blocks count too, as do ``importlib.import_module("...")`` calls.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pnyx"
FRAMEWORKS = frozenset({"fastapi", "starlette", "sqlalchemy", "alembic", "redis", "limits", "uvicorn", "httpx"})


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@dataclass(frozen=True)
class Rule:
    """Modules in ``layer`` may not import what ``forbidden`` picks out."""

    layer: Callable[[str], bool]
    forbidden: Callable[[str], bool]
    why: str


RULES = [
    Rule(
        lambda m: _in(m, "pnyx.domain"),
        lambda name: name.split(".")[0] in FRAMEWORKS,
        "the domain is plain Python: no framework, database or network library",
    ),
    Rule(
        lambda m: _in(m, "pnyx.domain"),
        lambda name: _in(name, "pnyx") and not (_in(name, "pnyx.domain") or _in(name, "pnyx.errors")),
        "the domain imports nothing of ours but pnyx.domain and pnyx.errors",
    ),
    Rule(
        lambda m: any(_in(m, layer) for layer in ("pnyx.domain", "pnyx.store", "pnyx.services")),
        lambda name: _in(name, "pnyx.web"),
        "only the web layer knows about the web layer",
    ),
    Rule(
        lambda m: _in(m, "pnyx.services"),
        lambda name: name.split(".")[0] in ("fastapi", "starlette"),
        "services know nothing about HTTP",
    ),
    Rule(
        lambda m: not _in(m, "pnyx.store"),
        lambda name: _in(name, "sqlalchemy"),
        "SQL lives in pnyx.store only",
    ),
]


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(source: str, module: str, is_package: bool = False) -> Iterator[str]:
    """Every module name ``source`` imports, made absolute; ``from a import b`` gives ``a.b``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield from (base if alias.name == "*" else f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Each import in ``source`` that breaks a rule for ``module``, with the reason."""
    return [
        f"{module} imports {name}: {rule.why}"
        for name in imported_names(source, module, is_package)
        for rule in RULES
        if rule.layer(module) and rule.forbidden(name)
    ]


def source_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_package_is_found() -> None:
    modules = {module_name(path) for path in source_files()}
    assert {"pnyx.errors", "pnyx.domain", "pnyx.domain.urls", "pnyx.domain.markdown"} <= modules
    assert any(_in(m, "pnyx.store") for m in modules) and any(_in(m, "pnyx.services") for m in modules)


@pytest.mark.parametrize("path", source_files(), ids=lambda path: str(path.relative_to(PACKAGE.parent)))
def test_imports_point_downward(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert violations(source, module_name(path), path.name == "__init__.py") == []


def test_module_names() -> None:
    assert module_name(PACKAGE / "domain" / "urls.py") == "pnyx.domain.urls"
    assert module_name(PACKAGE / "domain" / "__init__.py") == "pnyx.domain"
    assert module_name(PACKAGE / "store" / "migrations" / "env.py") == "pnyx.store.migrations.env"


def test_relative_imports_are_made_absolute() -> None:
    assert list(imported_names("from . import models", "pnyx.domain.urls")) == ["pnyx.domain.models"]
    assert list(imported_names("from .models import Sort", "pnyx.domain.urls")) == ["pnyx.domain.models.Sort"]
    assert list(imported_names("from ..store import tables", "pnyx.domain.urls")) == ["pnyx.store.tables"]
    assert list(imported_names("from .urls import x", "pnyx.domain", is_package=True)) == ["pnyx.domain.urls.x"]
    assert list(imported_names("from .. import web", "pnyx.domain", is_package=True)) == ["pnyx.web"]


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("pnyx.domain.urls", "import fastapi"),
        ("pnyx.domain.urls", "from starlette.requests import Request"),
        ("pnyx.domain.urls", "import sqlalchemy as sa"),
        ("pnyx.domain.urls", "from alembic import op"),
        ("pnyx.domain.urls", "import redis.asyncio"),
        ("pnyx.domain.urls", "from limits import parse"),
        ("pnyx.domain.urls", "import uvicorn"),
        ("pnyx.domain.urls", "import httpx"),
        ("pnyx.domain.urls", "from pnyx.store import tables"),
        ("pnyx.domain.urls", "from pnyx.services.comments import post_comment"),
        ("pnyx.domain.urls", "from pnyx.config import Settings"),
        ("pnyx.domain.urls", "from pnyx import events"),
        ("pnyx.domain.urls", "from ..store import tables"),
        ("pnyx.domain.urls", "def f() -> None:\n    import sqlalchemy\n"),
        ("pnyx.domain.urls", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pnyx.web.app import App\n"),
        ("pnyx.domain.urls", "import importlib\nimportlib.import_module('pnyx.store.engine')"),
        ("pnyx.domain.urls", "__import__('fastapi')"),
        ("pnyx.store.comments", "from pnyx.web.deps import reader"),
        ("pnyx.services.comments", "from pnyx.web import errors"),
        ("pnyx.services.comments", "from fastapi import HTTPException"),
        ("pnyx.services.comments", "from starlette.status import HTTP_200_OK"),
        ("pnyx.services.comments", "import sqlalchemy"),
        ("pnyx.services.comments", "from sqlalchemy.ext.asyncio import AsyncConnection"),
        ("pnyx.web.api.comments", "from sqlalchemy import select"),
        ("pnyx.cli", "import sqlalchemy"),
    ],
)
def test_the_checker_catches_a_violation(module: str, source: str) -> None:
    assert violations(source, module)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("pnyx.domain.urls", "from pnyx.errors import Invalid"),
        ("pnyx.domain.urls", "from pnyx.domain.models import Sort"),
        ("pnyx.domain.urls", "from . import models"),
        ("pnyx.domain.urls", "import unicodedata\nfrom urllib.parse import urlsplit"),
        ("pnyx.domain.markdown", "import nh3\nfrom markdown_it import MarkdownIt"),
        ("pnyx.domain.urls", "import limitsx"),
        ("pnyx.store.comments", "import sqlalchemy as sa\nfrom pnyx.domain.models import Comment"),
        ("pnyx.store.migrations.env", "from alembic import context\nfrom sqlalchemy import pool"),
        ("pnyx.services.comments", "from pnyx.store import comments\nfrom limits import parse"),
        ("pnyx.web.api.comments", "from fastapi import APIRouter\nfrom pnyx.services import comments"),
    ],
)
def test_the_checker_allows_what_the_rule_allows(module: str, source: str) -> None:
    assert violations(source, module) == []
