"""``pnyx site settings``: showing and changing a site's moderation policy, run as a separate process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_cli import SECRET, Cli, clean_env


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A CLI with a valid secret and its own database file."""
    return Cli(tmp_path, {**clean_env(tmp_path), "PNYX_SECRET_KEY": SECRET})


def _lines(out: str) -> dict[str, str]:
    return {name.strip(): value.strip() for name, _, value in (line.partition(":") for line in out.splitlines())}


def test_the_policy_is_shown_with_its_defaults(cli: Cli) -> None:
    cli.ok("site", "add", "daily", "--origin", "https://news.example")
    shown = _lines(cli.ok("site", "settings", "daily"))
    assert shown["premoderation"] == "none" and shown["banned words"] == "(none)"
    assert shown["max links"] == "5" and shown["close after days"] == "0 (never)"
    assert shown["spam threshold"] == "70" and shown["report threshold"] == "3"
    assert shown["queue alert emails"] == "(the site's moderators)"


def test_every_policy_field_can_be_set_and_is_kept(cli: Cli) -> None:
    cli.ok("site", "add", "daily", "--origin", "https://news.example")
    cli.ok(
        "site",
        "settings",
        "daily",
        "--premoderation", "first_time",
        "--banned-words", "scam, buy followers ,scam, [x]",
        "--hold-words", "lawsuit",
        "--max-links", "2",
        "--close-after-days", "30",
        "--report-threshold", "0",
        "--spam-threshold", "60",
        "--queue-alert-size", "25",
        "--queue-alert-emails", "desk@news.example,Ana@News.Example",
    )  # fmt: skip
    shown = _lines(cli.ok("site", "settings", "daily"))
    assert shown["premoderation"] == "first_time"
    assert shown["banned words"] == "scam, buy followers, [x]", "deduplicated, trimmed, brackets printed as typed"
    assert shown["hold words"] == "lawsuit"
    assert shown["max links"] == "2" and shown["close after days"] == "30"
    assert shown["report threshold"] == "0 (never)" and shown["spam threshold"] == "60"
    assert shown["queue alert size"] == "25"
    assert shown["queue alert emails"] == "desk@news.example, Ana@news.example"
    # One option changes one field; an empty list empties it.
    shown = _lines(cli.ok("site", "settings", "daily", "--banned-words", ""))
    assert shown["banned words"] == "(none)" and shown["hold words"] == "lawsuit"
    assert "in the main thread" in cli.ok("site", "settings", "daily", "--max-links", "3")


@pytest.mark.parametrize(
    ("option", "value", "sentence"),
    [
        ("--premoderation", "sometimes", "Premoderation is one of none, all, first_time, links"),
        ("--max-links", "500", "from 0 to 100"),
        ("--close-after-days", "-1", "from 0 to 36,500"),
        ("--spam-threshold", "101", "from 0 to 100"),
        ("--banned-words", "$$$", "no letters or digits"),
        ("--queue-alert-emails", "desk", "is not one"),
    ],
)
def test_bad_values_are_refused_with_a_sentence_and_change_nothing(
    cli: Cli, option: str, value: str, sentence: str
) -> None:
    cli.ok("site", "add", "daily", "--origin", "https://news.example")
    assert sentence in cli.fails("site", "settings", "daily", option, value)
    shown = _lines(cli.ok("site", "settings", "daily"))
    assert shown["premoderation"] == "none" and shown["max links"] == "5" and shown["banned words"] == "(none)"


def test_an_unknown_site_is_refused(cli: Cli) -> None:
    assert "no site named" in cli.fails("site", "settings", "missing", "--premoderation", "all")
