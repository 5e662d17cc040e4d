"""The `structured_output` verifier against the StructOutput-15 pack: every parser, the payload
rules (fences, prose), load-time checks, and near misses that must fail for the right reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_modelqa.controls import JUNK, junk_reply
from pytest_modelqa.episode import Episode
from pytest_modelqa.messages import Reply
from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.errors import PackError
from pytest_modelqa.verifiers import Verdict, verify
from pytest_modelqa.verifiers.structure import FormatError, evaluate, parse_ics, parse_markdown_sections, \
    parse_markdown_table, parse_sql_insert, parse_yaml, table_cells
from tests.conftest import PLACEHOLDER_NEAR_MISSES

PACK = load_checked(Path(__file__).resolve().parents[2] / "packs" / "structoutput-15.yaml")
SC = {s.id: s for s in PACK.scenarios}


def gold(sid: str) -> str:
    return SC[sid].gold[-1].content


def run(sid: str, text: str) -> Verdict:
    return verify(SC[sid], Episode((Reply(content=text),), (), False))


def near(sid: str, old: str, new: str, count: int = 1) -> str:
    """The gold answer with one deliberate mistake (the substring must be there)."""
    text = gold(sid)
    assert text.count(old) >= count, f"{old!r} not in the gold of {sid}"
    return text.replace(old, new, count)


def fails(sid: str, text: str, mode: str, detail: str = "") -> Verdict:
    v = run(sid, text)
    assert not v.passed, v.trace
    assert v.failure_mode == mode, (v.failure_mode, v.detail)
    assert detail in v.detail, v.detail
    return v


def bare_payload(sid: str) -> str:
    """The gold's payload without a fence or prose around it."""
    text = gold(sid)
    if "```" in text:
        return text.split("```", 2)[1].split("\n", 1)[1].rstrip("\n")
    return text


# -- the pack ------------------------------------------------------------------------------------

def test_pack_shape():
    m = PACK.meta
    assert (m.id, m.version, m.dimension, m.modes, m.thinking) == \
        ("StructOutput-15", "1.2.0", "structured_output", ("medium", "full"), False)
    assert [s.id for s in PACK.scenarios] == [f"SO-{i:02d}" for i in range(1, 16)]
    formats = [s.verifier["format"] for s in PACK.scenarios]
    assert all(s.verifier["kind"] == "structured_output" for s in PACK.scenarios)
    assert set(formats) == {"json", "yaml", "toml", "csv", "xml", "markdown_table", "markdown_sections",
                            "ics", "sql_insert"}
    for s in PACK.scenarios:
        assert len(s.verifier["expect"]) >= 6, s.id  # content is tied to the request, beyond shape
        prompt = " ".join(s.messages[-1]["content"].split())
        said = "You may" in prompt if s.verifier.get("prose_allowed") else " only" in prompt
        assert said, f"{s.id}: the prompt does not say whether text around the payload is allowed"


@pytest.mark.parametrize("sid", list(SC))
def test_gold_passes(sid):
    v = run(sid, gold(sid))
    assert v.passed and v.score == 1.0, v.trace
    assert len(v.trace) >= 2 + len(SC[sid].verifier["expect"])  # payload, parse, every value


@pytest.mark.parametrize("sid", list(SC))
def test_junk_fails(sid):
    for variant in JUNK:
        if variant != "all_tools":
            v = run(sid, junk_reply(variant, SC[sid], 0).content)
            assert not v.passed, variant
            assert v.failure_mode in ("no_answer_found", "invalid_json", "schema_violation"), v.failure_mode


@pytest.mark.parametrize("sid", list(SC))
def test_payload_in_one_fence_passes(sid):
    assert run(sid, f"```\n{bare_payload(sid)}\n```").passed
    assert run(sid, f"```{SC[sid].verifier['format']}\n{bare_payload(sid)}\n```\n").passed


@pytest.mark.parametrize("sid", [s.id for s in PACK.scenarios if not s.verifier.get("prose_allowed")])
def test_prose_around_the_payload_fails_when_not_allowed(sid):
    fenced = f"Here is what you asked for:\n\n```\n{bare_payload(sid)}\n```\n\nLet me know if you need changes."
    v = run(sid, fenced)
    assert not v.passed and v.failure_mode in ("invalid_json", "schema_violation"), v.detail
    v = run(sid, f"Sure! Here it is.\n{bare_payload(sid)}")
    assert not v.passed, v.trace


def test_pack_payload_values_are_not_in_the_prompts_as_a_ready_payload():
    """Echo fails everywhere (also checked at load): the data is stated in prose."""
    for s in PACK.scenarios:
        assert not evaluate(s.verifier, s.messages[-1]["content"]).passed


# -- SO-01 JSON: nested objects, enums, exact array length ----------------------------------------

@pytest.mark.parametrize("old, new, mode, detail", [
    ('"critical"', '"Critical"', "schema_violation", "/severity"),
    ('"critical"', '"high"', "wrong_answer", "/severity"),
    ('"4.2.0", "4.2.1", "4.3.0-rc1"', '"4.2.0", "4.2.1"', "schema_violation", "/affected_versions"),
    ('"4.2.0", "4.2.1", "4.3.0-rc1"', '"4.2.1", "4.2.0", "4.3.0-rc1"', "wrong_answer", "/affected_versions"),
    ('"http_status": 502', '"http_status": "502"', "schema_violation", "/http_status"),
    ('"escalate": true', '"escalate": "true"', "schema_violation", "/escalate"),
    ('"escalate": true', '"escalate": false', "wrong_answer", "/escalate"),
    (',\n    "contact": "payments-oncall@example.org"', "", "schema_violation", "contact"),
    ('"escalate": true', '"escalate": true, "notes": "urgent"', "schema_violation", "notes"),
    ('"ticket": "BUG-3381"', '"ticket": "BUG-3318"', "wrong_answer", "/ticket"),
    ('"ticket": "BUG-3381",', '"ticket": "BUG-3381", "ticket": "BUG-1",', "invalid_json", "duplicate key"),
    ('"http_status": 502', '"http_status": NaN', "invalid_json", "NaN"),
    ('"escalate": true\n}', '"escalate": true,\n}', "invalid_json", "not JSON"),
])
def test_so01_near_misses(old, new, mode, detail):
    fails("SO-01", near("SO-01", old, new), mode, detail)


