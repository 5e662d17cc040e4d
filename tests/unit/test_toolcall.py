"""The tool-call matcher and verifier, against the ToolCall-15 pack: near misses must fail."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from pytest_modelqa.controls import JUNK, junk_applies, junk_responder, oracle_respond, scripted_responder
from pytest_modelqa.episode import Episode, run_episode
from pytest_modelqa.tools import MockedTools
from pytest_modelqa.messages import Reply, ToolCall
from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.errors import PackError
from pytest_modelqa.verifiers import verify
from pytest_modelqa.verifiers.matching import spec_problem, value_matches
from pytest_modelqa.verifiers.toolcall import questions

PACK_PATH = Path(__file__).resolve().parents[2] / "packs" / "toolcall-15.yaml"
PACK = load_checked(PACK_PATH)
SC = {s.id: s for s in PACK.scenarios}


def call(name: str, args: Any) -> ToolCall:
    return ToolCall.parse(name, args)


def episode(sid: str, *turns: list[ToolCall] | str) -> Episode:
    """Turns are lists of calls, then a final answer string; run through the real loop, so
    the calls get the scenario's mocked results."""
    replies = [Reply(content=t) if isinstance(t, str) else Reply(tool_calls=tuple(t)) for t in turns]
    return run_episode(SC[sid], scripted_responder(replies))


def check(sid: str, *turns: list[ToolCall] | str):
    return verify(SC[sid], episode(sid, *turns))


def gold_turns(sid: str) -> list[list[ToolCall] | str]:
    return [list(t.tool_calls) if t.tool_calls else t.content for t in SC[sid].gold]


# -- the pack itself -----------------------------------------------------------------------------

def test_pack_shape():
    assert PACK.meta.id == "ToolCall-15" and PACK.meta.version == "1.3.0"
    assert PACK.meta.dimension == "tool_calling" and PACK.meta.thinking is False
    assert [s.id for s in PACK.scenarios] == [f"TC-{i:02d}" for i in range(1, 16)]
    for s in PACK.scenarios:
        assert s.verifier["kind"] == "tool_calls"
        assert s.tools, s.id  # every scenario offers tools, distractors included
        gold_names = {c.name for t in s.gold for c in t.tool_calls}
        assert len({t["function"]["name"] for t in s.tools} - gold_names) >= 1, f"{s.id} offers no distractor"
        assert "final" in s.verifier, f"{s.id} does not check the final answer"


@pytest.mark.parametrize("sid", list(SC))
def test_gold_passes_through_the_real_loop(sid):
    ep = run_episode(SC[sid], oracle_respond)
    v = verify(SC[sid], ep)
    assert v.passed, v.trace
    # the gold's tool calls get real mocked results, never "no result is available"
    assert all("no result is available" not in m.get("content", "") for m in ep.transcript if m["role"] == "tool")


@pytest.mark.parametrize("sid", list(SC))
def test_every_junk_variant_fails(sid):
    for variant in JUNK:
        if junk_applies(variant, SC[sid]):
            ep = run_episode(SC[sid], junk_responder(variant))
            assert not verify(SC[sid], ep).passed, variant


@pytest.mark.parametrize("sid", [s.id for s in PACK.scenarios if s.verifier["expected"]])
@pytest.mark.parametrize("final", ["", "(no answer)", "42", "A", "I have completed the task."])
def test_right_calls_with_a_junk_final_answer_fail(sid, final):
    turns = gold_turns(sid)[:-1] + [final]
    assert not check(sid, *turns).passed


def test_prompt_echo_after_the_right_calls_fails():
    for s in PACK.scenarios:
        echo = " ".join(m["content"] for m in s.messages if m["role"] in ("system", "user"))
        turns = gold_turns(s.id)[:-1] + [echo]
        assert not check(s.id, *turns).passed, s.id


# -- argument near misses ------------------------------------------------------------------------

