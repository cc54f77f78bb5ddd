"""The parts of a template script for each video type: hook, introduction, key points, call to
action and the supporting sentences a longer video draws on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reelforge.contracts import VideoType

from . import template_content as content
from .phrasing import (
    PointKind,
    TopicKind,
    as_sentence,
    classify_point,
    indefinite_article,
    is_address,
    lower_first,
    market_statement,
    predicate,
    price_value,
    quantity_phrase,
    short_topic,
    split_label,
    tidy,
    topic_kind,
    upper_first,
    with_the,
    without_article,
)
from .template_fit import Piece, Script
from .variation import Variation
from .writer import ScriptBrief

SECTION_ORDER: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: (
        "hook",
        "intro",
        "overview",
        "points",
        "lifestyle",
        "area",
        "price",
        "why_now",
        "working",
        "recap",
        "cta",
        "signoff",
    ),
    VideoType.MARKET_UPDATE: (
        "hook",
        "intro",
        "context",
        "points",
        "trends",
        "takeaway",
        "buyers",
        "sellers",
        "owners",
        "outlook",
        "cta",
        "signoff",
    ),
    VideoType.PERSONAL_MESSAGE: (
        "hook",
        "topic",
        "opening",
        "points",
        "care",
        "support",
        "referrals",
        "cta",
        "signoff",
    ),
    VideoType.CUSTOM: ("hook", "intro", "context", "points", "body", "working", "cta", "signoff"),
}


@dataclass
class _Speaker:
    name: str | None
    company: str | None
    phone: str | None
    email: str | None

    @property
    def first(self) -> str | None:
        return self.name.split()[0] if self.name else None


def _speaker_of(brief: ScriptBrief) -> _Speaker:
    s = brief.speaker

    def clean(value: str | None) -> str | None:
        return " ".join(value.split()) if value and value.strip() else None

    if s is None:
        return _Speaker(None, None, None, None)
    return _Speaker(clean(s.name), clean(s.company), clean(s.phone), clean(s.email))


def _fill(templates: Sequence[str], **values: str) -> tuple[str, ...]:
    return tuple(t.format(**values) for t in templates)


def _piece(
    section: str,
    role: str,
    options: Sequence[str],
    variation: Variation,
    shorter: Sequence[str] = (),
    key: str | None = None,
    tiny: Sequence[str] = (),
) -> Piece:
    return Piece(
        section=section,
        role=role,
        options=tuple(options),
        choice=variation.pick(key or role, len(options)),
        shorter=tuple(shorter),
        tiny=tuple(t for t in dict.fromkeys(tiny) if t not in options and t not in shorter),
    )


def _topic_phrase(topic: str) -> str:
    return without_article(lower_first(tidy(topic)))


def _add_intro(
    script: Script, video_type: VideoType, speaker: _Speaker, variation: Variation
) -> None:
    if not speaker.name:
        return
    if speaker.company:
        options = _fill(content.INTROS[video_type], name=speaker.name, company=speaker.company)
    else:
        options = _fill(content.INTROS_NO_COMPANY[video_type], name=speaker.name)
    script.add(_piece("intro", "intro", options, variation))


def _build_property(
    script: Script, brief: ScriptBrief, speaker: _Speaker, variation: Variation
) -> None:
    label, topic = split_label(brief.topic)
    kind = topic_kind(topic)
    if is_address(topic):
        hooks = _fill(content.PROPERTY_ADDRESS_HOOKS, topic=tidy(topic))
        shorter = _fill(content.PROPERTY_SHORT_ADDRESS_HOOKS, topic=tidy(topic))
        tiny = _fill(content.PROPERTY_SHORT_ADDRESS_HOOKS, topic=tidy(topic).split(",")[0])
    elif kind is TopicKind.PHRASE:
        phrase = _topic_phrase(topic)
        values = {"topic": phrase, "a_topic": f"{indefinite_article(phrase)} {phrase}"}
        hooks = _fill(content.PROPERTY_HOOKS, **values)
        shorter = _fill(content.PROPERTY_SHORT_HOOKS, **values)
        tiny = _fill(content.PROPERTY_SHORT_HOOKS, topic=short_topic(phrase))
    else:
        hooks = _fill(content.PROPERTY_SENTENCE_HOOKS, said=as_sentence(topic))
        shorter = (as_sentence(topic),)
        tiny = ()
    if label:
        hooks, shorter, tiny = (
            tuple(f"{upper_first(label)}! {h}" for h in group) for group in (hooks, shorter, tiny)
        )
    script.add(_piece("hook", "hook", hooks, variation, shorter, tiny=tiny))
    _add_intro(script, VideoType.PROPERTY_LISTING, speaker, variation)

    kinds = [classify_point(p) for p in brief.key_points]
    spoken = [
        (p, k) for p, k in zip(brief.key_points, kinds, strict=True) if k is not PointKind.PRICE
    ]
    prices = [p for p, k in zip(brief.key_points, kinds, strict=True) if k is PointKind.PRICE]
    nexts = variation.shuffled("next_point", content.PROPERTY_NEXT_POINT)
    for index, (point, kind_of_point) in enumerate(spoken):
        key = f"point{index}"
        if kind_of_point is PointKind.NOUN:
            if index == 0:
                templates: Sequence[str] = content.PROPERTY_FIRST_POINT
            elif index == len(spoken) - 1:
                templates = content.PROPERTY_LAST_POINT
            else:
                templates = (nexts[index % len(nexts)],)
            options = _fill(templates, point=without_article(lower_first(tidy(point))))
            role = "noun_point"
        elif kind_of_point is PointKind.PREDICATE:
            options = _fill(
                content.PROPERTY_PREDICATES[:1] if index == 0 else content.PROPERTY_PREDICATES,
                point=predicate(point),
            )
            role = "point"
        elif kind_of_point is PointKind.QUANTITY:
            options = _fill(content.PROPERTY_QUANTITIES, point=quantity_phrase(point))
            role = "point"
        else:
            options = (as_sentence(point.strip()),)
            role = "point"
        script.add(_piece("points", role, options, variation, key=key))
    nouns = [without_article(lower_first(tidy(p))) for p, k in spoken if k is PointKind.NOUN]
    if len(nouns) >= 2:
        listed = _join_with_the(nouns)
        merged = script.add(
            _piece(
                "points",
                "point_list",
                _fill(content.PROPERTY_POINT_LISTS, points=listed),
                variation,
            )
        )
        merged.included = False
        recap = script.add(Piece("recap", "recap", (f"So, to recap: the {listed}.",)))
        recap.included = False
    for index, price in enumerate(prices):
        templates = content.PROPERTY_PRICES if index == 0 else content.PROPERTY_PRICES[1:2]
        script.add(
            _piece(
                "price",
                "price",
                _fill(templates, price=price_value(price)),
                variation,
                key=f"price{index}",
            )
        )
    if not prices:
        script.add(_piece("price", "urgency", content.PROPERTY_URGENCY, variation))


def _join_with_the(nouns: Sequence[str]) -> str:
    if len(nouns) == 2:
        return f"{nouns[0]} and the {nouns[1]}"
    return ", the ".join(nouns[:-1]) + f", and the {nouns[-1]}"


def _market_scope(topic: str) -> str:
    words = [
        w
        for w in tidy(topic).split()
        if w.lower() not in ("update", "report", "recap", "snapshot", "overview", "review")
    ]
    phrase = lower_first(" ".join(words) or tidy(topic))
    return with_the(phrase) if "market" in phrase.lower() else phrase


def _build_market(
    script: Script, brief: ScriptBrief, speaker: _Speaker, variation: Variation
) -> None:
    kind = topic_kind(brief.topic)
    if kind is TopicKind.PHRASE:
        scope = _market_scope(brief.topic)
        hooks = _fill(content.MARKET_HOOKS, topic=scope)
        shorter = _fill(content.MARKET_SHORT_HOOKS, topic=scope)
        tiny = _fill(content.MARKET_SHORT_HOOKS, topic=short_topic(scope))
    else:
        hooks = _fill(content.MARKET_SENTENCE_HOOKS, said=as_sentence(brief.topic.strip()))
        shorter = (as_sentence(brief.topic.strip()),)
        tiny = ()
    script.add(_piece("hook", "hook", hooks, variation, shorter, tiny=tiny))
    _add_intro(script, VideoType.MARKET_UPDATE, speaker, variation)
    nouns = variation.shuffled("market_nouns", content.MARKET_NOUN_POINTS)
    for index, point in enumerate(brief.key_points):
        kind_of_point = classify_point(point, market=True)
        if kind_of_point in (PointKind.CHANGE, PointKind.STAT):
            statement = market_statement(point)
            options: tuple[str, ...] = (statement,)
            if index == 0:
                options += tuple(
                    o.format(point=lower_first(statement), Point=statement)
                    for o in content.MARKET_POINT_OPENERS
                )
        elif kind_of_point is PointKind.SENTENCE:
            options = (as_sentence(point.strip()),)
        elif index == 0:
            options = _fill(content.MARKET_FIRST_NOUN_POINT, point=lower_first(tidy(point)))
        else:
            options = (nouns[index % len(nouns)].format(point=lower_first(tidy(point))),)
        script.add(_piece("points", "point", options, variation, key=f"point{index}"))
    script.add(_piece("takeaway", "takeaway", content.MARKET_TAKEAWAYS, variation))


def _build_personal(
    script: Script, brief: ScriptBrief, speaker: _Speaker, variation: Variation
) -> None:
    if speaker.name and speaker.company:
        greetings = _fill(
            content.PERSONAL_GREETINGS_NAMED,
            name=speaker.name,
            first=speaker.first or speaker.name,
            company=speaker.company,
        )
    elif speaker.name:
        greetings = _fill(
            content.PERSONAL_GREETINGS_NAMED_NO_COMPANY,
            name=speaker.name,
            first=speaker.first or speaker.name,
        )
    else:
        greetings = content.PERSONAL_GREETINGS
    shorter = (
        _fill(content.PERSONAL_SHORT_GREETINGS[:1], first=speaker.first)
        if speaker.first
        else content.PERSONAL_SHORT_GREETINGS[1:]
    )
    script.add(_piece("hook", "hook", greetings, variation, shorter))
    kind = topic_kind(brief.topic)
    if kind is TopicKind.PHRASE:
        topic = with_the(lower_first(tidy(brief.topic)))
        lines = _fill(content.PERSONAL_TOPIC_LINES, topic=topic)
    else:
        lines = (as_sentence(brief.topic.strip(), "!"),)
    script.add(_piece("topic", "topic", lines, variation))
    framings = variation.shuffled("personal_points", content.PERSONAL_POINTS)
    for index, point in enumerate(brief.key_points):
        if classify_point(point) is PointKind.SENTENCE:
            options: tuple[str, ...] = (as_sentence(point.strip()),)
        else:
            options = (framings[index % len(framings)].format(point=lower_first(tidy(point))),)
        script.add(_piece("points", "point", options, variation, key=f"point{index}"))


def _build_custom(
    script: Script, brief: ScriptBrief, speaker: _Speaker, variation: Variation
) -> None:
    kind = topic_kind(brief.topic)
    said = as_sentence(brief.topic.strip())
    if kind is TopicKind.QUESTION:
        hooks = _fill(content.CUSTOM_QUESTION_HOOKS, said=said)
        shorter: tuple[str, ...] = (said,)
    elif kind is TopicKind.SENTENCE:
        hooks = _fill(content.CUSTOM_SENTENCE_HOOKS, said=said)
        shorter = (said,)
    else:
        phrase = lower_first(tidy(brief.topic))
        hooks = _fill(content.CUSTOM_HOOKS, topic=phrase)
        shorter = _fill(content.CUSTOM_SHORT_HOOKS, topic=phrase)
    tiny = _fill(content.CUSTOM_SHORT_HOOKS, topic=short_topic(lower_first(tidy(brief.topic))))
    script.add(_piece("hook", "hook", hooks, variation, shorter, tiny=tiny))
    _add_intro(script, VideoType.CUSTOM, speaker, variation)
    framings = variation.shuffled("custom_points", content.CUSTOM_POINTS)
    count = len(brief.key_points)
    for index, point in enumerate(brief.key_points):
        if classify_point(point) is PointKind.SENTENCE:
            options: tuple[str, ...] = (as_sentence(point.strip()),)
        else:
            phrase = lower_first(tidy(point))
            if index == count - 1 and count > 1:
                options = _fill(content.CUSTOM_LAST_POINT, point=phrase)
            elif index == 0:
                options = _fill(content.CUSTOM_FIRST_POINT, point=phrase)
            else:
                options = (framings[index % len(framings)].format(point=phrase),)
        script.add(_piece("points", "point", options, variation, key=f"point{index}"))


_BUILDERS: dict[VideoType, Callable[[Script, ScriptBrief, _Speaker, Variation], None]] = {
    VideoType.PROPERTY_LISTING: _build_property,
    VideoType.MARKET_UPDATE: _build_market,
    VideoType.PERSONAL_MESSAGE: _build_personal,
    VideoType.CUSTOM: _build_custom,
}


def _add_call_to_action(
    script: Script, video_type: VideoType, speaker: _Speaker, variation: Variation
) -> None:
    if speaker.phone:
        options = _fill(content.CTAS_PHONE[video_type], phone=speaker.phone)
        shorter = _fill(content.SHORT_CTAS, phone=speaker.phone)
    elif speaker.email:
        options = _fill(content.CTAS_EMAIL[video_type], email=speaker.email)
        shorter = content.SHORT_CTAS_NO_PHONE
    else:
        options = content.CTAS_NONE[video_type]
        shorter = content.SHORT_CTAS_NO_PHONE
    script.add(_piece("cta", "cta", options, variation, shorter))
    script.add(_piece("signoff", "signoff", content.SIGNOFFS[video_type], variation))


def build(brief: ScriptBrief, variation: Variation) -> tuple[Script, list[Piece]]:
    """The script's parts for `brief` (every alternative), and its supporting sentences in the
    order this job tries them."""
    speaker = _speaker_of(brief)
    script = Script(order=SECTION_ORDER[brief.video_type])
    _BUILDERS[brief.video_type](script, brief, speaker, variation)
    _add_call_to_action(script, brief.video_type, speaker, variation)
    return script, _supporting(script, brief.video_type, variation)


def _supporting(script: Script, video_type: VideoType, variation: Variation) -> list[Piece]:
    pieces = [
        script.add(Piece(section, "filler", (sentence,), included=False))
        for section, sentences in content.FILLERS[video_type]
        for sentence in dict.fromkeys(sentences)
    ]
    return variation.shuffled("fillers", pieces)
