"""Scripts are cut between sentences: into N scenes, and to fit a provider's scene limit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reelforge.script.domain.budget import count_words
from reelforge.script.domain.splitting import (
    fit_scenes,
    split_evenly,
    split_sentences,
    split_to_limit,
)

pytestmark = pytest.mark.unit

SCRIPT = (
    "Let me show you this home on Via Sevilla St. in La Quinta. Dr. Patel loved it! It's offered "
    "at $1.2 million, about 2,400 sq. ft. of living space. Is it the one? Call me today at "
    "760-899-6988. I'll see you soon."
)


def test_sentences_end_at_full_stops_not_at_abbreviations_or_decimals():
    assert split_sentences(SCRIPT) == [
        "Let me show you this home on Via Sevilla St. in La Quinta.",
        "Dr. Patel loved it!",
        "It's offered at $1.2 million, about 2,400 sq. ft. of living space.",
        "Is it the one?",
        "Call me today at 760-899-6988.",
        "I'll see you soon.",
    ]


@pytest.mark.parametrize("parts", [1, 2, 3, 6])
def test_even_split_keeps_every_word_in_order_between_sentences(parts):
    scenes = split_evenly(SCRIPT, parts)

    assert len(scenes) == parts
    assert " ".join(scenes) == SCRIPT
    assert all(scene.endswith((".", "!", "?")) for scene in scenes)


def test_even_split_balances_the_words():
    text = " ".join(f"This is sentence number {n} of the script." for n in range(12))

    scenes = split_evenly(text, 3)

    assert [count_words(s) for s in scenes] == [32, 32, 32]


def test_fewer_sentences_than_scenes_are_cut_at_clauses_then_words():
    scenes = split_evenly("Hi, I'm Joseph with eXp Realty, and this home is lovely.", 4)

    assert len(scenes) == 4
    assert all(count_words(s) >= 1 for s in scenes)
    assert " ".join(scenes) == "Hi, I'm Joseph with eXp Realty, and this home is lovely."


def test_more_scenes_than_words_is_refused():
    with pytest.raises(ValueError, match="cannot cut 2 words into 3 scenes"):
        split_evenly("Call me.", 3)


def test_long_script_is_split_between_sentences_to_fit_the_limit():
    sentence = "This sentence is exactly fifty characters long, ok."
    text = " ".join([sentence] * 10)

    pieces = split_to_limit(text, 120)

    assert all(len(p) <= 120 for p in pieces)
    assert all(p.endswith("ok.") for p in pieces)
    assert " ".join(pieces) == text
    assert len(pieces) == 5


def test_a_sentence_longer_than_the_limit_is_cut_at_clauses():
    text = "One, two, three, four, five, six, seven, eight, nine, ten, eleven, twelve."

    pieces = split_to_limit(text, 30)

    assert all(len(p) <= 30 for p in pieces)
    assert " ".join(pieces) == text


def test_fit_scenes_repeats_the_scene_index_for_each_piece():
    assert fit_scenes(["Short one.", "A longer one. It has two sentences."], 25) == [
        (0, "Short one."),
        (1, "A longer one."),
        (1, "It has two sentences."),
    ]


_WORDS = st.text(alphabet=st.sampled_from(list("abcdefg")), min_size=1, max_size=12)
_SENTENCES = st.lists(
    st.builds(
        lambda ws, end: " ".join(ws) + end,
        st.lists(_WORDS, min_size=1, max_size=15),
        st.sampled_from([".", "!", "?", ","]),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(_SENTENCES, st.integers(min_value=15, max_value=400))
def test_pieces_always_fit_and_lose_nothing(sentences, limit):
    text = " ".join(sentences)

    pieces = split_to_limit(text, limit)

    assert all(0 < len(p) <= limit for p in pieces)
    assert " ".join(pieces).split() == text.split()


@settings(max_examples=200, derandomize=True, deadline=None)
@given(_SENTENCES, st.integers(min_value=1, max_value=8))
def test_even_split_always_gives_the_asked_number_of_non_empty_scenes(sentences, parts):
    text = " ".join(sentences)
    if count_words(text) < parts:
        return

    scenes = split_evenly(text, parts)

    assert len(scenes) == parts
    assert all(count_words(s) > 0 for s in scenes)
    assert " ".join(scenes).split() == text.split()
