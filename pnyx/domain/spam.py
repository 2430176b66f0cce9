"""A local spam score from 0 (plain conversation) to 100 (certainly spam), from signals in one comment.

No network, no model, no state: the same comment always scores the same, so a moderator can see why
(``Score.reasons``) and a site can choose its threshold (``Policy.spam_threshold``). Each feature below
adds points; their sum is capped at 100. Weights were set on the labelled UCI YouTube Spam Collection
(see tests/unit/test_spam.py for the measured precision and recall) and on our own fixture of news-style
comments: no single weak signal reaches the default threshold of 70 alone, and any two strong ones do.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pnyx.domain.links import host_of
from pnyx.domain.wordlists import compile_words, words

MAX_SCORE = 100

# Phrases of self-promotion and money offers (whole words, folded like banned words). News readers argue about
# bitcoin, casinos and loans, so topics are not here, only the ways spam asks for a click. Strong phrases
# rarely occur in honest comments; weak ones do, and only add to other evidence.
STRONG_PHRASES = (
    "check out my", "check my", "visit my", "watch my", "look at my", "go to my", "listen to my",
    "subscribe to my", "subscribe my", "sub to my", "subscribe to me", "subscribe to us", "sub to me",
    "sub 4 sub", "sub for sub", "subscribe back", "sub back",
    "please subscribe", "plz subscribe", "subscribe please", "subscribe plz", "like and subscribe",
    "my channel", "our channel", "my new channel", "my youtube", "my blog", "my website", "my site",
    "my videos", "my new video", "my music", "my playlist", "my profile", "my shop", "my store",
    "click here", "click the link", "click this link", "link in my bio", "follow me", "dm me",
    "message me on", "contact me on", "whatsapp me",
    "work from home", "make money", "earn money", "easy money", "extra income", "passive income",
    "free gift card", "gift card", "gift cards", "giftcard", "promo code", "discount code", "coupon code",
    "100% free", "limited offer", "buy now", "order now", "cheap viagra", "viagra", "cialis",
    "weight loss pills", "seo services", "backlinks",
)  # fmt: skip
WEAK_PHRASES = (
    "check out", "check it out", "check this out", "subscribe", "subscribers", "subscribed", "like this comment",
    "please like", "thumbs up", "share this", "help me get", "my video", "my page", "my song", "my cover",
    "my first", "our video", "our new", "earn", "income", "followers", "promote", "support me",
)  # fmt: skip
# Registries where throwaway domains are cheap, and link shorteners that hide where a link goes.
SUSPICIOUS_TLDS = frozenset(
    {"xyz", "top", "click", "loan", "win", "bid", "icu", "buzz", "work", "gq", "tk", "ml", "cf", "ga", "pw", "cam",
     "rest", "kim", "men", "party", "racing", "review", "stream", "download", "date", "faith", "cricket", "science"}
)  # fmt: skip
SHORTENERS = frozenset(
    {"bit.ly", "tinyurl.com", "goo.gl", "t.co", "ow.ly", "is.gd", "cutt.ly", "rebrand.ly", "shorturl.at",
     "tiny.cc", "buff.ly", "adf.ly", "shorte.st", "bc.vc", "rb.gy", "t.ly", "shhort.com", "v.gd"}
)  # fmt: skip
SPAMMY_HOST_WORDS = ("casino", "viagra", "cialis", "loan", "cheap", "seo", "pills", "bet", "porn", "xxx", "replica")

_URLISH = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|ru|pl|info|biz)\b")
_EMAIL_IN_TEXT = re.compile(r"[^\s@]+@[^\s@]+\.[a-z]{2,}", re.IGNORECASE)
# A phone number as adverts write one: an optional +country code, then groups of digits split by spaces, dots or
# dashes (a bare run of digits is more often a count, a year or an order number).
_PHONE = re.compile(r"(?<![\w+])\+?(?:\d{1,4}[\s.-]){2,4}\d{3,4}(?![\w])")
# Links that pay their poster per click or sign-up.
_REFERRAL_QUERY = frozenset({"ref", "referral", "referrer", "aff", "affid", "aff_id", "affiliate", "invite", "friend"})
_REFERRAL_PATH = re.compile(r"/(?:ref|referral|invite|affiliate|aff)/", re.IGNORECASE)
_MONEY = re.compile(r"[$€£]\s?\d[\d,.]*\s*(?:k\b)?|\d[\d,.]*\s?(?:usd|dollars|euros?)\b", re.IGNORECASE)
_RUN = re.compile(r"(.)\1{5,}")


@dataclass(frozen=True, slots=True)
class Signals:
    """What the score looks at: the text as typed, the link targets of its rendered HTML, and the author fields."""

    text: str
    links: tuple[str, ...] = ()
    author_name: str | None = None
    author_email: str | None = None
    website: str | None = None


@dataclass(frozen=True, slots=True)
class Score:
    """A score 0-100 and the names of the features that added to it."""

    value: int
    reasons: tuple[str, ...] = field(default=())


def score(signals: Signals) -> Score:
    """The comment's spam score, with the features that made it."""
    points: dict[str, int] = {}
    for feature in _FEATURES:
        for name, value in feature(signals).items():
            if value:
                points[name] = value
    total = min(MAX_SCORE, sum(points.values()))
    return Score(total, tuple(sorted(points, key=lambda name: -points[name])))


