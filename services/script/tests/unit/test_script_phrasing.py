"""Key points and topics are said the way a presenter would say them."""

from __future__ import annotations

import pytest

from reelforge.script.domain.phrasing import (
    PointKind,
    TopicKind,
    classify_point,
    is_address,
    market_statement,
    price_value,
    quantity_phrase,
    short_topic,
    split_label,
    topic_kind,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("point", "kind"),
    [
        ("gourmet kitchen", PointKind.NOUN),
        ("Updated kitchen", PointKind.NOUN),
        ("Updated throughout", PointKind.PREDICATE),
        ("Minutes from El Paseo", PointKind.PREDICATE),
        ("Move-in ready", PointKind.PREDICATE),
        ("3-car garage", PointKind.QUANTITY),
        ("4 bedrooms", PointKind.QUANTITY),
        ("Priced at $1.2 million", PointKind.PRICE),
        ("The kitchen features quartz counters", PointKind.SENTENCE),
        ("I'd love to take you both to dinner", PointKind.SENTENCE),
    ],
)
def test_listing_points_are_read_by_shape(point, kind):
    assert classify_point(point) is kind


@pytest.mark.parametrize(
    ("point", "sentence"),
    [
        ("median price up 4%", "The median price is up 4%."),
        ("Inventory down 12% year over year", "Inventory is down 12% year over year."),
        ("Mortgage rates around 6.5%", "Mortgage rates are around 6.5%."),
        ("Average days on market: 45", "The average days on market is 45."),
        ("Sales rose 8% from last month", "Sales rose 8% from last month."),
    ],
)
def test_market_statistics_become_sentences(point, sentence):
    assert classify_point(point, market=True) in (PointKind.CHANGE, PointKind.STAT)
    assert market_statement(point) == sentence


def test_prices_quantities_and_topics_are_shaped_for_speech():
    assert price_value("Asking price: $899K") == "$899K"
    assert price_value("Priced at $1.2 million") == "$1.2 million"
    assert quantity_phrase("3-car garage") == "a 3-car garage"
    assert quantity_phrase("8-foot doors") == "8-foot doors"
    assert quantity_phrase("4 bedrooms") == "4 bedrooms"
    assert split_label("Just listed: 4-bedroom home") == ("Just listed", "4-bedroom home")
    assert short_topic("mid-century gem on a quiet cul-de-sac") == "mid-century gem"
    assert topic_kind("Should you sell before summer?") is TopicKind.QUESTION
    assert topic_kind("Thank you for your referral") is TopicKind.SENTENCE
    assert topic_kind("4-bedroom home in Indian Wells") is TopicKind.PHRASE
    assert is_address("78-455 Via Sevilla Dr, La Quinta")
    assert not is_address("4-bedroom home in Indian Wells")
