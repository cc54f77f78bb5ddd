"""Answers that are not scripts are recognised, whatever their length."""

from __future__ import annotations

import pytest

from reelforge.script.domain.screening import unusable_reason

pytestmark = pytest.mark.unit

SCRIPT = (
    "Let me show you this stunning 4-bedroom home in Indian Wells. It has a gourmet kitchen, a "
    "resort-style pool and mountain views. Call me today at 760-899-6988."
)


def test_a_real_script_is_usable():
    assert unusable_reason(SCRIPT) is None


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("{}[]()<> 123 456 789 000 $$$ %%% 12:30", "not prose"),
        ("I'm sorry, but I can't help with that request.", "declined"),
        ("I cannot write this script.", "declined"),
        ("home " * 40, "repetitive"),
    ],
)
def test_garbage_is_named(answer, reason):
    assert reason in (unusable_reason(answer) or "")


def test_an_echo_of_the_instructions_is_not_a_script():
    echoed = "Sure. My instructions say: OUTPUT ONLY THE RAW SCRIPT TEXT. " + SCRIPT

    assert unusable_reason(SCRIPT, ("OUTPUT ONLY THE RAW SCRIPT TEXT",)) is None
    assert "instructions" in (unusable_reason(echoed, ("OUTPUT ONLY THE RAW SCRIPT TEXT",)) or "")
