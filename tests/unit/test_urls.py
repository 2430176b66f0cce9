"""Article URLs as thread keys: the canonical form, its idempotence, and what is refused."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pnyx.domain.urls import MAX_KEY_CHARS, canonicalise, is_url, normalise_origin, origin_of, thread_key
from pnyx.errors import Invalid


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://Example.COM/a", "http://example.com/a"),
        ("HtTpS://NEWS.Example.org/Story", "https://news.example.org/Story"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?utm_source=x&utm_medium=y&UTM_Campaign=z", "https://example.com/a"),
        ("https://example.com/a?fbclid=1&gclid=2&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?b=2&a=1&c=3", "https://example.com/a?a=1&b=2&c=3"),
        ("https://example.com/a?a=2&a=1", "https://example.com/a?a=1&a=2"),
        ("https://example.com/a?page=", "https://example.com/a?page="),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com/?", "https://example.com/"),
        ("https://example.com/news/", "https://example.com/news"),
        ("https://example.com/news//", "https://example.com/news"),
        ("https://example.com/news/story/", "https://example.com/news/story"),
        ("https://example.com//", "https://example.com/"),
        ("https://example.com./a", "https://example.com/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("https://[2001:DB8::1]/a/", "https://[2001:db8::1]/a"),
        ("https://[2001:db8::1]:443/", "https://[2001:db8::1]/"),
        ("http://[2001:db8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
        ("http://192.0.2.7:80/x?utm_term=a#top", "http://192.0.2.7/x"),
    ],
)
def test_canonicalise(url: str, canonical: str) -> None:
    assert canonicalise(url) == canonical
    assert canonicalise(canonical) == canonical


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a/b/?z=1&utm_source=n&a=%20b#x",
        "HTTP://[::1]:80//",
        "https://example.com/a?q=a%26b&r=%3D",
        "https://example.com/a?q=1+2&q=%2B",
        "https://example.com/%7Euser/",
        "https://bücher.example/straße/",
    ],
)
def test_canonicalise_is_idempotent_on_hand_examples(url: str) -> None:
    once = canonicalise(url)
    assert canonicalise(once) == once


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript://example.com/%0Aalert(1)",
        "ftp://example.com/file",
        "mailto:ana@example.org",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "//example.com/a",
        "example.com/a",
        "garbage",
        "",
        "   ",
        "http://",
        "https:///path",
        "http://./",
        "http://../a",
        "http://example.com:99999/",
        "http://example.com:port/",
        "http://[::1/",
        "http://example.com/a\x00b",
        "http://example.com/a\x7fb",
    ],
)
def test_canonicalise_refuses(url: str) -> None:
    with pytest.raises(Invalid) as caught:
        canonicalise(url)
    assert caught.value.status == 422


# Hypothesis: URLs built from parts, with everything the canonical form removes or rewrites.
LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=10)
DOMAIN = st.lists(LABEL, min_size=1, max_size=4).map(".".join)
IPV4 = st.ip_addresses(v=4).map(str)
IPV6 = st.ip_addresses(v=6).map(lambda address: f"[{address}]")
HOST = st.one_of(DOMAIN, DOMAIN.map(lambda host: host + "."), IPV4, IPV6)
SCHEME = st.sampled_from(["http", "https", "HTTP", "Https", "hTTps"])
PORT = st.one_of(st.none(), st.sampled_from([80, 443]), st.integers(min_value=1, max_value=65535))
SEGMENT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)
PATH = st.builds(
    lambda segments, slash: "/" + "/".join(quote(s, safe="") for s in segments) + ("/" if slash else ""),
    st.lists(SEGMENT, max_size=4),
    st.booleans(),
)
PARAM_NAME = st.one_of(
    st.sampled_from(["utm_source", "UTM_medium", "utm_campaign", "fbclid", "gclid", "id", "page", "q", "a"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=6),
)
PARAM = st.tuples(PARAM_NAME, st.text(max_size=8))
QUERY = st.lists(PARAM, max_size=5).map(
    lambda params: "&".join(f"{quote(name)}={quote(value, safe='')}" for name, value in params)
)
FRAGMENT = st.one_of(st.none(), st.text(alphabet="abcdefghij-_/?#", max_size=8))


@st.composite
def article_urls(draw: st.DrawFn) -> str:
    url = f"{draw(SCHEME)}://{draw(HOST)}"
    port = draw(PORT)
    if port is not None:
        url += f":{port}"
    url += draw(PATH)
    query = draw(QUERY)
    if query:
        url += "?" + query
    fragment = draw(FRAGMENT)
    if fragment is not None:
        url += "#" + fragment
    return url


@given(article_urls())
def test_canonicalise_is_idempotent(url: str) -> None:
    once = canonicalise(url)
    assert canonicalise(once) == once


@given(article_urls())
def test_canonical_form_has_the_promised_shape(url: str) -> None:
    parts = urlsplit(canonicalise(url))
    assert parts.scheme in ("http", "https")
    assert parts.hostname is not None and parts.hostname == parts.hostname.lower()
    assert not parts.hostname.endswith(".")
    assert parts.port not in (80, 443) or (parts.scheme, parts.port) in (("http", 443), ("https", 80))
    assert parts.fragment == ""
    assert parts.path == "/" or not parts.path.endswith("/")
    params = parse_qsl(parts.query, keep_blank_values=True)
    assert params == sorted(params)
    names = [name for name, _ in params]
    assert not any(name.lower().startswith("utm_") or name in ("fbclid", "gclid") for name in names)


@given(st.text(max_size=40))
def test_canonicalise_of_anything_is_invalid_or_a_fixed_point(tail: str) -> None:
    for url in (tail, "http://" + tail, "https://" + tail):
        try:
            once = canonicalise(url)
        except Invalid:
            continue
        assert canonicalise(once) == once


def test_is_url() -> None:
    assert is_url("https://example.com/a")
    assert is_url("HTTP://example.com/a")
    assert not is_url("article-42")
    assert not is_url("ftp://example.com/a")
    assert not is_url("httpx")


@pytest.mark.parametrize(
    ("key", "stored"),
    [
        ("article-42", "article-42"),
        ("  article-42\t", "article-42"),
        ("Article 42", "Article 42"),
        ("disqus:1234/Ünïcode", "disqus:1234/Ünïcode"),
        ("https://Example.com/news/?utm_source=x#c", "https://example.com/news"),
        ("  HTTP://example.com:80/  ", "http://example.com/"),
        ("x" * MAX_KEY_CHARS, "x" * MAX_KEY_CHARS),
    ],
)
def test_thread_key(key: str, stored: str) -> None:
    assert thread_key(key) == stored


@pytest.mark.parametrize(
    "key",
    [
        "",
        "   ",
        "\t\n",
        "x" * (MAX_KEY_CHARS + 1),
        "https://example.com/" + "x" * MAX_KEY_CHARS,
        "article\x0042",
        "article\x1b[31m42",
        "article\n42",
        "article\x7f",
        "article\x9b31m",
        "https://example.com/a\x00",
        "http://",
        "https://./",
    ],
)
def test_thread_key_refuses(key: str) -> None:
    with pytest.raises(Invalid):
        thread_key(key)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Example.COM/a/b?c=1#d", "https://example.com"),
        ("https://example.com:443/", "https://example.com"),
        ("http://example.com:8080/x", "http://example.com:8080"),
        ("http://[::1]:8000/x", "http://[::1]:8000"),
        ("HTTP://[2001:DB8::1]/", "http://[2001:db8::1]"),
    ],
)
def test_origin_of(url: str, origin: str) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/", "example.com", ""])
def test_origin_of_refuses(url: str) -> None:
    with pytest.raises(Invalid):
        origin_of(url)


@pytest.mark.parametrize(
    ("origin", "normal"),
    [
        ("https://News.Example", "https://news.example"),
        ("https://news.example/", "https://news.example"),
        ("https://news.example:443", "https://news.example"),
        ("http://news.example:8080", "http://news.example:8080"),
        ("  http://localhost:3000  ", "http://localhost:3000"),
    ],
)
def test_normalise_origin(origin: str, normal: str) -> None:
    assert normalise_origin(origin) == normal
    assert normalise_origin(normal) == normal


@pytest.mark.parametrize(
    "origin",
    [
        "https://news.example/path",
        "https://news.example?q=1",
        "https://news.example#top",
        "news.example",
        "null",
        "*",
        "ftp://news.example",
        "javascript:alert(1)",
    ],
)
def test_normalise_origin_refuses(origin: str) -> None:
    with pytest.raises(Invalid):
        normalise_origin(origin)
