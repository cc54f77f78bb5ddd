"""Word budgets: 2.5 spoken words a second, +-10%."""

from __future__ import annotations

import pytest

from reelforge.script.domain.budget import WordBudget, count_words, estimate_seconds

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("seconds", "target", "low", "high"),
    [
        (15, 37, 34, 41),
        (30, 75, 68, 82),
        (60, 150, 135, 165),
        (120, 300, 270, 330),
        (5, 12, 12, 13),
    ],
)
def test_budget_is_two_and_a_half_words_a_second_within_ten_percent(seconds, target, low, high):
    budget = WordBudget.for_seconds(seconds)

    assert (budget.target_words, budget.min_words, budget.max_words) == (target, low, high)
    assert budget.contains(low)
    assert budget.contains(high)
    assert not budget.contains(low - 1)
    assert not budget.contains(high + 1)


def test_distance_counts_words_outside_the_band():
    budget = WordBudget.for_seconds(30)

    assert budget.distance(75) == 0
    assert budget.distance(60) == 8
    assert budget.distance(90) == 8


def test_a_budget_needs_a_positive_length():
    with pytest.raises(ValueError, match="positive"):
        WordBudget.for_seconds(0)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Call me today at 760-899-6988.", 5),
        ("This 4-bedroom home - truly - stunning!", 5),
        ("  \n\t ", 0),
        ("... \u2014 !!!", 0),
        ("It's priced at $1.2 million.", 5),
    ],
)
def test_count_words_counts_what_a_presenter_says(text, words):
    assert count_words(text) == words


def test_estimated_seconds_follow_the_same_rate():
    assert estimate_seconds(75) == 30.0
    assert estimate_seconds(76) == 30.4