def test_so01_partial_score_counts_wrong_values():
    v = fails("SO-01", near("SO-01", '"storefront"', '"checkout"'), "wrong_answer", "/service/name")
    assert v.score == pytest.approx(7 / 8)
    assert "/service/name = 'checkout'" in v.trace[-1] and "storefront" in v.expected


def test_so01_unfenced_json_in_prose_fails_without_prose_allowed():
    fails("SO-01", "Here is the ticket: " + gold("SO-01"), "invalid_json", "not JSON")


# -- SO-02 JSON array, prose allowed --------------------------------------------------------------

def test_so02_prose_forms_accepted():
    payload = bare_payload("SO-02")
    assert run("SO-02", f"```json\n{payload}\n```").passed
    assert run("SO-02", f"As [requested]:\n```json\n{payload}\n```").passed
    assert run("SO-02", f"```json\n{payload}\n```\nOnly Ines runs the card reader.").passed
    assert run("SO-02", f"Here they are.\n\n```json\n{payload}\n```\n\nThat is everyone.").passed


@pytest.mark.parametrize("text, detail", [
    ("{payload}", "no fenced code block"),  # the prompt asked for a ```json block
    ("The volunteers are: {payload} That is all.", "no fenced code block"),
    ("Here they are. In order of mention.\n```json\n{payload}\n```", "2 sentence(s) before"),
    ("```json\n{payload}\n```\nOnly Ines runs the card reader. Sunday is the card day.", "2 sentence(s) after"),
])
def test_so02_fence_and_sentence_limits(text, detail):
    """A sentence before or after, as the prompt allows; the JSON itself in a fence."""
    fails("SO-02", text.replace("{payload}", bare_payload("SO-02")), "invalid_json", detail)


@pytest.mark.parametrize("text, mode, detail", [
    ("```json\n[]\n```\nand\n```json\n[]\n```", "invalid_json", "2 fenced blocks"),
    ("No JSON here, sorry.", "invalid_json", "no fenced code block"),
])
def test_so02_prose_without_one_payload_fails(text, mode, detail):
    fails("SO-02", text, mode, detail)


@pytest.mark.parametrize("old, new, mode, detail", [
    ('"start": "09:00"', '"start": "9:00"', "schema_violation", "/0/start"),
    ('"hours": 3', '"hours": "3"', "schema_violation", "/0/hours"),
    ('"day": "sunday"', '"day": "Sunday"', "schema_violation", "/2/day"),
    ('"card_reader": true', '"card_reader": false', "wrong_answer", "/2/card_reader"),
    ('"hours": 2', '"hours": 3', "wrong_answer", "/1/hours"),
])
def test_so02_near_misses(old, new, mode, detail):
    fails("SO-02", near("SO-02", old, new), mode, detail)


def test_so02_records_out_of_order_fail():
    rows = json.loads(bare_payload("SO-02"))
    fails("SO-02", f"```json\n{json.dumps(rows[::-1])}\n```", "wrong_answer", "/0/name")
    fails("SO-02", f"```json\n{json.dumps(rows[:2])}\n```", "schema_violation", "too short")


# -- SO-03 JSON numbers and nulls -----------------------------------------------------------------

@pytest.mark.parametrize("old, new, mode, detail", [
    ('"pressure_hpa": null,', "", "schema_violation", "pressure_hpa"),
    ('"pressure_hpa": null', '"pressure_hpa": "unknown"', "schema_violation", "/pressure_hpa"),
    ('"precip_mm": null', '"precip_mm": 0', "wrong_answer", "/precip_mm"),
    ('"temperature_c": -2.5', '"temperature_c": "-2.5"', "schema_violation", "/temperature_c"),
    ('"temperature_c": -2.5', '"temperature_c": 2.5', "wrong_answer", "/temperature_c"),
    ('"speed_kmh": 14.5', '"speed_kmh": 14', "wrong_answer", "/wind/speed_kmh"),
    ('"observed_at": "2025-11-03T06:00:00Z"', '"observed_at": "2025-11-03 06:00"', "wrong_answer", "/observed_at"),
])
def test_so03_near_misses(old, new, mode, detail):
    fails("SO-03", near("SO-03", old, new), mode, detail)


# -- SO-04 YAML type traps ------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, detail", [
    ('version: "1.10"', "version: 1.10", "/version"),  # a float, 1.1
    ('  - "NO"', "  - NO", "/regions/1"),  # YAML 1.1 reads NO as false
    ('channel: "#release-alerts"', "channel: #release-alerts", "/notify/0/channel"),  # a comment: null
    ("retries: 3", "retries: three", "/retries"),
])
def test_so04_yaml_type_traps_fail(old, new, detail):
    fails("SO-04", near("SO-04", old, new), "schema_violation", detail)


