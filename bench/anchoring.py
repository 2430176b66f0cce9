"""Benchmark of finding passages again in an edited article (pnyx.domain.anchoring.locate).

A 30,000-character article is generated from a fixed seed; each case is timed over many rounds
in the same run, so the figures compare with each other.
"""

from __future__ import annotations

import random
import statistics
import time

from pnyx.domain.anchoring import Selector, locate

WORDS = "newsroom rota shift editor desk reporter salary trial week day pay staff council budget".split()
ROUNDS = 50


def article(seed: int = 7, length: int = 30_000) -> str:
    """Plain prose-like text of about ``length`` characters."""
    rng = random.Random(seed)
    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < length:
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + ".")
    return " ".join(sentences)[:length]


def selector_at(text: str, start: int, length: int) -> Selector:
    end = start + length
    return Selector(text[start:end], text[max(0, start - 32) : start], text[end : end + 32], start, end)


def median_ms(text: str, selector: Selector) -> float:
    samples = []
    for _ in range(ROUNDS):
        begin = time.perf_counter()
        locate(text, selector)
        samples.append((time.perf_counter() - begin) * 1000)
    return statistics.median(samples)


def cases() -> list[tuple[str, str, Selector]]:
    text = article()
    quote = selector_at(text, 15_000, 1_000)
    edited = text[:15_400] + "reworded" + text[15_408:]  # one word changed inside the quote
    inserted = text[:5_000] + "An inserted sentence about the budget. " * 10 + text[5_000:]
    removed = text[:14_900] + text[16_100:]
    return [
        ("exact, unchanged article", text, quote),
        ("exact, text inserted before", inserted, quote),
        ("fuzzy, a word changed", edited, quote),
        ("orphan, passage removed", removed, quote),
    ]


def main() -> list[str]:
    """One line per case: the median time of locate."""
    lines = ["== locate() on a 30,000-character article, 1,000-character quote"]
    for name, text, selector in cases():
        found = locate(text, selector)
        outcome = found.match.value if found else "orphan"
        lines.append(f"{name:<34} median {median_ms(text, selector):8.3f} ms   ({outcome})")
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
