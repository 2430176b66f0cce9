"""A site's banned and hold words, matched whole-word after folding the usual disguises.

Matching compares words, never substrings, so "Scunthorpe" cannot match "cunt": the text and each
list entry are cut into words at Unicode word boundaries, and an entry of several words matches the
same words in a row, whatever punctuation or spacing lies between them. Before comparing, both sides
are folded the same way:

- NFKC and case folding ("Ｓｐａｍ", "SPAM" and "Straße"/"STRASSE" compare equal);
- invisible format characters (soft hyphen, zero-width space) are removed, so "sp\\u200bam" is "spam";
- accents are removed from Latin and Greek letters ("café" is "cafe"); other scripts keep their marks,
  because there they make different letters (Russian "й" is not "и") or vowels (Devanagari);
- inside a word that mixes Latin with Cyrillic or Greek letters, look-alike letters become Latin
  (a Cyrillic "а" in "spаm"); words wholly in one script are left alone;
- single characters joined by dots, dashes or stars ("s.p.a.m", "s-p-a-m") become one word; spaced
  letters ("s p a m") do not, as ordinary text has too many of those;
- leetspeak: inside a word with at least one letter, @ $ ! | + read as a s i/l i/l t, and inside a word
  with at least two letters, digits 0 1 3 4 5 7 8 9 read as o i/l e a s t b g ("sp4m", "$cam", "sh1t").
  One letter is not enough for digits: road names ("A55") and models ("B52") stay numbers;
- a letter repeated three or more times may also be read once or twice ("spaaaam", "coooool").

Han, Hiragana and Katakana characters are words of one character each (Unicode's default rule), so an
entry in Chinese or Japanese matches those characters in a row. Scripts written without spaces and
without such a rule (Thai, Lao, Khmer) only match whole space-separated runs.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

# Symbols that stand for letters; "!" and "|" and the digit 1 may be an i or an l.
_LEET_SYMBOLS = {"@": "a", "$": "s", "!": "i", "|": "i", "+": "t"}
_LEET_DIGITS = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"}
_EITHER_I_OR_L = frozenset("1!|")
_LEET_CHARS = frozenset(_LEET_SYMBOLS) | frozenset(_LEET_DIGITS)
# A symbol at the start of a word may be a letter ("@ss", "$cam"); "!" or "|" there is punctuation.
_NOT_LEADING = frozenset("!|+")
# At the end of a word, "!" is an exclamation and "@"/"+" are not letters anyone types for a or t.
_NOT_TRAILING = frozenset("!|+@")
# Look-alike letters of Cyrillic and Greek (lower case, after case folding), read as Latin in mixed words.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
        "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w",
        "α": "a", "ο": "o", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "υ": "u", "χ": "x",
    }
)  # fmt: skip
_HOMOGLYPH_SOURCES = frozenset("аеорсухіјѕһԁԛԝαοικνρυχ")
# Single letters or digits joined by dots, dashes, underscores or stars: "s.p.a.m", "s-p-a-m".
_SPELLED_OUT = re.compile(r"(?<![^\W_])[^\W_](?:[.\-_*·][^\W_]){2,}(?![^\W_])")
_SEPARATORS = re.compile(r"[.\-_*·]")
_REPEAT = re.compile(r"(\w)\1{2,}")
# A word with this many i-or-l characters is read with "i" only: 2**n readings would not pay off.
MAX_AMBIGUOUS = 4
_STRIP_MARKS_AFTER = ("LATIN", "GREEK")
_SINGLE_CHAR_WORDS = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA")


def normalise(text: str) -> str:
    """The words of ``text``, folded as described above and joined by single spaces; idempotent."""
    return " ".join(words(text))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return [_canonical(word) for word in _words_of(text)]


@dataclass(frozen=True, slots=True)
class WordList:
    """Compiled entries: each entry as typed, and the readings of each of its words."""

    entries: tuple[tuple[str, tuple[frozenset[str], ...]], ...]

    def find(self, text: str) -> str | None:
        """The first entry that occurs in ``text`` as whole words, or None."""
        return next(self._occurring(text), None)

    def find_all(self, text: str) -> list[str]:
        """Every entry that occurs in ``text`` as whole words, in list order."""
        return list(self._occurring(text))

    def _occurring(self, text: str) -> Iterator[str]:
        if not self.entries:
            return
        readings, where = _analysed(text)
        for entry, wanted in self.entries:
            starts = sorted({p for option in wanted[0] for p in where.get(option, ())})
            if any(_matches_at(readings, start, wanted) for start in starts):
                yield entry

    def __bool__(self) -> bool:
        return bool(self.entries)


def compile_words(entries: Iterable[str]) -> WordList:
    """A WordList of ``entries``; entries that fold to no word are ignored. Cached by content."""
    return _compiled(tuple(entries))


@lru_cache(maxsize=256)
def _compiled(entries: tuple[str, ...]) -> WordList:
    compiled = []
    for entry in entries:
        parts = tuple(_readings(word, squeeze=False) for word in _raw_words(_prepare(entry)))
        if parts:
            compiled.append((entry, parts))
    return WordList(tuple(compiled))


# A comment is read against several lists (banned, hold, spam phrases) one after the other: read it once.
@lru_cache(maxsize=16)
def _words_of(text: str) -> tuple[str, ...]:
    return tuple(_raw_words(_prepare(text)))


@lru_cache(maxsize=16)
def _analysed(text: str) -> tuple[tuple[frozenset[str], ...], dict[str, tuple[int, ...]]]:
    """The readings of each word of ``text``, and the positions where each reading occurs."""
    readings = tuple(_readings(word) for word in _words_of(text))
    where: dict[str, list[int]] = {}
    for position, options in enumerate(readings):
        for option in options:
            where.setdefault(option, []).append(position)
    return readings, {option: tuple(positions) for option, positions in where.items()}


def _matches_at(readings: tuple[frozenset[str], ...], start: int, wanted: tuple[frozenset[str], ...]) -> bool:
    if start + len(wanted) > len(readings):
        return False
    return all(readings[start + k] & options for k, options in enumerate(wanted))


def _prepare(text: str) -> str:
    """Compatibility forms, case, invisible characters and Latin/Greek accents folded; spelled-out words joined."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    visible = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf" and not _is_variation_selector(ch))
    return _SPELLED_OUT.sub(lambda m: _SEPARATORS.sub("", m.group()), _strip_accents(visible))