@pytest.mark.parametrize("old, new, detail", [
    ('  - "SE"\n  - "NO"', '  - "NO"\n  - "SE"', "/regions"),
    ("on_failure_only: true", "on_failure_only: false", "/notify/1/on_failure_only"),
    ("job: nightly-build", "job: nightly", "/job"),
])
def test_so04_wrong_values_fail(old, new, detail):
    fails("SO-04", near("SO-04", old, new), "wrong_answer", detail)


def test_so04_second_document_and_bad_yaml_fail():
    fails("SO-04", gold("SO-04") + "\n---\njob: other\n", "schema_violation", "not YAML")
    fails("SO-04", "job: [unclosed", "schema_violation", "not YAML")


def test_so04_flow_style_is_the_same_document():
    flow = ('{job: nightly-build, version: "1.10", regions: ["SE", "NO", "FI"], retries: 3, notify: '
            '[{channel: "#release-alerts", on_failure_only: false}, {channel: oncall@example.net, on_failure_only: yes}]}')
    assert run("SO-04", flow).passed


# -- SO-05 YAML list root -------------------------------------------------------------------------

def test_so05_near_misses():
    fails("SO-05", "plants:\n" + "\n".join("  " + ln for ln in bare_payload("SO-05").splitlines()),
          "schema_violation", "is not of type 'array'")
    fails("SO-05", near("SO-05", "    - prayer plant", "    - prayer plant\n    - calathea"), "wrong_answer", "/1/aliases")
    fails("SO-05", near("SO-05", "water_every_days: 10", "water_every_days: 7"), "wrong_answer", "/2/water_every_days")
    fails("SO-05", near("SO-05", "light: medium", "light: indirect"), "schema_violation", "/1/light")
    fails("SO-05", near("SO-05", "  aliases:\n    - prayer plant", "  aliases: prayer plant"),
          "schema_violation", "/1/aliases")


def test_yaml_alias_bomb_is_a_format_error():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(6))
    with pytest.raises(FormatError, match="too large"):
        parse_yaml(bomb, {})
    with pytest.raises(FormatError, match="too large"):
        parse_yaml("&a [*a]", {})


def test_yaml_dates_and_keys_become_json_strings():
    assert parse_yaml("when: 2025-09-18\n8080: web\ntrue: on", {}) == {"when": "2025-09-18", "8080": "web", "true": True}


# -- SO-06 / SO-07 TOML ---------------------------------------------------------------------------

def test_so06_near_misses():
    fails("SO-06", near("SO-06", '["webp", "avif"]', '["avif", "webp"]'), "wrong_answer", "/build/images/formats")
    fails("SO-06", near("SO-06", "[build.images]", "[images]"), "schema_violation", "images")
    fails("SO-06", near("SO-06", "weight = 2", 'weight = "2"'), "schema_violation", "/menu/1/weight")
    fails("SO-06", near("SO-06", 'path = "/archive/"', 'path = "/archive"'), "wrong_answer", "/menu/1/path")
    fails("SO-06", near("SO-06", "[[menu]]", "[menu]", 3), "schema_violation", "not TOML")  # a table defined 3 times
    fails("SO-06", gold("SO-06").split("\n\n[[menu]]")[0], "schema_violation", "menu")


def test_so06_inline_tables_are_the_same_document():
    text = gold("SO-06").split("\n\n[[menu]]")[0]
    inline = text.replace('title = "Field Notes"', 'title = "Field Notes"\nmenu = [{label = "Home", path = "/", weight = 1}, '
                          '{label = "Archive", path = "/archive/", weight = 2}, {label = "About", path = "/about/", weight = 3}]')
    assert run("SO-06", inline).passed


@pytest.mark.parametrize("old, new, mode, detail", [
    ("source = 'C:\\Users\\ana\\Documents'", 'source = "C:\\Users\\ana\\Documents"', "schema_violation", "not TOML"),
    ("source = 'C:\\Users\\ana\\Documents'", 'source = "C:/Users/ana/Documents"', "wrong_answer", "/source"),
    ('label = "Ana\'s \\"important\\" files"', 'label = "Ana\'s "important" files"', "schema_violation", "not TOML"),
    ('label = "Ana\'s \\"important\\" files"', "label = 'Ana\\'s \"important\" files'", "schema_violation", "not TOML"),
    ('label = "Ana\'s \\"important\\" files"', 'label = "Ana\'s “important” files"', "wrong_answer", "/label"),
    ("monthly = 6", "monthly = 6.0", "schema_violation", "/retention/monthly"),
])
def test_so07_escaping_near_misses(old, new, mode, detail):
    fails("SO-07", near("SO-07", old, new), mode, detail)


