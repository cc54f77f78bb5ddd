"""Turn a model's answer into only the words a presenter says.

Models wrap scripts in markdown, headings, speaker labels ("Narrator:"), stage directions
("[pause]", "(smiles)", "*waves*"), section timings ("(0-5 seconds)"), quotes and chatter
("Here's your script:"). Text-to-speech would read all of that aloud, so it goes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_RULE = re.compile(r"^\s*([-*_=]\s*){3,}$")
_BULLET = re.compile(r"^\s*(?:[-*+\u2022\u2023\u25aa\u25cf]|\d{1,2}[.)])\s+")
_QUOTE_MARKER = re.compile(r"^\s*>+\s?")
_META_LINE = re.compile(
    r"^\s*\(?\s*(?:notes?|word count|words|estimated (?:time|duration|length)|duration|length|"
    r"runtime|reading time|title|visuals?|on[- ]screen(?: text)?|b-?roll|camera|shot|music|"
    r"sound|sfx|caption)s?\s*(?:\([^)]*\))?\s*[:=\u2013\u2014-]",
    re.IGNORECASE,
)
_WORD_COUNT_LINE = re.compile(r"^\s*[\[(]?\s*(?:~|approx\.?\s*)?\d+\s*words?\b.*$", re.IGNORECASE)
_PREAMBLE = re.compile(
    r"^\s*(?:sure|certainly|of course|absolutely|okay|ok|great|here(?:'s|\u2019s| is| are))\b",
    re.IGNORECASE,
)
_CHATTER_END = re.compile(
    r"^\s*(?:i hope this|let me know if|would you like me to|"
    r"feel free to (?:ask|adjust|edit|tweak)|"
    r"this script (?:is|runs|has|comes)|word count)",
    re.IGNORECASE,
)
_KNOWN_LABEL = re.compile(
    r"^\s*(?:narrator|host|speaker(?:\s*\d+)?|agent|presenter|realtor|voice[- ]?over|v\.?o\.?|"
    r"avatar|interviewer|scene\s*\d+|part\s*\d+|section\s*\d+|hook|intro(?:duction)?|outro|"
    r"opening|closing|close|greeting|body|main message|key (?:features|points)|"
    r"call[- ]to[- ]action|cta|next steps|script|video script|sign[- ]?off)\b"
    r"[^:\n]{0,40}?:\s*",
    re.IGNORECASE,
)
_CAPS_LABEL = re.compile(
    r"^\s*(?:[A-Z][A-Z.'\u2019-]*\s+){0,3}[A-Z][A-Z.'\u2019-]+\s*(?:\([^)]*\))?\s*:\s*"
)
_LABEL_TAIL = r"\s*(?:\([^)]*\))?\s*:\s*"
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_DIRECTION_STAR = re.compile(r"(^\s*|[.!?]\s+)\*([^*\n]+)\*(?=\s|$)")
_EMPHASIS_STAR = re.compile(r"\*([^*\n]+)\*")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<!\w)_([^_\n]+)_(?!\w)")
_BRACKETS = re.compile(r"\[[^\]\n]*\]|\{[^}\n]*\}|<[^>\n]*>")
_PARENS = re.compile(r"\(([^()\n]*)\)")
_TIMING = re.compile(
    r"\d+\s*(?:[-\u2013\u2014]|to)?\s*\d*\s*(?:s|secs?|seconds?|mins?|minutes?)\b", re.I
)
_DIRECTION_WORDS = re.compile(
    r"\b(?:pause|beat|music|smil\w*|laugh\w*|gestur\w*|wave\w*|point\w*|cut to|scene|camera|"
    r"b-?roll|visual|on[- ]screen|shot|transition|fade|zoom|cue|tone|whisper\w*|sfx)\b",
    re.IGNORECASE,
)
_INLINE_CODE = re.compile(r"`([^`]*)`")
_HASHTAG = re.compile(r"(?<![\w&])#(?=\w)")
_STRAY_MARKUP = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)|[#|\\^~`\[\]{}<>]")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_DOUBLE_PUNCT = re.compile(r"([,;:])\s*([.!?])|([.!?])\s*[,;:]")
_REPEATED_COMMA = re.compile(r",\s*,+")
_SPACES = re.compile(r"[ \t\u00a0]+")
_TERMINAL = re.compile(r"[.!?\u2026][\"'\u201d\u2019)]*$")
_QUOTE_PAIRS = {'"': '"', "\u201c": "\u201d", "'": "'", "\u2018": "\u2019", "\u00ab": "\u00bb"}


def clean_script(answer: str, speaker_names: Iterable[str] = ()) -> str:
    """The spoken words of `answer`, as one paragraph with sentence punctuation kept.

    `speaker_names` are labels to strip besides the generic ones ("Narrator:", "HOST:"): the
    presenter's name ("Joseph Sardella:", "Joseph:"). Other title-case words before a colon
    ("Open House: Saturday at 2") are speech and stay.
    """
    labels = _speaker_label_pattern(speaker_names)
    pieces: list[str] = []
    lines = _content_lines(answer.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    for raw, was_bullet in lines:
        line = _strip_labels(_BOLD.sub(r"\2", raw), labels)
        line = _strip_labels(_clean_inline(line).strip(), labels)
        line = _strip_quotes(line.strip())
        if not _has_words(line):
            continue
        if was_bullet and not _TERMINAL.search(line):
            line += "."
        pieces.append(line)
    text = _tidy(_clean_inline(" ".join(pieces)))
    text = _strip_quotes(text)
    return text if _has_words(text) else ""


def clean_fragment(text: str) -> str:
    """One piece of customer text (a topic, a key point, a name) as plain words on one line:
    no markup, brackets, emoji or stray symbols; empty when nothing speakable is left."""
    line = _clean_inline(_BOLD.sub(r"\2", " ".join(text.split())))
    line = _strip_quotes(_tidy(line))
    return line if _has_words(line) else ""


def _content_lines(lines: list[str]) -> list[tuple[str, bool]]:
    """Lines that may hold speech, with whether each was a list item; drops fences and meta."""
    kept: list[tuple[str, bool]] = []
    for line in lines:
        if not line.strip() or _FENCE.match(line) or _HEADING.match(line) or _RULE.match(line):
            continue
        line = _QUOTE_MARKER.sub("", line)
        if _META_LINE.match(_unbold(line)) or _WORD_COUNT_LINE.match(line):
            continue
        bullet = _BULLET.match(line)
        kept.append((line[bullet.end() :] if bullet else line, bullet is not None))
    if kept and _PREAMBLE.match(kept[0][0]) and kept[0][0].rstrip().endswith(":"):
        kept = kept[1:]
    while kept and _CHATTER_END.match(_unbold(kept[-1][0])):
        kept = kept[:-1]
    return kept


def _unbold(line: str) -> str:
    return _BOLD.sub(r"\2", line).lstrip("*_ ")


def _clean_inline(line: str) -> str:
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = _INLINE_CODE.sub(r"\1", line)
    line = _BOLD.sub(r"\2", line)
    line = _DIRECTION_STAR.sub(r"\1", line)
    line = _EMPHASIS_STAR.sub(r"\1", line)
    line = _EMPHASIS_UNDERSCORE.sub(r"\1", line)
    line = _BRACKETS.sub(" ", line)
    line = _PARENS.sub(_keep_spoken_parenthetical, line)
    line = _HASHTAG.sub("", line)
    line = "".join(ch for ch in line if not _is_symbol(ch))
    return _STRAY_MARKUP.sub(" ", line)


def _keep_spoken_parenthetical(match: re.Match[str]) -> str:
    """Keep "(760)" and "(about 2,400 square feet)"; drop "(smiles)" and "(0-5 seconds)"."""
    inner = match.group(1)
    if not any(ch.isdigit() for ch in inner):
        return " "
    if _TIMING.search(inner) or _DIRECTION_WORDS.search(inner):
        return " "
    return match.group(0)


def _is_symbol(ch: str) -> bool:
    """Emoji and pictographs, which speech engines read out or choke on."""
    category = unicodedata.category(ch)
    return category in ("So", "Cs", "Co") or ch in "\u200d\ufe0f\ufe0e"


def _speaker_label_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    variants: set[str] = set()
    for name in names:
        words = name.split()
        if words:
            variants.update({" ".join(words), words[0], words[-1]})
    if not variants:
        return None
    alternatives = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
    return re.compile(rf"^\s*(?:{alternatives}){_LABEL_TAIL}", re.IGNORECASE)


def _strip_labels(line: str, speaker: re.Pattern[str] | None) -> str:
    for pattern in (_KNOWN_LABEL, _CAPS_LABEL, speaker):
        match = pattern.match(line) if pattern else None
        if match:
            line = line[match.end() :]
    return line


def _strip_quotes(text: str) -> str:
    """Remove quotes around the whole text, not quotes that open and close inside it."""
    while len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        inner = text[1:-1]
        opening, closing = text[0], text[-1]
        if opening in ("'", "\u2018"):
            inner_quotes = re.findall(rf"(?<![^\W\d_]){closing}|{closing}(?![^\W\d_])", inner)
            if inner_quotes or (opening != closing and opening in inner):
                break
        elif opening in inner or closing in inner:
            break
        text = inner.strip()
    return text


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _tidy(text: str) -> str:
    previous = None
    while text != previous:
        previous = text
        text = _SPACES.sub(" ", text)
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
        text = _REPEATED_COMMA.sub(",", text)
        text = _DOUBLE_PUNCT.sub(lambda m: m.group(2) or m.group(3), text)
        text = re.sub(r"\(\s*\)", "", text)
        text = _SPACES.sub(" ", text).strip().lstrip(",;:.>-\u2013\u2014 ")
    return text