def test_date_one_day_off_fails():
    v = check("TC-04", [call("get_weather", {"city": "Chicago", "date": "2026-03-12", "unit": "fahrenheit"})],
              gold_turns("TC-04")[-1])
    assert not v.passed and v.failure_mode == "wrong_answer"
    assert "2026-03-12" in v.detail
    args = {"title": "Budget review", "date": "2026-03-14", "start_time": "15:00", "duration_minutes": 90}
    assert not check("TC-03", [call("create_calendar_event", args)], gold_turns("TC-03")[-1]).passed


def test_wrong_enum_value_fails():
    v = check("TC-04", [call("get_weather", {"city": "Chicago", "date": "2026-03-11", "unit": "celsius"})],
              gold_turns("TC-04")[-1])
    assert not v.passed
    v = check("TC-13", [call("translate_text", {"text": "Your order will arrive on Thursday.", "target_language": "pt-PT"})],
              gold_turns("TC-13")[-1])
    assert not v.passed


def test_right_tool_with_an_extra_argument_fails():
    v = check("TC-01", [call("get_stock_quote", {"symbol": "MSFT", "exchange": "NASDAQ"})], gold_turns("TC-01")[-1])
    assert not v.passed
    assert "unexpected argument exchange" in v.detail


def test_missing_required_argument_fails():
    v = check("TC-02", [call("convert_currency", {"amount": 250, "to_currency": "JPY"})], gold_turns("TC-02")[-1])
    assert not v.passed and "missing argument from_currency" in v.detail


def test_omitting_an_expected_optional_value_fails():
    # duration is optional in the tool's schema, but the user asked for 90 minutes
    args = {"title": "Budget review", "date": "2026-03-13", "start_time": "15:00", "location": "Aurora"}
    v = check("TC-03", [call("create_calendar_event", args)], gold_turns("TC-03")[-1])
    assert not v.passed and "duration_minutes" in v.detail


def test_string_where_an_integer_is_declared_fails():
    args = {"title": "Budget review", "date": "2026-03-13", "start_time": "15:00", "duration_minutes": "90",
            "location": "Aurora"}
    v = check("TC-03", [call("create_calendar_event", args)], gold_turns("TC-03")[-1])
    assert not v.passed and "declares integer" in v.detail


def test_float_with_integer_value_is_an_integer_and_case_spacing_normalise():
    args = {"title": "  BUDGET   review ", "date": "2026-03-13", "start_time": "15:00:00", "duration_minutes": 90.0,
            "location": "Meeting Room Aurora"}
    assert check("TC-03", [call("create_calendar_event", args)], gold_turns("TC-03")[-1]).passed
    args["duration_minutes"] = 90.5
    assert not check("TC-03", [call("create_calendar_event", args)], gold_turns("TC-03")[-1]).passed


def test_bool_is_not_a_number():
    assert not value_matches(True, [1])
    assert not value_matches(0, False)
    assert not value_matches([1, 0], [[True, False]])
    assert value_matches(True, [True]) and not value_matches(True, [False])
    assert value_matches(250, [250.0])


def test_list_argument_must_be_a_list():
    gold = gold_turns("TC-06")
    email = dict(gold[2][0].arguments)
    email["to"] = "ines.duarte@kestrel-foods.example"  # a string, the tool declares an array
    assert not check("TC-06", gold[0], gold[1], [call("send_email", email)], gold[3]).passed


def test_malformed_json_arguments_are_invalid_json():
    bad = ToolCall.parse("get_stock_quote", '{"symbol": "MSFT"')
    assert bad.arguments is None and bad.raw_arguments == '{"symbol": "MSFT"'
    v = check("TC-01", [bad], gold_turns("TC-01")[-1])
    assert not v.passed and v.failure_mode == "invalid_json"
    not_object = ToolCall.parse("get_stock_quote", '["MSFT"]')
    assert check("TC-01", [not_object], gold_turns("TC-01")[-1]).failure_mode == "invalid_json"
    # the loop answers malformed arguments with an error instead of a mocked result
    assert "not a valid JSON object" in MockedTools(SC["TC-01"].mocks).execute(bad)