@pytest.mark.parametrize("sid, old, new, detail", [
    # values the prompt demands character for character: case, punctuation and spacing count
    ("SO-07", "C:\\Users\\ana\\Documents", "C:\\users\\ana\\documents", "/source"),
    ("SO-07", 'Ana\'s \\"important\\" files', 'Ana\'s \\"important\\" files.', "/label"),
    ("SO-07", 'Ana\'s \\"important\\" files', 'ana\'s \\"important\\" files', "/label"),
    ("SO-07", '"*.tmp"', '"*.TMP"', "/exclude"),
    ("SO-08", '"Desk lamp, brass"', '"Desk lamp,  brass"', "/0/title"),
    ("SO-08", '"Notebook ""Field"", A5"', '"notebook ""field"", a5"', "/2/title"),
    ("SO-09", '"Hill and Dale, Tuesday Group"', '"Hill and Dale, Tuesday group"', "/1/club"),
    ("SO-11", "R&amp;D budget review", "R&amp;D Budget Review", "/children/0/text"),
    ("SO-11", "Dana &quot;DJ&quot; Kim", "Dana &quot;DJ&quot; Kim.", "/attrs/author"),
    ("SO-11", "until Q3 ends", "until Q3 ends.", "/children/1/text"),
    ("SO-14", "SUMMARY:Quarterly planning\\, Q3", "SUMMARY:Quarterly Planning\\, Q3", "/VEVENT/0/SUMMARY"),
    ("SO-15", "'Flann O''Brien'", "'Flann O''brien'", "/0/full_name"),
    ("SO-15", "'Ngũgĩ wa Thiong''o'", "'Ngũgĩ Wa Thiong''o'", "/1/full_name"),
    # identifiers and names given in the prompt keep their case
    ("SO-01", '"BUG-3381"', '"bug-3381"', "/ticket"),
    ("SO-03", '"2025-11-03T06:00:00Z"', '"2025-11-03t06:00:00z"', "/observed_at"),
    ("SO-04", '- "NO"', '- "No"', "/regions"),
    ("SO-06", 'path = "/archive/"', 'path = "/Archive/"', "/menu/1/path"),
    ("SO-10", 'id="C-204"', 'id="c-204"', "/children/0/attrs/id"),
    ("SO-14", "UID:planning-q3-2025@example.com", "UID:Planning-Q3-2025@example.com", "/VEVENT/0/UID"),
])
def test_exact_values_are_compared_character_for_character(sid, old, new, detail):
    fails(sid, near(sid, old, new), "wrong_answer", detail)


def test_curly_apostrophe_alias_passes():
    assert run("SO-05", near("SO-05", "mother-in-law's tongue", "mother-in-law’s tongue")).passed


def test_so07_other_correct_spellings_pass():
    assert run("SO-07", near("SO-07", "source = 'C:\\Users\\ana\\Documents'", 'source = "C:\\\\Users\\\\ana\\\\Documents"')).passed
    assert run("SO-07", near("SO-07", 'label = "Ana\'s \\"important\\" files"', "label = '''Ana's \"important\" files'''")).passed


# -- SO-08 / SO-09 CSV ----------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, detail", [
    ('"Desk lamp, brass"', "Desk lamp, brass", "row 1 has 5 fields"),
    ('"12"" record sleeve"', '12" record sleeve', "must be quoted"),
    ('"12"" record sleeve"', '"12\\" record sleeve"', "not CSV"),
    ('"Notebook ""Field"", A5"', '"Notebook "Field", A5"', "not CSV"),
    ("sku,title,price_eur,in_stock", "sku,name,price_eur,in_stock", "header"),
    ("sku,title,price_eur,in_stock", "SKU,Title,Price_EUR,In_Stock", "header"),
    ("A-100,", "A-100, ", "row 1"),  # RFC 4180: the space belongs to the field, so the quote is literal
])
def test_so08_quoting_near_misses(old, new, detail):
    fails("SO-08", near("SO-08", old, new), "schema_violation", detail)


@pytest.mark.parametrize("old, new, detail", [
    ("39.90", "39.9", "/0/price_eur"),
    (",no\n", ",No stock\n", "/1/in_stock"),
    ('"Notebook ""Field"", A5"', '"Notebook Field, A5"', "/2/title"),
])
def test_so08_wrong_cells_fail(old, new, detail):
    fails("SO-08", near("SO-08", old, new), "wrong_answer", detail)


def test_so08_other_valid_spellings_pass():
    quoted_all = "\n".join(",".join(f'"{c}"' for c in row) for row in [
        ["sku", "title", "price_eur", "in_stock"], ["A-100", "Desk lamp, brass", "39.90", "yes"],
        ["B-220", '12"" record sleeve', "4.50", "no"], ["C-305", 'Notebook ""Field"", A5', "12.00", "yes"],
        ["D-410", "Gel pens", "6.25", "yes"]])
    assert run("SO-08", quoted_all).passed
    assert run("SO-08", gold("SO-08").replace("\n", "\r\n") + "\r\n\r\n").passed


def test_so08_rows_count():
    fails("SO-08", "\n".join(gold("SO-08").splitlines()[:4]), "schema_violation", "")
    fails("SO-08", gold("SO-08") + "\nE-999,Extra,1.00,yes", "schema_violation", "")


def test_so09_near_misses():
    lines = gold("SO-09").splitlines()
    swapped = "\n".join([lines[0], lines[2].replace("2,", "1,", 1), lines[1].replace("1,", "2,", 1), *lines[3:]])
    fails("SO-09", swapped, "wrong_answer", "/0/name")
    fails("SO-09", near("SO-09", "5,Marsh,,44:30", "5,Marsh,none,44:30"), "schema_violation", "/4/club")
    fails("SO-09", near("SO-09", '"Hill and Dale, Tuesday Group"', "Hill and Dale, Tuesday Group"),
          "schema_violation", "row 2 has 5 fields")
    fails("SO-09", near("SO-09", "38:47", "0:38:47"), "wrong_answer", "/0/time")
    fails("SO-09", near("SO-09", "1,Quispe", "0,Quispe"), "wrong_answer", "/0/rank")


# -- SO-10 / SO-11 XML ----------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, mode, detail", [
    ('<item sku="FL-RYE-25" qty="2">', '<item sku="FL-RYE-25"><qty>2</qty>', "schema_violation", ""),
    ('qty="5"', 'qty="5" unit="pack"', "schema_violation", "unit"),
    ("<unit_price>31.50</unit_price>", "<unit_price>EUR 31.50</unit_price>", "wrong_answer", "children/1/text"),
    ('qty="2"', 'qty="3"', "wrong_answer", "/children/1/children/0/attrs/qty"),
    ("<description>Dried yeast 500 g</description>", "<description>Yeast</description>", "wrong_answer", "children/0/text"),
    ("<customer", "<client", "schema_violation", ""),
    ("</order>", "</Order>", "schema_violation", "not well-formed"),
])
def test_so10_near_misses(old, new, mode, detail):
    text = near("SO-10", old, new)
    if new.startswith("<client"):
        text = text.replace("</customer>", "</client>")
    fails("SO-10", text, mode, detail)


