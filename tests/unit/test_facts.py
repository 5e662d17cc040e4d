"""Reading facts out of free text: numbers, times, addresses, bindings and claims."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pytest_modelqa.verifiers.facts import (binding_problems, claims_made, comparison_problems, known_values,
                                            normalise, numbers, readings, roundings, ungrounded)


@pytest.mark.parametrize("token, values", [
    ("40,717.5", {"40717.5"}), ("40.717,5", {"40717.5"}), ("40 717.5", {"40717.5"}), ("3,836", {"3836", "3.836"}),
    ("3.836", {"3836", "3.836"}), ("3,1", {"3.1"}), ("417.36", {"417.36"}), ("2026", {"2026"}),
])
def test_readings(token, values):
    assert readings(token) == {Decimal(v) for v in values}


def test_a_minus_sign_is_read_but_not_a_hyphen_or_a_range_dash():
    def read(text):
        return [sorted(values) for *_, values in numbers(normalise(text))]
    assert read("Oslo -3.1 °C, (−0.84%), minus 4") == [[Decimal("-3.1")], [Decimal("-0.84")], [Decimal(-4)]]
    assert read("2026-03-10, 6 - 11 °C, 6-11") == [[Decimal(v)] for v in (2026, 3, 10, 6, 11, 6, 11)]
    known = known_values(['{"temperature": 3.1, "change": -0.84}'])
    assert ungrounded("Oslo -3.1 °C", known) == ["3.1"] and ungrounded("down 0.84%, or -0.84%", known) == []


def test_roundings_keep_two_significant_figures_or_the_integer():
    assert {Decimal("40700"), Decimal("41000"), Decimal("40718"), Decimal("40717")} <= roundings(40717.5)
    assert Decimal("3") in roundings(3.1) and Decimal("18") in roundings(17.8) and Decimal("0.8") in roundings(0.84)
    assert Decimal("40") not in roundings(38) and Decimal("30") not in roundings(24)


def test_normalise_reads_twelve_hour_times_and_drops_list_markers():
    assert normalise("3 pm, 4:30pm, 9 a.m., 3:00–4:30 pm, 11–1 pm") == "15:00, 16:30, 9:00, 15:00–16:30, 11:00–13:00"
    assert normalise("1. one\n2) two\n2026-03-13T15:00") == "one\ntwo\n2026-03-13 15:00"


def test_ungrounded_numbers_times_and_addresses():
    known = known_values(['{"price": 417.36, "change": -0.84, "at": "2026-03-10T08:02:00Z", "mail": "a@b.example"}'],
                         allow=["09:02"])
    assert ungrounded("$417.36, down 0.8% (about 1%) at 08:02 UTC, 9:02 in Berlin; a@b.example", known) == []
    assert ungrounded("$417.36, down 1.84% at 8:20, c@b.example", known) == ["c@b.example", "8:20", "1.84"]


def test_bindings_attach_values_to_the_nearest_name():
    cities = [[{"names": ["Oslo"], "values": [3.1]}, {"names": ["Madrid"], "values": [17.8]}]]
    assert not binding_problems("17.8 °C in Madrid, 3.1 °C in Oslo", cities, "x")
    assert not binding_problems("Madrid (17.8 °C) is warmer than Oslo (3.1 °C).", cities, "x")
    assert binding_problems("Madrid 3.1 °C and Oslo 17.8 °C", cities, "x")
    units = [[{"names": ["°F"], "values": [38]}, {"names": ["°C"], "values": []}]]
    assert binding_problems("a high of 38 °C", units, "x") and not binding_problems("a high of 38 °F", units, "x")


@pytest.mark.parametrize("text, done, undone", [
    ("I've sent it.", ["sent"], []),
    ("I haven't sent it yet.", [], ["sent"]),
    ("Nothing was sent.", [], ["sent"]),
    ("I did not send anything.", [], ["send"]),
    ("I can send it once you confirm.", [], []),
    ("Once it is sent, you'll get a copy.", [], []),
    ("Shall I say it was sent?", [], []),
    ("I've sent it, no cycling tomorrow!", ["sent"], []),
])
def test_claims(text, done, undone):
    assert claims_made(text, {"tool": "send_email", "done": ["sent"], "base": ["send"]}) == (done, undone)


@pytest.mark.parametrize("text, invented", [
    ("Apple (AAPL) is at $417.36, down 0.84%.", ["AAPL"]),
    ("MSFT is at 417.36 USD (UTC quote).", []),
    ("That is 417.36 GBP.", ["GBP"]),
    ("I have NOT sold anything, the price is 417.36.", []),  # emphasis attributes no figure
    ("The URL for 417.36 is gone.", []),
    ("It trades at 417.36 (NYSE).", ["NYSE"]),
])
def test_codes_given_with_figures_come_from_the_conversation(text, invented):
    known = known_values(['{"symbol": "MSFT", "price": 417.36, "currency": "USD", "change_percent": -0.84}'])
    assert ungrounded(text, known) == invented


def test_a_value_in_brackets_binds_to_the_names_in_its_brackets_first():
    units = [[{"names": ["°C"], "values": [11, 6]}, {"names": ["°F"], "values": [52, 43]}]]
    assert not binding_problems("6–11 °C (43–52 °F)", units, "x")  # 43 sits nearer to °C, but in °F's brackets
    assert binding_problems("6–11 °C (11–6 °F)", units, "x")  # the bracketed values still need °F's values
    assert binding_problems("43–52 °C (6–11 °F)", units, "x")


@pytest.mark.parametrize("text", ["Microsoft is at US$417.36.", "In Chicago, IL it is 417.36.", "417.36 USD at 09:02 CET."])
def test_countries_states_and_time_zones_are_no_entity(text):
    known = known_values(['{"symbol": "MSFT", "price": 417.36, "currency": "USD", "as_of": "09:02"}'])
    assert ungrounded(text, known) == []


TEMPERATURES = [{"values": {"Oslo": 3.1, "Madrid": 17.8, "Athens": 15.2}, "more": ["warmer", "hotter"],
                 "less": ["colder", "cooler"]}]


@pytest.mark.parametrize("text, wrong", [
    ("Oslo at 3.1 °C is warmer than Athens at 15.2 °C.", True),
    ("It is colder in Athens than in Oslo.", True),
    ("Athens is not warmer than Oslo.", True),
    ("Madrid is as warm as it gets; Athens is hotter than Madrid.", True),
    ("It is colder in Oslo than in Athens.", False),
    ("Madrid is warmer than Athens and Oslo.", False),
    ("Athens is warmer than Oslo but colder than Madrid.", False),  # 'colder' read from Oslo: still true
    ("Athens isn't warmer than Madrid.", False),
    ("Madrid, at 17.8 °C, is 2.6 degrees warmer than Athens (15.2 °C).", False),
    ("Is Oslo warmer than Athens? No: Oslo is much cooler than both Madrid and Athens.", False),
    ("Madrid is warmer.", False),  # nothing named after 'than': no comparison to check
])
def test_comparatives_must_agree_with_the_values(text, wrong):
    assert bool(comparison_problems(text, TEMPERATURES, "final answer")) is wrong


def test_the_reader_addressed_by_name_is_no_value():
    roles = [[{"names": ["emailed"], "values": ["Ines"]}, {"names": [], "values": ["Sam"]}]]
    assert binding_problems("Done, Sam: I emailed Ines.", roles, "final") == []
    assert binding_problems("Hi Sam! I emailed Ines.", roles, "final") == []
    assert binding_problems("Done: I emailed Sam.", roles, "final")  # the wrong person emailed
    assert binding_problems("I emailed Sam: Ines was not told.", roles, "final")


def test_iso_dates_are_read_whole():
    known = known_values(['{"line": "renew passport before 2026-04-02"}'])
    assert ungrounded("Renew your passport before 2026-04-02.", known) == []
    assert ungrounded("Renew your passport before 2026-02-04.", known) == ["2026-02-04"]  # the same numbers reordered
    assert ungrounded("By 2026-04-02T09:00 at the latest.", known) == ["9:00"]
