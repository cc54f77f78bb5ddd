"""Reading the brief's fragments ("gourmet kitchen", "Priced at $1.2 million", "median price up
4%") well enough to say them in a sentence a presenter would use."""

from __future__ import annotations

import re
from enum import StrEnum


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_COMMON_FIRST_WORDS = _set(
    """a an the this that these those my our your their its stunning beautiful gorgeous
    charming modern luxury luxurious spacious cozy cosy renovated remodeled new newly
    updated brand single one two three four five six seven eight nine ten family home house
    condo townhouse townhome estate villa property lot land ranch cottage bungalow listing
    waterfront golf mountain desert pool open market weekly monthly quarterly annual yearly
    local housing real first spring summer fall autumn winter thank thanks happy welcome
    congratulations quick big small great huge important mid-century contemporary elegant
    private gated quiet corner custom classic historic turnkey move-in fully recently
    freshly large bright sunny upgraded gourmet chef's resort-style remodelled ocean lake
    river city downtown suburban rural starter investment income rental multi-family duplex
    penthouse loft studio apartment mortgage interest rates prices inventory median average
    buyers sellers first-time tips why how what when where should is are do can checking
    just closing moving referral anniversary holiday holidays season seasonal year welcoming
    number share pace percentage ratio amount volume supply rate cost price mean typical
    sales days"""
)
_PROPER_ADJECTIVES = _set(
    """spanish mediterranean tuscan italian french english victorian georgian tudor colonial
    craftsman cape mission santa san el la las los del st mt"""
)
_DETERMINERS = _set("a an the")
_POSSESSIVES = _set("its your our my their his her this that these those")
_AUXILIARIES = _set(
    """is are was were am be been has have had will would can could should shall may might must
    do does did isn't aren't wasn't weren't don't doesn't didn't won't can't couldn't
    shouldn't it's there's that's here's what's we're you're they're i'm i've we've you've
    they've i'll we'll you'll they'll let's i'd we'd you'd they'd he's she's he'd she'd"""
)
_SUBJECT_PRONOUNS = _set("i we you they he she it there")
_INNER_VERBS = _set(
    """features boasts includes offers overlooks backs faces sits comes has have gets needs"""
)
_PREPOSITIONS = _set(
    """in on at with throughout by for to near from into over under across along around behind
    beside between off onto past through within without"""
)
_LOCATIVES = _set("close near minutes steps walking within on in at across next just only moments")
_PARTICIPLES = _set(
    """priced located situated nestled tucked set perched updated renovated remodeled
    remodelled refreshed upgraded built designed landscaped positioned surrounded backing
    overlooking facing listed offered"""
)
_ADVERBS = _set("fully newly recently freshly completely beautifully thoughtfully")
_PREDICATE_ADJECTIVES = _set("perfect ideal great move-in turnkey ready")
_NUMBER_WORDS = _set(
    """one two three four five six seven eight nine ten eleven twelve single double triple dual
    half"""
)
_DIRECTIONS = _set("up down flat steady unchanged higher lower")
_CHANGE_VERBS = _set(
    """rose fell increased decreased climbed dropped jumped slipped grew declined rising
    falling climbing dropping increasing decreasing"""
)
_THE_SUBJECTS = _set(
    """median average mean typical number share pace percentage ratio amount volume supply rate
    cost price"""
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
_STAT = re.compile(
    r"^(?P<subject>[^\d$:]*?[^\W\d_][^\d$:]*?)\s*(?::|\bof\b|\bat\b|\bis\b)?\s*"
    r"(?P<value>(?:around |about |near |roughly |over |under )?[$~]?\d.*)$",
    re.IGNORECASE,
)


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
    """`text` with its first word in lower case when it is an ordinary word, not a name.

    "Gourmet kitchen" and "Hardwood floors throughout" were capitalised only because they start
    a line; "El Paseo shopping" and "Spanish-style casita" keep their capitals.
    """
    words = text.split()
    if not words:
        return text
    first = words[0]
    if not first[:1].isupper() or (len(first) > 1 and first[1:].isupper()):
        return text
    base = first.split("-")[0].lower().rstrip(",;:")
    ordinary = base in _COMMON_FIRST_WORDS or first.lower() in _COMMON_FIRST_WORDS
    rest_lowercase = len(words) > 1 and all(
        not w[:1].isupper() for w in words[1:] if w[:1].isalpha()
    )
    if ordinary or (rest_lowercase and base not in _PROPER_ADJECTIVES):
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
        vowel_sound = (
            number.startswith("8")
            or number in ("11", "18")
            or (len(number) in (5, 6) and number.startswith(("11", "18")))
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
    if (
        not market
        and _PRICE.search(text)
        and (text.startswith("$") or _PRICE_LEAD.match(text) or len(words) <= 4)
    ):
        return PointKind.PRICE
    first, second = words[0], words[1] if len(words) > 1 else ""
    if _is_predicate(words):
        return PointKind.PREDICATE
    if (
        re.match(r"^\d", first)
        or first.split("-")[0] in _NUMBER_WORDS
        or (first in _NUMBER_WORDS and second)
    ):
        return PointKind.QUANTITY
    return PointKind.NOUN


def _is_clause(words: list[str]) -> bool:
    if words[0].split("'")[0] in _SUBJECT_PRONOUNS and len(words) > 1:
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
    """ "Minutes from PGA West" -> "minutes from PGA West" (said after "It's")."""
    text = tidy(point)
    return text[:1].lower() + text[1:] if _is_predicate(words_of(text)) else lower_first(text)


def quantity_phrase(point: str) -> str:
    """ "3-car garage" -> "a 3-car garage"; "4 bedrooms" -> "4 bedrooms"."""
    text = lower_first(tidy(point))
    first = text.split(" ", 1)[0]
    if "-" in first and not is_plural(text):
        return f"{indefinite_article(text)} {text}"
    return text


def market_statement(point: str) -> str:
    """A market key point as a sentence: "median price up 4%" -> "The median price is up 4%"."""
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
    if words and words[0] in (
        "thank",
        "thanks",
        "happy",
        "welcome",
        "congratulations",
        "congrats",
        "merry",
        "checking",
        "celebrating",
        "introducing",
    ):
        return TopicKind.SENTENCE
    return TopicKind.PHRASE


def split_label(topic: str) -> tuple[str | None, str]:
    """ "Just listed: 4-bedroom home" -> ("Just listed", "4-bedroom home")."""
    label, sep, rest = topic.partition(":")
    if (
        sep
        and rest.strip()
        and 1 <= len(label.split()) <= 3
        and not any(c.isdigit() for c in label)
    ):
        return tidy(label), tidy(rest)
    return None, tidy(topic)


def short_topic(phrase: str, max_words: int = 5) -> str:
    """The head of a topic phrase: "mid-century gem on a quiet cul-de-sac" -> "mid-century gem"."""
    words = phrase.split()
    kept: list[str] = []
    for word in words:
        bare = word.strip(",;:").lower()
        if len(kept) >= 2 and (bare in _PREPOSITIONS or bare in ("overlooking", "featuring")):
            break
        kept.append(word.rstrip(",;:"))
        if word.endswith((",", ";", ":")) and len(kept) >= 2:
            break
    return " ".join(kept[:max_words])


_STREET = re.compile(
    r"^\d+[A-Za-z]?\s+(?:[NSEW]\.?\s+)?(?:[\w.'-]+\s+){0,4}(?:st|street|ave|avenue|rd|road|dr|drive|"
    r"ln|lane|way|ct|court|blvd|boulevard|pl|place|cir|circle|ter|terrace|trl|trail|pkwy|parkway|"
    r"hwy|highway|sq|square|loop|row|run|path|pass|point|pt)\b\.?",
    re.IGNORECASE,
)


def is_address(topic: str) -> bool:
    """ "123 Main Street", "78-455 Via Sevilla Dr, La Quinta": a street address, said as a name."""
    return bool(_STREET.match(tidy(topic).replace("-", "", 1)))