def test_so10_items_in_the_wrong_order_fail():
    a = gold("SO-10").split("<items>")[1].split("</items>")[0]
    first, second = a.split("</item>")[:2]
    swapped = gold("SO-10").replace(a, second.rstrip() + "\n    </item>" + first + "</item>\n  ")
    fails("SO-10", swapped, "wrong_answer", "/children/1/children/0/attrs/sku")


@pytest.mark.parametrize("old, new, detail", [
    ("R&amp;D", "R&D", "not well-formed"),
    ("&lt; 5000", "< 5000", "not well-formed"),
    ('author="Dana &quot;DJ&quot; Kim"', 'author="Dana "DJ" Kim"', "not well-formed"),
    ("<notice", '<!DOCTYPE notice [<!ENTITY x "y">]>\n<notice', "DOCTYPE"),
])
def test_so11_escaping_near_misses(old, new, detail):
    fails("SO-11", near("SO-11", old, new), "schema_violation", detail)


def test_so11_wrong_text_and_valid_alternatives():
    fails("SO-11", near("SO-11", "R&amp;D", "R&amp;amp;D"), "wrong_answer", "/children/0/text")
    fails("SO-11", near("SO-11", "&quot;DJ&quot; ", ""), "wrong_answer", "/attrs/author")
    assert run("SO-11", near("SO-11", 'author="Dana &quot;DJ&quot; Kim"', "author='Dana \"DJ\" Kim'")).passed
    assert run("SO-11", near("SO-11", "Spend must stay &lt; 5000 EUR until Q3 ends",
                             "<![CDATA[Spend must stay < 5000 EUR until Q3 ends]]>")).passed


# -- SO-12 markdown table -------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, mode, detail", [
    ("| 7.20  |", "| 7.2   |", "wrong_answer", "/1/Total"),
    ("| 17.50 |", "| €17.50 |", "wrong_answer", "/0/Total"),
    ("**33.25**", "33.75", "wrong_answer", "/4/Total"),
    ("| Unit price |", "| Price |", "schema_violation", "header"),
    ("\n| **Sum**      |     |            | **33.25** |", "", "schema_violation", ""),
    ("| **Sum**      |     |", "| **Sum**      | 10  |", "schema_violation", "/4/Qty"),
    ("| Eggs         | 1   | 3.95       | 3.95  |", "| Eggs         | 1   | 3.95       |", "schema_violation", "row 3 has 3"),
    ("|--------------|----:|-----------:|------:|\n", "", "schema_violation", "0 markdown tables"),
])
def test_so12_near_misses(old, new, mode, detail):
    fails("SO-12", near("SO-12", old, new), mode, detail)


def test_so12_prose_and_fences():
    table = gold("SO-12").split("\n\n", 1)[1]
    assert run("SO-12", table).passed
    assert run("SO-12", f"Totals below.\n\n```markdown\n{table}\n```").passed
    # "one short sentence before the table, and nothing after it"
    fails("SO-12", f"Totals below.\n\n```markdown\n{table}\n```\n\nEnjoy your meal!", "schema_violation", "after the")
    fails("SO-12", f"{gold('SO-12')}\n\nThe eggs were the cheapest item.", "schema_violation", "no text there")
    fails("SO-12", f"Here is the table. It has a sum row.\n\n{table}", "schema_violation", "2 sentence(s) before")
    fails("SO-12", f"{table}\n\n{table}", "schema_violation", "2 markdown tables")
    fails("SO-12", f"```\n{table}\n```\n\n```\n{table}\n```", "schema_violation", "0 markdown tables")


def test_markdown_table_rules():
    assert table_cells(r"| a \| b | **c** | `d` |") == ["a | b", "c", "d"]
    assert table_cells("x|y") == ["x", "y"]
    params = {"columns": ["A", "B"]}
    assert parse_markdown_table("A | B\n--- | ---\n1 | 2", params) == [{"A": "1", "B": "2"}]
    assert parse_markdown_table("| a | b |\n|:-|-:|\n| 1 | 2 |", params) == [{"A": "1", "B": "2"}]
    with pytest.raises(FormatError, match="text outside the table"):
        parse_markdown_table("Intro.\n\n| A | B |\n|---|---|\n| 1 | 2 |", params)
    with pytest.raises(FormatError, match="0 markdown tables"):
        parse_markdown_table("| A | B |\n|---|---|---|\n| 1 | 2 |", params)  # delimiter width differs
    with pytest.raises(FormatError, match="0 markdown tables"):
        parse_markdown_table("```\n| A | B |\n|---|---|\n```", params)


# -- SO-13 markdown sections ----------------------------------------------------------------------

