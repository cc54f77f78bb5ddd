"""Is a cleaned answer a script at all? Empty text, refusals, symbol soup, loops and echoed
instructions are not, whatever their word count."""

from __future__ import annotations

import re

from .budget import count_words

_REFUSAL = re.compile(
    r"^(?:i'?m sorry|i am sorry|sorry,|i apologi[sz]e|i can(?:not|'t|\u2019t)\b|"
    r"i'?m (?:unable|not able)|i am (?:unable|not able)|as an ai\b|i won'?t\b)",
    re.IGNORECASE,
)
MIN_LETTER_SHARE = 0.6
MIN_DISTINCT_SHARE = 0.2


def unusable_reason(text: str, prompt_markers: tuple[str, ...] = ()) -> str | None:
    """Why `text` cannot be spoken as a script, or None when it can.

    `prompt_markers` are phrases only the instructions contain; finding one in the answer means
    the model echoed its prompt (for instance because the topic told it to).
    """
    words = count_words(text)
    if words == 0:
        return "empty answer"
    visible = [ch for ch in text if not ch.isspace()]
    letters = sum(ch.isalpha() for ch in visible)
    if letters / len(visible) < MIN_LETTER_SHARE:
        return "not prose (mostly digits or symbols)"
    if _REFUSAL.match(text):
        return "the model declined to write the script"
    tokens = re.findall(r"[^\W_]+", text.lower())
    if len(tokens) >= 20 and len(set(tokens)) / len(tokens) < MIN_DISTINCT_SHARE:
        return "repetitive text"
    lowered = text.lower()
    for marker in prompt_markers:
        if marker.lower() in lowered:
            return "the answer repeats the instructions instead of a script"
    return None