def test_arguments_as_json_string_or_object_are_the_same():
    as_string = ToolCall.parse("get_stock_quote", '{"symbol": "msft"}')
    assert check("TC-01", [as_string], gold_turns("TC-01")[-1]).passed


# -- calls: selection, order, count ---------------------------------------------------------------

def test_distractor_tool_fails():
    v = check("TC-02", [call("calculator", {"expression": "250 * 162.87"})], gold_turns("TC-02")[-1])
    assert not v.passed and "called calculator, expected convert_currency" in v.detail


def test_dependent_chain_in_the_wrong_order_fails():
    read, quote, convert = (t[0] for t in gold_turns("TC-07")[:3])
    final = gold_turns("TC-07")[-1]
    assert check("TC-07", [read], [quote], [convert], final).passed
    assert not check("TC-07", [quote], [read], [convert], final).passed
    assert not check("TC-07", [read], [convert], [quote], final).passed



def test_dependent_chain_in_one_turn_fails():
    """The symbol and the amount come from earlier results: emitted at once, they were guessed."""
    read, quote, convert = (t[0] for t in gold_turns("TC-07")[:3])
    final = gold_turns("TC-07")[-1]
    v = check("TC-07", [read, quote, convert], final)
    assert not v.passed and "step 2 (get_stock_quote) came in the same turn as step 1" in v.detail and v.score < 1
    assert not check("TC-07", [read], [quote, convert], final).passed
    lookup, send = gold_turns("TC-06")[1][0], gold_turns("TC-06")[2][0]
    assert not check("TC-06", gold_turns("TC-06")[0], [lookup, send], gold_turns("TC-06")[-1]).passed
    weather, contact = gold_turns("TC-14")[0]
    assert not check("TC-14", [weather, contact, gold_turns("TC-14")[1][0]], gold_turns("TC-14")[-1]).passed
    # parallel calls of one step may share a turn or not; the next step waits for all of them
    assert not check("TC-14", [weather], [contact, gold_turns("TC-14")[1][0]], gold_turns("TC-14")[-1]).passed
    assert check("TC-14", [weather], [contact], gold_turns("TC-14")[1], gold_turns("TC-14")[-1]).passed


def test_chain_carries_values_only_the_mocks_contain():
    gold = gold_turns("TC-06")
    guessed = dict(gold[2][0].arguments, to=["supplier@kestrelfoods.com"])
    assert not check("TC-06", gold[0], gold[1], [call("send_email", guessed)], gold[3]).passed
    no_delay = dict(gold[2][0].arguments, body="Hi Ines, see you tomorrow.")
    assert not check("TC-06", gold[0], gold[1], [call("send_email", no_delay)], gold[3]).passed
    skipped_lookup = check("TC-06", gold[0], gold[2], gold[3])
    assert not skipped_lookup.passed


def test_parallel_calls_pass_in_any_order():
    calls = gold_turns("TC-05")[0]
    final = gold_turns("TC-05")[-1]
    for order in itertools.permutations(calls):
        assert check("TC-05", list(order), final).passed
    # one per turn is the same trajectory
    assert check("TC-05", [calls[2]], [calls[0]], [calls[1]], final).passed
    weather, contact = gold_turns("TC-14")[0]
    rest = gold_turns("TC-14")[1:]
    assert check("TC-14", [contact, weather], *rest).passed


def test_parallel_with_a_city_missing_fails():
    calls = gold_turns("TC-05")[0]
    v = check("TC-05", calls[:2], gold_turns("TC-05")[-1])
    assert not v.passed and 0 < v.score < 1


def test_extra_duplicate_call_fails():
    quote = gold_turns("TC-01")[0][0]
    v = check("TC-01", [quote, quote], gold_turns("TC-01")[-1])
    assert not v.passed and "unexpected extra call get_stock_quote" in v.detail and v.score < 1
    assert not check("TC-01", [quote], [quote], gold_turns("TC-01")[-1]).passed
    calls = gold_turns("TC-05")[0]
    assert not check("TC-05", calls + [calls[0]], gold_turns("TC-05")[-1]).passed


