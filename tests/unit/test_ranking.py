"""The Wilson score lower bound behind the "Best" sort, and its integer rank."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pnyx.domain.ranking import RANK_SCALE, Z, rank, wilson_lower_bound

VOTES = st.integers(min_value=0, max_value=1_000_000)


def test_no_votes_is_zero() -> None:
    assert wilson_lower_bound(0, 0) == 0.0
    assert rank(0, 0) == 0


@pytest.mark.parametrize("down", [1, 2, 5, 500, 100_000])
def test_only_downvotes_is_zero(down: int) -> None:
    assert wilson_lower_bound(0, down) == 0.0
    assert rank(0, down) == 0


@pytest.mark.parametrize(
    ("up", "down", "expected"),
    [
        # With no downvotes the bound has the closed form 1 / (1 + z²/n).
        (1, 0, 1 / (1 + Z * Z)),
        (10, 0, 1 / (1 + Z * Z / 10)),
        (1, 0, 0.206549314),
        (10, 0, 0.722467200),
        (100, 10, 0.840703473),
        (5, 5, 0.236593091),
        (600, 400, 0.569309430),
    ],
)
def test_known_values(up: int, down: int, expected: float) -> None:
    assert wilson_lower_bound(up, down) == pytest.approx(expected, abs=1e-6)


def test_z_is_the_95_percent_two_sided_quantile() -> None:
    # Φ(z) = 0.975, written with erf so the test does not need scipy.
    assert 0.5 * (1 + math.erf(Z / math.sqrt(2))) == pytest.approx(0.975, abs=1e-12)


def test_support_beats_one_lucky_vote() -> None:
    assert wilson_lower_bound(10, 0) > wilson_lower_bound(1, 0)
    assert wilson_lower_bound(100, 10) > wilson_lower_bound(10, 0)
    assert wilson_lower_bound(10, 1) > wilson_lower_bound(1, 0)
    assert wilson_lower_bound(2, 0) > wilson_lower_bound(1, 1)


def test_more_upvotes_with_same_downvotes_ranks_higher() -> None:
    for down in (0, 1, 5, 50):
        bounds = [wilson_lower_bound(up, down) for up in range(1, 60)]
        assert bounds == sorted(bounds)
        assert len(set(bounds)) == len(bounds)


def test_rank_scales_to_integers() -> None:
    assert isinstance(rank(10, 0), int)
    assert rank(1, 0) == round(wilson_lower_bound(1, 0) * RANK_SCALE) == 206_549_314
    assert rank(10, 0) == 722_467_200
    assert rank(0, 3) == 0


@given(VOTES, VOTES)
def test_bound_lies_in_unit_interval_and_below_the_observed_share(up: int, down: int) -> None:
    bound = wilson_lower_bound(up, down)
    assert 0.0 <= bound <= 1.0
    if up + down:
        assert bound <= up / (up + down) + 1e-12
    assert 0 <= rank(up, down) <= RANK_SCALE


@given(VOTES, VOTES)
def test_bound_rises_with_upvotes_and_falls_with_downvotes(up: int, down: int) -> None:
    bound = wilson_lower_bound(up, down)
    assert wilson_lower_bound(up + 1, down) >= bound
    assert wilson_lower_bound(up, down + 1) <= bound
    assert rank(up + 1, down) >= rank(up, down) >= rank(up, down + 1)
