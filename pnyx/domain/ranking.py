"""Ordering comments: the Wilson score lower bound behind "Best"."""

from __future__ import annotations

import math

# z for a 95% confidence interval: a comment needs real support, not one lucky vote, to rank high.
Z = 1.959963984540054
# Ranks are stored as integers so keyset pagination compares exact values on every database.
RANK_SCALE = 1_000_000_000


def wilson_lower_bound(up: int, down: int, z: float = Z) -> float:
    """Lower bound of the Wilson interval for the share of upvotes; 0.0 without upvotes."""
    n = up + down
    if up <= 0 or n <= 0:  # exactly 0; the formula would leave a float residue that grows with downvotes
        return 0.0
    p = up / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt((p * (1 - p) + z * z / (4 * n)) / n)
    return max(0.0, (centre - margin) / (1 + z * z / n))


def rank(up: int, down: int) -> int:
    """The stored "best" rank of a comment: its Wilson lower bound as an integer."""
    return round(wilson_lower_bound(up, down) * RANK_SCALE)