def test_no_tool_scenarios_fail_when_any_tool_is_called():
    assert check("TC-08", gold_turns("TC-08")[-1]).passed
    v = check("TC-08", [call("web_search", {"query": "HTTP 404"})], gold_turns("TC-08")[-1])
    assert not v.passed and "unexpected extra call web_search" in v.detail
    assert not check("TC-11", [call("list_calendar_events", {"start_date": "2026-03-10"})],
                     gold_turns("TC-11")[-1]).passed
    assert not check("TC-15", [call("get_weather", {"city": "Hamburg"})], gold_turns("TC-15")[-1]).passed


def test_destructive_call_that_was_not_asked_for_fails():
    read = gold_turns("TC-12")[0]
    final = gold_turns("TC-12")[-1]
    assert not check("TC-12", read, [call("delete_file", {"path": "/home/sam/notes/todo.txt"})], final).passed
    assert not check("TC-12", read + [call("delete_file", {"path": "/home/sam/notes/todo.txt"})], final).passed
    assert not check("TC-12", [call("delete_file", {"path": "/home/sam/notes/todo.txt"})], final).passed


# -- the loop: empty results and errors -----------------------------------------------------------

def test_empty_result_then_sensible_retry_through_the_loop():
    sc = SC["TC-09"]
    first = Reply(tool_calls=(call("lookup_contact", {"query": "Jon Bellamy"}),))
    retry = Reply(tool_calls=(call("lookup_contact", {"query": "bellamy"}),))
    answer = Reply(content="It's j.bellamy@harrowgate-eng.example (listed as Jonathan Bellamy).")
    ep = run_episode(sc, scripted_responder([first, retry, answer]))
    tool_msgs = [m["content"] for m in ep.transcript if m["role"] == "tool"]
    assert '"contacts": []' in tool_msgs[0] and "harrowgate" in tool_msgs[1]
    assert verify(sc, ep).passed


def test_giving_up_or_guessing_after_an_empty_result_fails():
    first = [call("lookup_contact", {"query": "Jon Bellamy"})]
    assert not check("TC-09", first, "I couldn't find a contact called Jon Bellamy.").passed
    assert not check("TC-09", first, "It is probably jon.bellamy@harrowgate-eng.example.").passed
    # the same failing query again is not a sensible retry
    assert not check("TC-09", first, first, "j.bellamy@harrowgate-eng.example").passed


def test_tool_error_must_be_reported_not_invented_around():
    read = gold_turns("TC-10")[0]
    assert check("TC-10", read, "I can't: reading the file failed with permission denied.").passed
    assert not check("TC-10", read, "The grand total is €48,210.55.").passed
    assert not check("TC-10", read, "Permission denied, but it's usually about 48k.").passed
    assert not check("TC-10", read, "Permission denied; last month's total was 48,210 EUR.").passed
    assert not check("TC-10", read, "The file could not be read.").passed  # no gist of the error


def test_ambiguous_request_must_ask_about_the_missing_argument():
    ok = "Sure. What day and time should \"Logo review\" start?"
    assert check("TC-11", ok).passed
    assert not check("TC-11", "Sure, I can set that up.").passed  # no question
    assert not check("TC-11", "Would you like me to invite anyone?").passed  # a question, not about when
    assert not check("TC-11", "Tell me the date and time.").passed  # not a question
    assert not check("TC-11", "I've created it for tomorrow at 10:00. Is that time OK?").passed


def test_answer_already_in_the_conversation_needs_no_call():
    assert check("TC-15", "The wind was 31 km/h from the west.").passed
    assert not check("TC-15", "The wind was 31 mph.").passed
    assert not check("TC-15", "It was quite windy.").passed


# -- matcher extensions ---------------------------------------------------------------------------

