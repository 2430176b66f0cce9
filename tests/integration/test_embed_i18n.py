"""Languages of the widget: the catalog template is current, German is complete, other languages fall back."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from httpx import AsyncClient

from tests.factories import Api, Reader
from tests.integration.comments_support import forbid_server_errors
from tests.integration.embed_support import button, name_of, thread_tree

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "pnyx" / "locale"


def _catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale)


def _ids(catalog: Catalog) -> set[str]:
    return {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}


def test_the_template_holds_every_string_of_the_code(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fresh = tmp_path / "messages.pot"
    caplog.set_level(logging.WARNING)  # the extractor logs every file it reads
    args = ["pybabel", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(fresh), "--no-location", "--omit-header"]
    CommandLineInterface().run([*args, str(ROOT / "pnyx")])
    assert _ids(_catalog(fresh)) == _ids(_catalog(LOCALE / "messages.pot")), "stale messages.pot: run `make messages`"


def test_every_string_has_a_german_translation() -> None:
    german = _catalog(LOCALE / "de" / "LC_MESSAGES" / "messages.po", "de")
    template_ids = _ids(_catalog(LOCALE / "messages.pot"))
    assert template_ids <= _ids(german), "run `make messages` to merge new strings"
    for message in german:
        if not message.id:
            continue
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(form.strip() for form in forms), f"untranslated: {message.id!r}"
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
        if "%(" in str(message.id):
            assert all("%(" in form for form in forms), f"a placeholder was dropped: {message.id!r}"


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


async def _thread_with(api: Api, count: int) -> str:
    key = api.article()
    for _ in range(count):
        await api.post_ok(Reader(), key, author_name="Ana")
    return key


async def test_the_block_speaks_german(api: Api) -> None:
    one, three = await _thread_with(api, 1), await _thread_with(api, 3)
    root = await thread_tree(api, one, lang="de")
    text = root.text()
    assert "Was meinen Sie?" in text and "1 Kommentar" in text and "0 Punkte" in text
    assert root.find(lambda e: e.tag == "section").get("lang") == "de"
    assert button(root, "Kommentar von Ana positiv bewerten")
    assert button(root, "Ana antworten")
    assert "3 Kommentare" in (await thread_tree(api, three, lang="de-CH")).text()


async def test_german_plural_forms_reach_the_script(api: Api) -> None:
    section = (await thread_tree(api, api.article(), lang="de")).find(lambda e: e.tag == "section")
    assert section.get("data-count-forms") == '{"other":"{n} Kommentare","one":"{n} Kommentar"}'
    assert section.get("data-points-forms") == '{"other":"{n} Punkte","one":"{n} Punkt"}'


@pytest.mark.parametrize("lang", ["fr", "xx", "", "en-GB"])
async def test_other_languages_fall_back_to_english(api: Api, lang: str) -> None:
    root = await thread_tree(api, await _thread_with(api, 3), lang=lang)
    assert "What do you think?" in root.text() and "3 Comments" in root.text()
    assert root.find(lambda e: e.tag == "section").get("lang") == "en"


async def test_notify_of_and_subscribe_speak_german(api: Api) -> None:
    root = await thread_tree(api, await _thread_with(api, 1), lang="de")
    main = root.find(lambda e: e.tag == "form" and e.get("data-form") == "post")
    select = main.find(lambda e: e.tag == "select")
    assert name_of(select, root) == "Benachrichtigen über"
    options = [option.text() for option in select.find_all(lambda e: e.tag == "option")]
    assert options == ["Nichts", "Neue Antworten auf meine Kommentare", "Neue Folgekommentare"]
    note = main.find(lambda e: "pnyx-if-notify" in str(e.get("class")))
    assert "Benachrichtigungen" in note.text() and "bestätigen" in note.text()
    assert button(root, "Abonnieren").get("aria-controls") == "pnyx-follow"
    follow = root.find(lambda e: e.get("id") == "pnyx-follow")
    assert name_of(follow, root) == "Neue Kommentare per E-Mail"
    digest = follow.find(lambda e: e.get("type") == "checkbox")
    assert name_of(digest, root) == "Eine Zusammenfassung statt einer Mail pro Kommentar senden"
    assert button(root, "Per E-Mail benachrichtigen")
    feed = root.find(lambda e: e.tag == "a" and "pnyx-feed" in str(e.get("class")) and "hidden" not in e.attrs)
    assert name_of(feed, root) == "RSS/Atom-Feed"
    section = root.find(lambda e: e.tag == "section")
    assert str(section.get("data-msg-confirm")).startswith("Prüfen Sie Ihr Postfach: ")
    assert section.get("data-msg-subscribed") == "Sie werden per E-Mail benachrichtigt."
