"""Reading the brief's fragments ("gourmet kitchen", "Priced at $1.2 million", "median price up
4%") well enough to say them in a sentence a presenter would use."""

from __future__ import annotations

import re
from enum import StrEnum

_COMMON_FIRST_WORDS = frozenset(
    """a an the this that these those my our your their its stunning beautiful gorgeous charming
    modern luxury luxurious spacious cozy cosy renovated remodeled new newly updated brand single
    one two three four five six seven eight nine ten family home house condo townhouse townhome
    estate villa property lot land ranch cottage bungalow listing waterfront golf mountain desert
    pool open market weekly monthly quarterly annual yearly local housing real first spring summer
    fall autumn winter thank thanks happy welcome congratulations quick big small great huge
    important mid-century contemporary elegant private gated quiet corner custom classic historic
    turnkey move-in fully recently freshly large bright sunny upgraded gourmet chef's resort-style
    remodelled ocean lake river city downtown suburban rural starter investment income rental
    multi-family duplex penthouse loft studio apartment mortgage interest rates prices inventory
    median average buyers sellers first-time tips why how what when where should is are do can
    checking just closing moving referral anniversary holiday holidays season seasonal year
    welcoming number share pace percentage ratio amount volume supply rate cost price mean
    typical sales days""".split()
)
_DETERMINERS = frozenset("a an the".split())
_POSSESSIVES = frozenset("its your our my their his her this that these those".split())
_AUXILIARIES = frozenset(
    """is are was were am be been has have had will would can could should shall may might must
    do does did isn't aren't wasn't weren't don't doesn't didn't won't can't couldn't shouldn't
    it's there's that's here's what's we're you're they're i'm i've we've you've they've i'll
    we'll you'll they'll let's""".split()
)
_SUBJECT_PRONOUNS = frozenset("i we you they he she it there".split())
_INNER_VERBS = frozenset(
    "features boasts includes offers overlooks backs faces sits comes has have gets needs".split()
)
_PREPOSITIONS = frozenset(
    """in on at with throughout by for to near from into over under across along around behind
    beside between off onto past through within without""".split()
)
_LOCATIVES = frozenset(
    "close near minutes steps walking within on in at across next just only moments".split()
)
_PARTICIPLES = frozenset(
    """priced located situated nestled tucked set perched updated renovated remodeled remodelled
    refreshed upgraded built designed landscaped positioned surrounded backing overlooking facing
    listed offered""".split()
)
_ADVERBS = frozenset("fully newly recently freshly completely beautifully thoughtfully".split())
_PREDICATE_ADJECTIVES = frozenset("perfect ideal great move-in turnkey ready".split())
_NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve single double triple dual
    half""".split()
)
_DIRECTIONS = frozenset("up down flat steady unchanged higher lower".split())
_CHANGE_VERBS = frozenset(
    """rose fell increased decreased climbed dropped jumped slipped grew declined rising falling
    climbing dropping increasing decreasing""".split()
)
_THE_SUBJECTS = frozenset(
    """median average mean typical number share pace percentage ratio amount volume supply rate
    cost price""".split()
)
_PRICE = re.compile(
    r"\$|\b(?:priced|price|asking|offered at|listed at)\b|\d(?:\.\d+)?\s*(?:million|mil|m|k)\b",
    re.IGNORECASE,
)
_PRICE_LEAD = re.compile(
    r"^(?:(?:it'?s\s+)?(?:priced|offered|listed)(?:\s+at)?|(?:the\s+)?(?:asking|list|listing)?\s*"
    r"price(?:\s+(?:of|is))?\s*:?)\s*",
    re.IGNORECASE,
)
_STAT = re.compile(r"^(?P<subject>[^\d$:]*?[^\W\d_][^\d$:]*?)\s*(?::|\bof\b|\bat\b|\bis\b)?\s*"
                   r"(?P<value>(?:around |about |near |roughly |over |under )?[$~]?\d.*)$",
                   re.IGNORECASE)


class PointKind(StrEnum):
    SENTENCE = "sentence"
    PRICE = "price"
    PREDICATE = "predicate"
    QUANTITY = "quantity"
    CHANGE = "change"
    STAT = "stat"
    NOUN = "noun"


class TopicKind(StrEnum):
    QUESTION = "question"
    SENTENCE = "sentence"
    PHRASE = "phrase"


def tidy(fragment: str) -> str:
    """One line, no surrounding quotes, no trailing full stop, comma or colon."""
    text = " ".join(fragment.split()).strip("\"'\u201c\u201d\u2018\u2019 ")
    return text.rstrip(".,;: ")


def lower_first(text: str) -> str:
    """`text` with its first word in lower case when it is an ordinary word, not a name."""
    first = text.split(" ", 1)[0]
    if first.lower() in _COMMON_FIRST_WORDS and first[:1].isupper() and not first[1:].isupper():
        return text[:1].lower() + text[1:]
    return text


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def as_sentence(text: str, end: str = ".") -> str:
    text = upper_first(text.strip())
    return text if text.endswith((".", "!", "?")) else text + end


def words_of(text: str) -> list[str]:
    return [w.strip(",;:()\"'").lower() for w in text.split()]


def without_article(phrase: str) -> str:
    head, _, rest = phrase.partition(" ")
    return rest if head.lower() in _DETERMINERS and rest else phrase


def with_the(phrase: str) -> str:
    """`phrase` led by "the", unless it already has its own determiner ("your", "its")."""
    phrase = without_article(phrase)
    if phrase.split(" ", 1)[0].lower() in _POSSESSIVES:
        return phrase
    return f"the {phrase}"


def indefinite_article(phrase: str) -> str:
    first = phrase.split(" ", 1)[0].lower()
    digits = re.match(r"\d+", first)
    if digits:
        number = digits.group(0)
        vowel_sound = number.startswith("8") or number in ("11", "18") or (
            len(number) in (5, 6) and number.startswith(("11", "18"))
        )
        return "an" if vowel_sound else "a"
    if first.startswith(("uni", "use", "usu", "one", "eu")):
        return "a"
    if first.startswith(("hour", "honest", "heir")):
        return "an"
    return "an" if first[:1] in "aeiou" else "a"


def is_plural(phrase: str) -> bool:
    """Whether the head noun (the last word before a preposition) is plural."""
    words = words_of(phrase)
    head_words: list[str] = []
    for word in words:
        if word in _PREPOSITIONS or word in ("and", "or"):
            break
        head_words.append(word)
    head = (head_words or words or [""])[-1]
    if "and" in words[: len(head_words) + 1]:
        return True
    return head.endswith("s") and not head.endswith(("ss", "us", "is", "'s"))


def classify_point(point: str, market: bool = False) -> PointKind:
    """What a key point is, grammatically; `market` reads stats before prices."""
    text = tidy(point)
    words = words_of(text)
    if not words:
        return PointKind.NOUN
    if point.strip().endswith((".", "!", "?")) or _is_clause(words):
        return PointKind.SENTENCE
    if market:
        if _change_index(words) is not None:
            return PointKind.CHANGE
        if _STAT.match(text) and not text[:1].isdigit() and not text.startswith("$"):
            return PointKind.STAT
    if not market and _PRICE.search(text) and (text.startswith("$") or _PRICE_LEAD.match(text) or len(words) <= 4):
        return PointKind.PRICE
    first, second = words[0], words[1] if len(words) > 1 else ""
    if _is_predicate(words):
        return PointKind.PREDICATE
    if re.match(r"^\d", first) or first.split("-")[0] in _NUMBER_WORDS or (
        first in _NUMBER_WORDS and second
    ):
        return PointKind.QUANTITY
    return PointKind.NOUN


def _is_clause(words: list[str]) -> bool:
    if words[0] in _SUBJECT_PRONOUNS and len(words) > 1:
        return True
    if any(w in _AUXILIARIES for w in words):
        return True
    return any(w in _INNER_VERBS for w in words[1:-1])


def _is_predicate(words: list[str]) -> bool:
    first = words[0]
    rest = words[1:]
    opens_with_preposition = not rest or rest[0] in _PREPOSITIONS or rest[0] == "throughout"
    if first in _LOCATIVES:
        return True
    if first in _PARTICIPLES:
        return opens_with_preposition
    if first in _ADVERBS and rest and rest[0] in _PARTICIPLES:
        return len(rest) == 1 or rest[1] in _PREPOSITIONS
    if first in _PREDICATE_ADJECTIVES:
        return opens_with_preposition or rest[:1] == ["ready"]
    return False


def _change_index(words: list[str]) -> int | None:
    for index, word in enumerate(words[1:], start=1):
        if word in _DIRECTIONS or word in _CHANGE_VERBS:
            return index
    return None


def price_value(point: str) -> str:
    """ "Priced at $1.2 million" -> "$1.2 million"; "Asking price: $899K" -> "$899K"."""
    text = tidy(point)
    return _PRICE_LEAD.sub("", text, count=1) or text


def predicate(point: str) -> str:
    return lower_first(tidy(point))


def quantity_phrase(point: str) -> str:
    """ "3-car garage" -> "a 3-car garage"; "4 bedrooms" -> "4 bedrooms"."""
    text = lower_first(tidy(point))
    first = text.split(" ", 1)[0]
    if "-" in first and not is_plural(text):
        return f"{indefinite_article(text)} {text}"
    return text


def market_statement(point: str) -> str:
    """A market key point as a full sentence: "median price up 4%" -> "The median price is up 4%."."""
    text = tidy(point)
    words = text.split()
    lowered = words_of(text)
    index = _change_index(lowered)
    if index is not None:
        subject = " ".join(words[:index])
        rest = " ".join(words[index:])
        plural = is_plural(subject) and not _takes_the(subject)
        verb = "" if lowered[index] in _CHANGE_VERBS else (" are" if plural else " is")
        return as_sentence(f"{_market_subject(subject)}{verb} {lower_first(rest)}")
    match = _STAT.match(text)
    if match:
        subject = match.group("subject").strip()
        verb = "are" if is_plural(subject) and not _takes_the(subject) else "is"
        return as_sentence(f"{_market_subject(subject)} {verb} {match.group('value').strip()}")
    return as_sentence(text)


def _takes_the(subject: str) -> bool:
    """ "median price", "average days on market", "number of sales": singular, led by "the"."""
    return subject.split(" ", 1)[0].lower() in _THE_SUBJECTS


def _market_subject(subject: str) -> str:
    subject = lower_first(subject.strip())
    return upper_first(with_the(subject) if _takes_the(subject) else subject)


def topic_kind(topic: str) -> TopicKind:
    text = topic.strip()
    if text.endswith("?"):
        return TopicKind.QUESTION
    words = words_of(text)
    if text.endswith(("!", ".")) or (words and _is_clause(words)):
        return TopicKind.SENTENCE
    if words and words[0] in ("thank", "thanks", "happy", "welcome", "congratulations",
                              "congrats", "merry", "checking", "celebrating", "introducing"):
        return TopicKind.SENTENCE
    return TopicKind.PHRASE


def split_label(topic: str) -> tuple[str | None, str]:
    """ "Just listed: 4-bedroom home" -> ("Just listed", "4-bedroom home")."""
    label, sep, rest = topic.partition(":")
    if sep and rest.strip() and 1 <= len(label.split()) <= 3 and not any(c.isdigit() for c in label):
        return tidy(label), tidy(rest)
    return None, tidy(topic)