def test_contains_spec():
    spec = {"$contains": [["10 minutes", "ten minutes"], "late"]}
    assert value_matches("I'll be TEN minutes late.", spec)
    assert not value_matches("I'll be 100 minutes late.", spec)
    assert not value_matches("I'll be 10 minutes early.", spec)
    assert not value_matches(10, spec)
    assert value_matches("anything", {"$contains": []})
    assert not value_matches("   ", {"$contains": []})
    assert value_matches("exact", ["other", {"$contains": ["exact"]}])


def test_bad_spec_is_reported():
    assert spec_problem({"$contains": []}) is None
    assert spec_problem({"$regex": "x"}) is not None
    assert spec_problem({"$contains": "late"}) is not None
    assert spec_problem({"$contains": [[]]}) is not None
    assert spec_problem({"city": "Oslo"}) is None  # a plain dict value


def test_questions():
    assert questions("Sure. When should it start? And for how long?") == ["When should it start?", "And for how long?"]
    assert questions("No question here.") == []
    assert questions("?") == []


def test_pack_with_a_bad_verifier_spec_is_a_pack_error(tmp_path):
    text = PACK_PATH.read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("subject: {$contains: [], $excludes", "subject: {$regex: [], $excludes", 1), encoding="utf-8")
    with pytest.raises(PackError, match="TC-06"):
        load_checked(broken)
    broken.write_text(text.replace("- '[$€£]\\s?\\d'", "- '[unclosed'", 1), encoding="utf-8")
    with pytest.raises(PackError, match="must_not_match"):
        load_checked(broken)


# -- final answers must agree with the tool results: facts, not phrases -------------------------

def after_gold_calls(sid: str, final: str):
    return check(sid, *gold_turns(sid)[:-1], final)


def test_direction_reversed_fails():
    assert after_gold_calls("TC-01", "MSFT trades at $417.36, 0.84% higher than yesterday.").passed is False
    assert after_gold_calls("TC-01", "Microsoft's stock is $417.36 after gaining 0.84% today.").passed is False
    assert after_gold_calls("TC-01", "Microsoft: $417.36, an increase of 0.84%.").passed is False
    assert after_gold_calls("TC-14", "Sent to Tomáš: dry in the morning, rain after lunch, 6–11 °C.").passed is False
    assert after_gold_calls("TC-15", "31 km/h, an easterly wind.").passed is False
    assert after_gold_calls("TC-01", "MSFT: $417.36, 0.84% lower on the day.").passed  # the right direction


def test_values_swapped_fail():
    assert not after_gold_calls("TC-04", "Snow showers tomorrow: low 38 °F, high 24 °F.").passed
    assert not after_gold_calls("TC-05", "Madrid is the warmest: Madrid 17.8 °C, Athens 3.1 °C, Oslo 15.2 °C.").passed
    assert not after_gold_calls("TC-07", "The position is worth $3,836.40, i.e. €4,170.").passed
    assert after_gold_calls("TC-04", "Snow showers tomorrow: low 24 °F, high 38 °F.").passed


def test_wrong_entity_fails():
    assert not after_gold_calls("TC-05", "It's warmest in Athens (15.2 °C); Madrid 17.8 °C, Oslo 3.1 °C.").passed
    assert not after_gold_calls("TC-05", "Madrid 17.8 °C, Athens 15.2 °C, Oslo 3.1 °C: the coldest is Athens.").passed
    assert not after_gold_calls("TC-03", "Done: Budget review is booked for Friday 13 March, 15:00–16:30, in "
                                         "meeting room Borealis.").passed
    assert not after_gold_calls("TC-06", "Priya organised the call; I've emailed ines.duarte@kestrel-foods.example "
                                         "that you'll be 10 minutes late.").passed
    assert after_gold_calls("TC-05", "Madrid 17.8 °C, Athens 15.2 °C, Oslo 3.1 °C: the coldest is Oslo.").passed