def _links(s: Signals) -> dict[str, int]:
    # Links are what spam is for. One link is common in honest comments (a source, a report); each further
    # link is less so. A short line around a link ("great article! example.com") is the commonest drive-by
    # spam, and three or more links with hardly a word between them say nothing themselves.
    count = len(s.links)
    prose = len(_URLISH.sub("", s.text).strip())
    return {
        "links": 0 if count == 0 else min(40, 20 + 10 * (count - 1)),
        "short_with_link": 20 if count >= 1 and prose < 60 else 0,
        "link_density": 20 if count >= 3 and prose < 40 * count else 0,
    }


def _hosts(s: Signals) -> dict[str, int]:
    # Where the links go: throwaway registries, shorteners that hide the target, or a host that names its trade.
    hosts = [host for host in (host_of(href) for href in s.links) if host]
    return {
        "suspicious_tld": 20 if any(host.rsplit(".", 1)[-1] in SUSPICIOUS_TLDS for host in hosts) else 0,
        "shortener": 30 if any(_shortened(host) for host in hosts) else 0,
        "spammy_host": 20 if any(_spammy_host(host) for host in hosts) else 0,
        # The same site linked again and again is promotion, not citation.
        "repeated_host": 15 if hosts and max(Counter(hosts).values()) >= 3 else 0,
        "referral_link": 25 if any(_referral(href) for href in s.links) else 0,
    }


def _phrases(s: Signals) -> dict[str, int]:
    # Known phrases of self-promotion and money offers; each distinct one adds, up to a cap. A plea with a
    # link is an advert for that link, so the two together add a little more.
    strong = compile_words(STRONG_PHRASES).find_all(s.text)
    # A weak phrase inside a strong one found ("subscribe" in "subscribe to me") is the same evidence.
    weak = [w for w in compile_words(WEAK_PHRASES).find_all(s.text) if not any(w in phrase for phrase in strong)]
    return {
        "spam_phrases": min(90, 45 * len(strong)),
        "weak_phrases": min(30, 10 * len(weak)),
        "promotion_with_link": 10 if (strong or weak) and s.links else 0,
    }


def _shape(s: Signals) -> dict[str, int]:
    # SHOUTING, long runs of one character ("!!!!!!!", "pleaseeeeee") and a word said over and over are
    # how attention is begged for; each is weak alone (honest readers shout too), so they add little.
    letters = [ch for ch in s.text if ch.isalpha()]
    upper = sum(1 for ch in letters if ch.isupper())
    tokens = words(s.text)
    most = max(Counter(tokens).values()) if tokens else 0
    return {
        "shouting": 10 if len(letters) >= 20 and upper / len(letters) > 0.7 else 0,
        "repeated_characters": 5 if _RUN.search(s.text) else 0,
        "repeated_words": 5 if len(tokens) >= 8 and most >= 4 and most / len(tokens) > 0.2 else 0,
    }


def _contact(s: Signals) -> dict[str, int]:
    # Contact details and sums of money in a comment are how offers reach their marks.
    prose = _URLISH.sub(" ", s.text)
    return {
        "email_in_text": 20 if _EMAIL_IN_TEXT.search(s.text) else 0,
        "phone_number": 15 if _PHONE.search(prose) else 0,
        "money": 10 if _MONEY.search(s.text) else 0,
    }


def _author(s: Signals) -> dict[str, int]:
    # The author fields: a name that is an address or a keyword list is an advert, and so is a website
    # whose address has the shape of a doorway page (long, hyphenated, a spammy word or registry).
    name = (s.author_name or "").strip()
    return {
        "name_is_url": 40 if name and (_URLISH.search(name) or "://" in name) else 0,
        "name_has_phrase": 25 if name and compile_words(STRONG_PHRASES).find(name) else 0,
        "spammy_website": _website_points(s.website),
    }


def _website_points(website: str | None) -> int:
    if not website:
        return 0
    try:
        parts = urlsplit(website)
    except ValueError:
        return 0
    host = (parts.hostname or "").lower()
    points = 0
    if host.count("-") >= 2 or _spammy_host(host) or host.rsplit(".", 1)[-1] in SUSPICIOUS_TLDS:
        points += 20
    if _shortened(host):
        points += 20
    if len(parts.query) > 40 or "ref=" in parts.query or "aff" in parts.query:
        points += 10
    return min(30, points)


def _referral(href: str) -> bool:
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    names = {pair.split("=", 1)[0].lower() for pair in f"{parts.query}&{parts.fragment}".split("&") if "=" in pair}
    return bool(names & _REFERRAL_QUERY) or bool(_REFERRAL_PATH.search(parts.path))


def _shortened(host: str) -> bool:
    return host.removeprefix("www.") in SHORTENERS


def _spammy_host(host: str) -> bool:
    return any(word in host for word in SPAMMY_HOST_WORDS)


_FEATURES = (_links, _hosts, _phrases, _shape, _contact, _author)