def _is_variation_selector(ch: str) -> bool:
    # Invisible like format characters, but filed as marks.
    return "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


def _strip_accents(text: str) -> str:
    kept: list[str] = []
    strip = False
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.category(ch).startswith("M"):
            if not strip:
                kept.append(ch)
            continue
        strip = _loses_marks(ch)
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


@lru_cache(maxsize=4096)
def _loses_marks(ch: str) -> bool:
    if ch.isascii():
        return ch.isalpha()
    return unicodedata.name(ch, "").startswith(_STRIP_MARKS_AFTER)


@lru_cache(maxsize=4096)
def _single_char_word(ch: str) -> bool:
    return not ch.isascii() and unicodedata.name(ch, "").startswith(_SINGLE_CHAR_WORDS)


def _raw_words(text: str) -> Iterator[str]:
    """Runs of letters, marks, digits and leet symbols, trimmed of symbols that cannot be letters there."""
    current: list[str] = []
    for ch in text:
        if _single_char_word(ch):
            yield from _trimmed("".join(current))
            current = []
            yield ch
        elif _is_word_char(ch) or ch in _LEET_SYMBOLS:
            current.append(ch)
        else:
            yield from _trimmed("".join(current))
            current = []
    yield from _trimmed("".join(current))


def _trimmed(run: str) -> Iterator[str]:
    start, end = 0, len(run)
    while start < end and run[start] in _NOT_LEADING:
        start += 1
    while end > start and run[end - 1] in _NOT_TRAILING:
        end -= 1
    word = run[start:end]
    if any(_is_word_char(ch) for ch in word):
        yield word


def _letters(word: str) -> int:
    return sum(1 for ch in word if unicodedata.category(ch)[0] == "L")


def _unmasked(word: str) -> str:
    """Look-alike Cyrillic and Greek letters read as Latin, only in words that also hold Latin letters."""
    if not any(ch in _HOMOGLYPH_SOURCES for ch in word) or not any("a" <= ch <= "z" for ch in word):
        return word
    return word.translate(_HOMOGLYPHS)


def _leet_table(word: str) -> dict[str, str]:
    """What may be read as a letter in ``word``: symbols beside a letter, digits beside two (symbols read included)."""
    if _LEET_CHARS.isdisjoint(word) or _letters(word) < 1:
        return {}
    table = dict(_LEET_SYMBOLS)
    if _letters("".join(table.get(ch, ch) for ch in word)) >= 2:
        table.update(_LEET_DIGITS)
    return table


@lru_cache(maxsize=65536)
def _canonical(word: str) -> str:
    """One reading of a word: leetspeak and look-alikes folded, "i" for every i-or-l character."""
    table = _leet_table(word)
    return _finished("".join(table.get(ch, ch) for ch in word))


def _finished(reading: str) -> str:
    # After leetspeak is read: "$" next to a Greek letter makes the word mixed, and a symbol read as a Latin
    # letter loses the mark it carried, as Latin letters do in _prepare.
    return _strip_accents(_unmasked(reading))


@lru_cache(maxsize=65536)
def _readings(word: str, *, squeeze: bool = True) -> frozenset[str]:
    """Every reading of a word: as written, with leetspeak read (i or l where ambiguous), repeats squeezed.

    Only a comment's words are squeezed: an entry's own repeats ("zzz") would otherwise match shorter words.
    """
    table = _leet_table(word)
    readings = {_unmasked(word), _canonical(word)}
    ambiguous = [i for i, ch in enumerate(word) if ch in table and ch in _EITHER_I_OR_L]
    if 0 < len(ambiguous) <= MAX_AMBIGUOUS:
        base = [table.get(ch, ch) for ch in word]
        for letters in itertools.product("il", repeat=len(ambiguous)):
            for index, letter in zip(ambiguous, letters, strict=True):
                base[index] = letter
            readings.add(_finished("".join(base)))
    for reading in list(readings) if squeeze else ():
        if _REPEAT.search(reading):
            readings.add(_REPEAT.sub(r"\1", reading))
            readings.add(_REPEAT.sub(r"\1\1", reading))
    return frozenset(readings)
