"""An LLM answer becomes only the words a presenter says."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reelforge.script.domain.cleaning import clean_script

pytestmark = pytest.mark.unit


def test_markdown_laden_answer_is_reduced_to_spoken_words():
    answer = """Here's your 75-word script:

# Stunning Indian Wells Home

**[Opening shot: the front of the house]**

**Narrator:** *smiles* Hi, I'm Joseph Sardella with eXp Realty! \U0001f3e1

- Gourmet kitchen
- Resort-style **pool**
- Mountain views

(Pause) Call me today at (760) 899-6988 to schedule your *private* showing.

---
Word count: 75
Let me know if you'd like any changes!"""

    assert clean_script(answer) == (
        "Hi, I'm Joseph Sardella with eXp Realty! Gourmet kitchen. Resort-style pool. "
        "Mountain views. Call me today at (760) 899-6988 to schedule your private showing."
    )


@pytest.mark.parametrize(
    ("answer", "spoken"),
    [
        ("[Music swells] Welcome home.", "Welcome home."),
        ("Welcome home. [pause] It's lovely.", "Welcome home. It's lovely."),
        ("(smiling warmly) Welcome home.", "Welcome home."),
        ("Welcome home. *waves goodbye*", "Welcome home."),
        ("Greeting (0-5 seconds): Welcome home.", "Welcome home."),
        ("It has *three* bedrooms.", "It has three bedrooms."),
        (
            "It has 2,400 square feet (about 223 square meters).",
            "It has 2,400 square feet (about 223 square meters).",
        ),
        ("Visit [my website](https://example.com) today.", "Visit my website today."),
    ],
)
def test_stage_directions_go_and_spoken_text_stays(answer, spoken):
    assert clean_script(answer) == spoken


@pytest.mark.parametrize(
    ("answer", "spoken"),
    [
        ("Narrator: Welcome home.", "Welcome home."),
        ("HOST: Welcome home.", "Welcome home."),
        ("Agent (smiling): Welcome home.", "Welcome home."),
        ("Joseph Sardella: Welcome home.\nJoseph: Call me.", "Welcome home. Call me."),
        ("Scene 2: Welcome home.", "Welcome home."),
        ("Open House: Saturday at 2.", "Open House: Saturday at 2."),
        ("Call me at 10:30 tomorrow.", "Call me at 10:30 tomorrow."),
    ],
)
def test_speaker_labels_are_removed_but_title_case_speech_is_kept(answer, spoken):
    assert clean_script(answer, speaker_names=["Joseph Sardella"]) == spoken


@pytest.mark.parametrize(
    ("answer", "spoken"),
    [
        ('"Welcome home. Call me today."', "Welcome home. Call me today."),
        ("\u201cWelcome home.\u201d", "Welcome home."),
        ("'Welcome home, it's lovely.'", "Welcome home, it's lovely."),
        ('"Hi," she said, "welcome."', '"Hi," she said, "welcome."'),
    ],
)
def test_only_quotes_around_the_whole_script_are_removed(answer, spoken):
    assert clean_script(answer) == spoken


def test_code_fences_and_emoji_are_not_spoken():
    assert clean_script("```\nWelcome home \u2728\U0001f525 #JustListed\n```") == (
        "Welcome home JustListed"
    )


def test_nothing_spoken_gives_an_empty_script():
    assert clean_script("**[Intro music]**\n\n---\n(pause)") == ""


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("abcXYZ 019.,!?:;-'\"()[]*_#>\n\u2014\u201c\u201d\U0001f3e1")
        ),
        max_size=120,
    )
)
def test_cleaning_is_stable_on_its_own_output(answer):
    once = clean_script(answer)

    assert clean_script(once) == once