def test_so13_near_misses():
    fails("SO-13", "# Postmortem\n\n" + gold("SO-13"), "schema_violation", "")
    fails("SO-13", "Postmortem for 14 May.\n\n" + gold("SO-13"), "schema_violation", "before the first heading")
    swapped = near("SO-13", "## Timeline", "## Root cause-tmp").replace("## Root cause\n", "## Timeline\n") \
        .replace("## Root cause-tmp", "## Root cause")
    fails("SO-13", swapped, "wrong_answer", "/1/title")
    fails("SO-13", near("SO-13", "## Root cause", "**Root cause**"), "schema_violation", "")
    fails("SO-13", near("SO-13", "## Timeline", "### Timeline"), "schema_violation", "/1/level")
    fails("SO-13", near("SO-13", "- 09:40", "1. 09:40").replace("- 09:12", "1. 09:12").replace("- 09:59", "1. 09:59"),
          "schema_violation", "/1/body")
    fails("SO-13", near("SO-13", "1. Add", "- Add").replace("2. Write", "- Write"), "schema_violation", "/3/body")
    fails("SO-13", near("SO-13", "- 09:59 A renewed certificate was deployed and traffic recovered.\n", ""),
          "schema_violation", "/1/items")
    fails("SO-13", near("SO-13", "Write a runbook for renewing certificates.", "Renew certificates by hand."),
          "wrong_answer", "/3/items/1")
    fails("SO-13", near("SO-13", "47 minutes", "about an hour"), "wrong_answer", "/0/body")
    fails("SO-13", near("SO-13", "## Action items", "## Action Items:"), "wrong_answer", "/3/title")


@pytest.mark.parametrize("old, new, detail", [
    # Summary: one or two sentences
    ("because an expired TLS certificate broke connections at the load balancer.",
     "because a TLS certificate expired. Connections at the load balancer broke. Nobody noticed.", "/0/sentences"),
    # Timeline: each event starts with its time, and the section is only the list
    ("- 09:40 The team found", "- The team found at 09:40", "/1/items/1"),
    ("- 09:59 A renewed certificate was deployed and traffic recovered.",
     "- 09:59 A renewed certificate was deployed and traffic recovered.\n\nAll times are UTC.", "/1/prose"),
    # Root cause: one short paragraph, not a list or several paragraphs
    ("The TLS certificate on the load balancer expired without anyone noticing, so",
     "- The TLS certificate on the load balancer expired without anyone noticing.\n- So", "/2/items"),
    ("expired without anyone noticing, so clients", "expired without anyone noticing.\n\nSo clients", "/2/paragraphs"),
    # Action items: only the numbered list
    ("2. Write a runbook for renewing certificates.",
     "2. Write a runbook for renewing certificates.\n\nOwners will be assigned on Monday.", "/3/prose"),
])
def test_so13_section_structure(old, new, detail):
    fails("SO-13", near("SO-13", old, new), "schema_violation", detail)


def test_so13_tolerated_variations():
    assert run("SO-13", gold("SO-13").replace("## Summary", "## **Summary** ##")).passed
    assert run("SO-13", gold("SO-13").replace("- 09:12", "* **09:12**")).passed
    assert run("SO-13", gold("SO-13").replace("for 47 minutes", "in a 47-minute outage")).passed
    assert run("SO-13", gold("SO-13").replace("- 09:12 Monitoring paged", "- 09:12 – Monitoring alerted")).passed
    assert run("SO-13", gold("SO-13").replace("14 days before", "two weeks before")).passed
    assert run("SO-13", gold("SO-13").replace("Add an alert that fires", "Set up alerting that warns")).passed
    assert run("SO-13", f"```markdown\n{gold('SO-13')}\n```").passed


def test_markdown_sections_rules():
    doc = "## A\ntext\n```\n## not a heading\n```\n### B\n- one\n- two\n#\n"
    sections = parse_markdown_sections(doc, {})
    assert [(s["level"], s["title"]) for s in sections] == [(2, "A"), (3, "B"), (1, "")]
    assert sections[0]["body"] == "text\n```\n## not a heading\n```"
    assert sections[1]["items"] == ["one", "two"]
    assert parse_markdown_sections("Intro\n## A\nx", {"prose_allowed": True})[0]["title"] == "A"
    with pytest.raises(FormatError, match="no markdown headings"):
        parse_markdown_sections("#hashtag is not a heading", {})


# -- SO-14 iCalendar ------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, mode, detail", [
    ("Quarterly planning\\, Q3", "Quarterly planning, Q3", "schema_violation", "must be escaped"),
    ("Room 4.12\\, Harbour", "Room 4.12, Harbour", "schema_violation", "LOCATION"),
    ("DTSTART:20250708T073000Z", "DTSTART;TZID=Europe/London:20250708T083000", "wrong_answer", "/VEVENT/0/DTSTART"),
    ("DTSTART:20250708T073000Z", "DTSTART;TZID=Europe/London:20250708T073000Z", "schema_violation", "TZID"),
    ("DTSTART:20250708T073000Z", "DTSTART:2025-07-08T07:30:00Z", "schema_violation", "date-time"),
    ("DTEND:20250708T090000Z", "DTEND:20250732T090000Z", "schema_violation", "not a real date"),
    ("DTEND:20250708T090000Z", "DTEND:20250708T093000Z", "wrong_answer", "/VEVENT/0/DTEND"),
    ("DTSTAMP:20250620T120000Z\n", "", "schema_violation", "lacks DTSTAMP"),
    ("VERSION:2.0", "VERSION:1.0", "schema_violation", "VERSION"),
    ("\nEND:VCALENDAR", "", "schema_violation", "never closed"),
    ("END:VEVENT", "END:VTODO", "schema_violation", "closes BEGIN:VEVENT"),
    ("END:VCALENDAR", "END:VCALENDAR\nBEGIN:VCALENDAR", "schema_violation", "after END:VCALENDAR"),
    ("SUMMARY:", "SUMMARY ", "schema_violation", "NAME[;PARAM=...]:VALUE"),
    ("UID:planning-q3-2025@example.com", "UID:planning-q3@example.com", "wrong_answer", "/VEVENT/0/UID"),
])
def test_so14_near_misses(old, new, mode, detail):
    fails("SO-14", near("SO-14", old, new), mode, detail)