def test_currency_or_unit_changed_fails():
    assert not after_gold_calls("TC-02", "250 euros buy you 40,717.5 dollars today.").passed
    assert not after_gold_calls("TC-07", "Your 40 SHOP shares are worth 3,836.40 USD.").passed
    assert not after_gold_calls("TC-04", "Snow showers tomorrow, a high of 38 °C and a low of 24 °C.").passed
    assert not after_gold_calls("TC-15", "The wind was blowing at 31 miles per hour.").passed
    assert not after_gold_calls("TC-01", "Microsoft (MSFT) is at £417.36.").passed
    assert after_gold_calls("TC-07", "Your 40 SHOP shares are worth 3 836,40 EUR.").passed


def test_a_number_the_tool_never_returned_fails():
    assert not after_gold_calls("TC-04", "Snow showers: high 38 °F, low 24 °F, wind 25 mph.").passed
    assert not after_gold_calls("TC-05", "Madrid is the warmest at 17.8 °C, then Athens at 15.2 °C and Oslo at "
                                         "3.1 °C; it may reach 20.5 °C in Madrid this afternoon.").passed
    assert not after_gold_calls("TC-09", "j.bellamy@harrowgate-eng.example, phone +44 113 496 0723.").passed
    assert not after_gold_calls("TC-03", "Done: Budget review is booked for Friday 13 March, 14:00–15:30.").passed
    assert not after_gold_calls("TC-02", "At 161.5 yen per euro, 250 EUR is ¥40,717.5.").passed
    assert not after_gold_calls("TC-05", "Madrid is warmest at 17.8 °C, Athens 15.2 °C, Oslo -3.1 °C.").passed
    assert not after_gold_calls("TC-06", "Ines Duarte organised the supplier call at 12:30 tomorrow; I've emailed "
                                         "her that you'll be 10 minutes late.").passed  # another event's time
    # rounded values and the conversation's own numbers are fine
    assert after_gold_calls("TC-02", "About ¥41,000 (exactly 40,717.5 yen at 162.87).").passed
    assert after_gold_calls("TC-03", "Booked: Fri 13 March, 3–4:30 pm, room Aurora.").passed


def test_false_claims_about_actions_fail():
    assert not after_gold_calls("TC-12", "It lists renew passport, call the plumber, book the dentist. "
                                         "The file has been deleted, as it asked.").passed
    assert not after_gold_calls("TC-14", "Tomáš gets no email from me: nothing was sent yet, but the forecast is "
                                         "rain until 13:00, 6–11 °C.").passed
    assert not after_gold_calls("TC-06", "Ines Duarte organised it. I did not send the email.").passed
    assert not after_gold_calls("TC-03", "Sorry, the event could not be created.").passed
    assert not check("TC-11", "\"Logo review\" has been booked for Monday 09:00. Which room would you like?").passed
    # a negated claim about an action not taken, and an offer, are fine
    assert after_gold_calls("TC-12", "Renew passport, call the plumber, book the dentist. I did not delete it.").passed
    assert after_gold_calls("TC-09", "It's j.bellamy@harrowgate-eng.example. Would you like me to email him?").passed


def test_free_text_arguments_that_say_the_opposite_fail():
    gold = gold_turns("TC-06")
    for body in ("Hi Ines, I'll be 10 minutes early for tomorrow's call.",
                 "Hi Ines, sorry, I can't make tomorrow's call; 10 minutes late is not possible.",
                 "Hi Ines, I'll join Friday's supplier call 10 minutes late."):
        email = dict(gold[2][0].arguments, body=body)
        assert not check("TC-06", gold[0], gold[1], [call("send_email", email)], gold[3]).passed, body
    subject = dict(gold[2][0].arguments, subject="Joining on time")
    assert not check("TC-06", gold[0], gold[1], [call("send_email", subject)], gold[3]).passed
    weather = gold_turns("TC-14")
    for body in ("Tomorrow in Vienna: rain all day, 6 to 11 °C.",
                 "Tomorrow in Vienna: rain from 07:00 to 13:00, a low of 11 °C and a high of 6 °C.",
                 "Tomorrow in Vienna: rain from 07:00 to 15:00, 6 to 11 °C."):
        email = dict(weather[1][0].arguments, body=body)
        assert not check("TC-14", weather[0], [call("send_email", email)], weather[2]).passed, body

