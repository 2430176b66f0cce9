"""Comment HTML: Markdown rendering and the sanitiser, against hand-written and real XSS payloads."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pnyx.domain.markdown import ALLOWED_TAGS, LINK_REL, render, sanitise
from pnyx.domain.models import BodyFormat

FORBIDDEN_TAGS = frozenset({"script", "iframe", "svg", "img", "style", "object", "embed"})
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

# Our own payloads, so the safety properties are checked even where the shared corpus is absent.
OWN_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<embed src="javascript:alert(1)">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="/relative/path">x</a>',
    '<a href="//evil.example/">x</a>',
    '<a href="https://example.org/" onmouseover="alert(1)" style="position:fixed">x</a>',
    '<p onclick="alert(1)" class="x" id="y">hi</p>',
    '<body onload="alert(1)">',
    '<details open ontoggle="alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '"><script>alert(1)</script>',
    "'\"><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    '[click](https://example.org/ "title\\" onmouseover=\\"alert(1)")',
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "![x](https://evil.example/pixel.png)",
    "![x](javascript:alert(1))",
    "<https://example.org/?q=<script>>",
    "<javascript:alert(1)>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "> <img src=x onerror=alert(1)>",
    "* <a href=javascript:alert(1)>x</a>",
    "www.example.org/<script>",
    "ana@example.org<svg onload=alert(1)>",
]


class Markup(HTMLParser):
    """The tags and attributes of a fragment, parsed the way a browser tokenises it."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def assert_safe(output: str) -> None:
    markup = Markup(output)
    assert not FORBIDDEN_TAGS & set(markup.tags), output
    assert set(markup.tags) <= ALLOWED_TAGS, output
    for lowered in ("<script", "<iframe", "<svg", "<img", "<style", "<object", "<embed"):
        assert lowered not in output.lower(), output
    for tag, name, value in markup.attributes:
        assert not name.startswith("on"), output
        if name == "href":
            assert value is not None and urlsplit(value).scheme in SAFE_SCHEMES, output
        if tag == "a" and name == "rel":
            assert value == LINK_REL, output


def assert_stable(output: str) -> None:
    assert sanitise(output) == output


def check_payload(payload: str) -> None:
    for body_format in (BodyFormat.MARKDOWN, BodyFormat.HTML):
        output = render(payload, body_format)
        assert_safe(output)
        assert_stable(output)
    assert sanitise(sanitise(payload)) == sanitise(payload)


@pytest.mark.parametrize("payload", OWN_PAYLOADS)
def test_own_payloads_are_neutralised(payload: str) -> None:
    check_payload(payload)


def test_xss_corpus_is_neutralised(shared_data: Path) -> None:
    payloads = (shared_data / "xss-payloads.txt").read_text(encoding="utf-8").splitlines()
    assert len(payloads) > 6000
    failures = []
    for number, payload in enumerate(payloads, start=1):
        try:
            check_payload(payload)
        except AssertionError as exc:
            failures.append(f"line {number}: {payload!r}: {exc}")
    assert not failures, f"{len(failures)} payloads got through; first ones:\n" + "\n".join(failures[:10])


def test_markdown_renders_the_basics() -> None:
    assert render("Hello *there* and **you**") == "<p>Hello <em>there</em> and <strong>you</strong></p>"
    assert render("~~gone~~") == "<p><s>gone</s></p>"
    assert "<blockquote>" in render("> quoted")
    assert "<code>x &lt; y</code>" in render("`x < y`")
    assert render("5. fifth") == '<ol start="5">\n<li>fifth</li>\n</ol>'


def test_links_are_marked_nofollow_ugc_noopener() -> None:
    output = render("[the story](https://example.org/story)")
    assert output == f'<p><a href="https://example.org/story" rel="{LINK_REL}">the story</a></p>'


def test_bare_urls_and_addresses_are_linked() -> None:
    output = render("see https://example.org/a and write to ana@example.org")
    hrefs = [value for _, name, value in Markup(output).attributes if name == "href"]
    assert hrefs == ["https://example.org/a", "mailto:ana@example.org"]


def test_given_rel_is_replaced() -> None:
    output = render('<a href="https://example.org" rel="opener" target="_blank">x</a>', BodyFormat.HTML)
    assert output == f'<a href="https://example.org" rel="{LINK_REL}">x</a>'


@pytest.mark.parametrize("source", ["[x](javascript:alert(1))", '<a href="javascript:alert(1)">x</a>'])
@pytest.mark.parametrize("body_format", [BodyFormat.MARKDOWN, BodyFormat.HTML])
def test_no_javascript_link(source: str, body_format: BodyFormat) -> None:
    output = render(source, body_format)
    assert_safe(output)
    assert not [value for _, name, value in Markup(output).attributes if name == "href"]


def test_images_are_not_rendered() -> None:
    output = render("![a cat](https://example.org/cat.png)")
    assert "<img" not in output
    assert "a cat" in output


@pytest.mark.parametrize("source", ["# 1 reason", "## Title", "Title\n=====", "Title\n-----"])
def test_headings_are_not_produced(source: str) -> None:
    output = render(source)
    assert not any(tag.startswith("h") and tag[1:].isdigit() for tag in Markup(output).tags), output
    assert "Title" in output or "1 reason" in output


def test_raw_html_in_markdown_is_escaped() -> None:
    assert render("<b>bold</b> <script>x</script>") == "<p>&lt;b&gt;bold&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;</p>"


def test_html_input_is_sanitised() -> None:
    source = '<p onclick="x()">Hi <b>there</b> <img src=x onerror=y()><a href="https://e.org">e</a></p><h1>Big</h1>'
    assert render(source, BodyFormat.HTML) == f'<p>Hi there <a href="https://e.org" rel="{LINK_REL}">e</a></p>Big'


def test_script_content_is_not_kept_as_text() -> None:
    output = render("<p>ok</p><script>alert(1)</script>", BodyFormat.HTML)
    assert "<script" not in output
    assert_safe(output)


def test_text_input_is_escaped() -> None:
    source = '<b>not bold</b> & "quoted"\nnext line\n\n*not em*'
    assert render(source, BodyFormat.TEXT) == (
        '<p>&lt;b&gt;not bold&lt;/b&gt; &amp; "quoted"<br>next line</p><p>*not em*</p>'
    )


def test_render_defaults_to_markdown() -> None:
    assert render("*x*") == render("*x*", BodyFormat.MARKDOWN) == "<p><em>x</em></p>"


# Text with HTML's special characters and tag-like fragments mixed in.
FRAGMENTS = st.sampled_from(
    [
        "<",
        ">",
        '"',
        "'",
        "&",
        "&amp;",
        "&#106;",
        "<a href=",
        "</a>",
        "<p>",
        "</p>",
        "<b>",
        "<script>",
        "</script>",
        "<img src=x onerror=",
        "javascript:",
        "https://example.org/",
        "<!--",
        "-->",
        "*",
        "_",
        "`",
        "[x](",
        ")",
        "\n",
        "\n\n",
        "> ",
        "1. ",
        "<br/>",
        "<ol start=",
        "onclick=",
        "=",
    ]
)
MARKUPISH = st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), max_size=20).map("".join)


@given(MARKUPISH)
def test_sanitise_is_idempotent(text: str) -> None:
    once = sanitise(text)
    assert sanitise(once) == once
    assert_safe(once)


@given(MARKUPISH, st.sampled_from(list(BodyFormat)))
def test_render_output_is_safe_and_a_fixed_point_of_sanitise(text: str, body_format: BodyFormat) -> None:
    output = render(text, body_format)
    assert_safe(output)
    assert sanitise(output) == output