def test_so14_two_events_or_two_summaries_fail():
    event = gold("SO-14").split("BEGIN:VEVENT")[1].split("END:VEVENT")[0]
    fails("SO-14", near("SO-14", "END:VEVENT", f"END:VEVENT\nBEGIN:VEVENT{event}END:VEVENT"), "schema_violation", "/VEVENT")
    fails("SO-14", near("SO-14", "SUMMARY:", "SUMMARY:Planning\nSUMMARY:"), "schema_violation", "/VEVENT/0/SUMMARY")


def test_so14_folding_crlf_and_extra_properties_pass():
    folded = near("SO-14", "LOCATION:Room 4.12\\, Harbour Building", "LOCATION:Room 4.12\\, Har\n bour Building")
    assert run("SO-14", folded.replace("\n", "\r\n")).passed
    assert run("SO-14", near("SO-14", "VERSION:2.0", "VERSION:2.0\nCALSCALE:GREGORIAN\nMETHOD:PUBLISH")).passed


def test_ics_rules():
    cal = parse_ics("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:1\nDTSTAMP:20250101T000000Z\n"
                    "DTSTART;VALUE=DATE:20250102\nDESCRIPTION:a\\;b\\\\c\\nd\nBEGIN:VALARM\nACTION:DISPLAY\n"
                    "END:VALARM\nEND:VEVENT\nEND:VCALENDAR", {})
    event = cal["VEVENT"][0]
    assert event["DTSTART"] == "20250102" and event["DTSTART;VALUE"] == "DATE"
    assert event["DESCRIPTION"] == "a;b\\c\nd"
    assert event["VALARM"] == [{"ACTION": "DISPLAY"}]
    with pytest.raises(FormatError, match="date"):
        parse_ics("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:1\nDTSTAMP:20250101T000000Z\n"
                  "DTSTART;VALUE=DATE:20250102T100000\nEND:VEVENT\nEND:VCALENDAR", {})


# -- SO-15 SQL ------------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, mode, detail", [
    ("'Flann O''Brien'", "'Flann O\\'Brien'", "schema_violation", "syntax error"),
    ("'Flann O''Brien'", "'Flann OBrien'", "wrong_answer", "/0/full_name"),
    ("(3, 'Anonymous', NULL, NULL)", "(3, 'Anonymous', 'NULL', 'NULL')", "schema_violation", "/2/born"),
    ("(3, 'Anonymous', NULL, NULL)", "(3, 'Anonymous', 0, '')", "wrong_answer", "/2/born"),
    ("'Ngũgĩ wa Thiong''o'", "'Ngugi wa Thiong''o'", "wrong_answer", "/1/full_name"),
    (",\n  (3, 'Anonymous', NULL, NULL)", "", "schema_violation", ""),
    ("INSERT INTO authors", "INSERT INTO writers", "schema_violation", "no such table"),
    ("(3, 'Anonymous'", "(1, 'Anonymous'", "schema_violation", "UNIQUE"),
    ("(3, 'Anonymous', NULL, NULL)", "(3, NULL, NULL, NULL)", "schema_violation", "NOT NULL"),
])
def test_so15_near_misses(old, new, mode, detail):
    fails("SO-15", near("SO-15", old, new), mode, detail)


@pytest.mark.parametrize("prefix, detail", [
    ("CREATE TABLE authors (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, born INTEGER, country TEXT);\n", "not"),
    ("DELETE FROM authors;\n", "not DELETE"),
    ("ATTACH DATABASE 'so15.db' AS other;\n", "not ATTACH"),
    ("PRAGMA writable_schema = 1;\n", "not PRAGMA"),
    ("INSERT INTO authors (id, full_name) SELECT 9, upper('x');\n", "not FUNCTION"),
    ("INSERT INTO authors (id, full_name) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
     "SELECT x + 10, 'n' FROM c;\n", "not RECURSIVE"),
])
def test_so15_only_inserts_run(prefix, detail, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fails("SO-15", prefix + bare_payload("SO-15"), "schema_violation", detail)
    assert not list(tmp_path.iterdir())  # ATTACH created no file


def test_so15_other_valid_spellings_pass():
    separate = ("INSERT INTO authors VALUES (1, 'Flann O''Brien', 1911, 'Ireland');\n"
                "INSERT INTO authors VALUES (2, 'Ngũgĩ wa Thiong''o', '1938', 'Kenya');\n"  # affinity makes 1938
                "BEGIN;\nINSERT INTO authors (full_name, id) VALUES ('Anonymous', 3);\nCOMMIT;")
    assert run("SO-15", separate).passed


def test_sql_runaway_is_stopped():
    params = {"create_table": "CREATE TABLE t (a INTEGER);", "query": "SELECT a FROM t"}
    ten = "(" + " UNION ALL ".join(["SELECT 1"] * 10) + ")"
    huge = "INSERT INTO t SELECT 1 FROM " + ", ".join(f"{ten} s{i}" for i in range(9)) + ";"  # 10^9 rows
    with pytest.raises(FormatError, match="interrupted"):
        parse_sql_insert(huge, params)
    assert parse_sql_insert("INSERT INTO t VALUES (1), (2);", params) == [{"a": 1}, {"a": 2}]


# -- matching details -----------------------------------------------------------------------------

def test_numbers_in_text_formats_match_numerically_only_when_plain():
    params = {"format": "csv", "columns": ["n"], "expect": {"/0/n": 4.5}}
    assert evaluate(params, "n\n4.50").passed
    assert evaluate(params, "n\n4.5").passed
    for cell in ("4.51", "$4.50", "4.5 EUR", "4,50"):
        assert not evaluate(params, f"n\n{cell}").passed, cell
    exact = {"format": "csv", "columns": ["n"], "expect": {"/0/n": "4.50"}}
    assert not evaluate(exact, "n\n4.5").passed


def test_json_numbers_are_not_read_from_strings():
    params = {"format": "json", "schema": {"type": "object"}, "expect": {"/n": 4.5}}
    assert evaluate(params, '{"n": 4.5}').passed
    assert not evaluate(params, '{"n": "4.5"}').passed


def test_empty_answer_is_no_answer_found():
    for sid in SC:
        assert run(sid, "  \n").failure_mode == "no_answer_found"


# -- load-time checks -----------------------------------------------------------------------------

def _pack(tmp_path: Path, verifier: dict[str, Any], prompt: str = "Describe the book Dune as data.") -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(json.dumps({
        "pack": {"id": "T-1", "version": "1.0.0", "title": "t", "dimension": "d", "modes": ["medium"],
                 "thinking": False, "max_tokens": 10, "case_seconds": 5},
        "scenarios": [{"id": "S-1", "messages": [{"role": "user", "content": prompt}],
                       "verifier": {"kind": "structured_output", **verifier}, "gold": {"content": "x"},
                       "near_misses": PLACEHOLDER_NEAR_MISSES}],
    }))
    return path


JSON_OK = {"format": "json", "schema": {"type": "object"}, "expect": {"/title": "Dune"}}


@pytest.mark.parametrize("verifier, message", [
    ({**JSON_OK, "format": "jsonl"}, "is not one of"),
    ({**JSON_OK, "expect": {}}, "should be non-empty"),
    ({**JSON_OK, "strict": True}, "'strict' was unexpected"),
    ({k: v for k, v in JSON_OK.items() if k != "schema"}, "needs a schema"),
    ({**JSON_OK, "schema": {"type": "objekt"}}, "not a valid JSON Schema"),
    ({**JSON_OK, "expect": {"title": "Dune"}}, "not a JSON Pointer"),
    ({**JSON_OK, "expect": {"/t": {"$contain": ["x"]}}}, "only"),
    ({**JSON_OK, "columns": ["a"]}, "columns is not used by format json"),
    ({"format": "csv", "expect": {"/0/a": "x"}}, "format csv needs columns"),
    ({"format": "csv", "columns": ["a"], "expect": {"/0/a": True}}, "a bool or null can never match"),
    ({"format": "sql_insert", "create_table": "CREATE TABLE t (a);", "expect": {"/0/a": 1}}, "needs query"),
    ({"format": "sql_insert", "create_table": "CREATE TABEL t (a);", "query": "SELECT a FROM t",
      "expect": {"/0/a": 1}}, "create_table fails"),
    ({"format": "sql_insert", "create_table": "CREATE TABLE t (a);", "query": "SELECT b FROM t",
      "expect": {"/0/a": 1}}, "query fails"),
    ({"format": "sql_insert", "create_table": "CREATE TABLE t (a);", "query": "DELETE FROM t",
      "expect": {"/0/a": 1}}, "does not match"),
    ({**JSON_OK, "fenced": True}, "fenced only applies with prose_allowed"),
    ({**JSON_OK, "prose": {"before": 1}}, "prose only applies with prose_allowed"),
    ({**JSON_OK, "prose_allowed": True, "prose": {"middle": 1}}, "'middle' was unexpected"),
    ({**JSON_OK, "exact": ["/author"]}, "exact: '/author' is not a pointer of expect"),
    ({**JSON_OK, "expect": {"/title": {"$contains": ["Dune"]}}, "exact": ["/title"]}, "has no exact spelling"),
])
def test_bad_verifier_specs_are_pack_errors(tmp_path, verifier, message):
    with pytest.raises(PackError) as exc:
        load_checked(_pack(tmp_path, verifier))
    assert message in str(exc.value) and "S-1" in str(exc.value)


def test_unquoted_yaml_date_in_expect_is_a_pack_error(tmp_path):
    path = _pack(tmp_path, JSON_OK)
    # JSON is YAML: the unquoted 2025-09-18 loads as a date object
    path.write_text(path.read_text().replace('"Dune"', '"Dune", "/d": 2025-09-18'))
    with pytest.raises(PackError, match="not a JSON value"):
        load_checked(path)


def test_prompt_that_passes_when_echoed_is_a_pack_error(tmp_path):
    with pytest.raises(PackError, match="echoed back"):
        load_checked(_pack(tmp_path, JSON_OK, prompt='{"title": "Dune"}'))
    load_checked(_pack(tmp_path, JSON_OK))


def test_xml_stray_text_in_containers_fails():
    fails("SO-10", near("SO-10", "</customer>", "</customer>\n  see attached"), "schema_violation", "/text")
    fails("SO-11", near("SO-11", "<tag>finance</tag>", "<tag>finance</tag> and"), "schema_violation", "/children/2/text")


@pytest.mark.parametrize("sid, text", [
    ("SO-01", "[" * 100_000 + "]" * 100_000),
    ("SO-04", "- " * 5000 + "x"),
    ("SO-04", "[" * 100_000),
    ("SO-06", "a = " + "[" * 100_000 + "]" * 100_000),
    ("SO-10", "<a>" * 50_000 + "</a>" * 50_000),
])
def test_deeply_nested_payloads_are_scored_failures(sid, text):
    v = run(sid, text)
    assert not v.passed and v.failure_mode in ("invalid_json", "schema_violation"), v.detail


def test_ics_component_name_used_as_a_property_fails():
    fails("SO-14", near("SO-14", "END:VEVENT", "END:VEVENT\nVEVENT:x"), "schema_violation", "both")
