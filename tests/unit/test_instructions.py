"""The `instructions` verifier: counting rules, every checker with near-miss negatives,
the blank-answer rule, pack-load validation, and the InstructFollow-15 pack itself."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pytest_modelqa.controls import JUNK, junk_reply
from pytest_modelqa.episode import Episode
from pytest_modelqa.messages import Reply
from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.errors import PackError
from pytest_modelqa.verifiers import REGISTRY, verify
from pytest_modelqa.verifiers import counting as C
from pytest_modelqa.verifiers.instructions import CHECKS, evaluate
from tests.conftest import PLACEHOLDER_NEAR_MISSES

PACK = Path(__file__).resolve().parents[2] / "packs" / "instructfollow-15.yaml"


def met(text: str, check: str, **params) -> bool:
    constraint = {"check": check, **params}
    errors = list(REGISTRY["instructions"].params.iter_errors({"kind": "instructions", "constraints": [constraint]}))
    assert not errors, errors[0].message  # the test itself must use valid params
    return evaluate(constraint, text)[0]


def n_words(n: int) -> str:
    return " ".join(f"w{i}" for i in range(n)) + "."


# ----------------------------------------------------------------------------- words

@pytest.mark.parametrize("text, expected", [
    ("well-known state-of-the-art ideas", 3),
    ("don't can't rock’n’roll", 3),
    ("pi is 3.14 and 1,000,000 people at 10:30", 8),
    ("v2.0 and snake_case", 3),
    ("e.g. apples, i.e. fruit, in the U.S. today", 8),
    ("# Heading\n## Sub heading", 3),
    ("- one\n* two\n+ three\n1. four\n2) five\n  - nested six", 7),
    ("> quoted text\n> > deeper", 3),
    ("**bold** and _italic_ and `code`", 5),
    ("| a | b |\n|---|---|\n| c | d |", 4),
    ("before — after -- end ... !!", 3),
    ("and/or", 2),
    ("42", 1),
    ("café naïve Zürich", 3),
    ("hello,world", 2),
    ("", 0),
    ("  \n\n --- *** ...", 0),
    ("text with trailing newlines\n\n\n", 4),
])
def test_word_counting(text, expected):
    assert C.word_count(text) == expected, C.words(text)


def test_words_are_listed():
    assert C.words("A 3-day trip, e.g. to Rome.") == ["A", "3-day", "trip", "e.g.", "to", "Rome"]


# ----------------------------------------------------------------------------- sentences

@pytest.mark.parametrize("text, expected", [
    ("One. Two! Three? Four", 4),
    ("Pi is about 3.14 and e is 2.718.", 1),
    ("Use fruit, e.g. apples. Or i.e. pears.", 2),
    ("Dr. Smith met Mrs. Jones at St. Mary's.", 1),
    ("J. R. R. Tolkien wrote it.", 1),
    ("We meet at 3 p.m. today. Bring tea.", 2),
    ("She moved to the U.S. It was cold.", 2),
    ("Apples, pears, etc. are fruit. Done.", 2),
    ("Wait... what happened? Nothing… Really.", 3),
    ("Really?! Yes.", 2),
    ('He said "Stop." Then he left.', 2),
    ('"Quoted answer. Two sentences."', 2),
    ("(An aside.) Main point.", 2),
    ("# A heading\nBody sentence one. Body two.", 3),
    ("Intro line:\n- first item\n- second item\n1. numbered item", 4),
    ("First paragraph without a stop\n\nSecond one.", 2),
    ("a lowercase sentence. another one. and a third", 3),
    ("Ends here.\n\n\n", 1),
    ("... !!! ???", 0),
    ("", 0),
])
def test_sentence_counting(text, expected):
    assert len(C.sentences(text)) == expected, C.sentences(text)


# ----------------------------------------------------------------------------- paragraphs

@pytest.mark.parametrize("text, expected", [
    ("One.\n\nTwo.\n\nThree.", 3),
    ("One.\n\nTwo.\n\n\n\n", 2),
    ("\n\n\nOne.\n\nTwo.", 2),
    ("One.\n   \t\nTwo.", 2),
    ("One.\r\n\r\nTwo.\r\n", 2),
    ("Line one\nline two of the same paragraph", 1),
    ("One.\n\n\n\n\nTwo.", 2),
    ("One.\n\n---\n\nTwo.", 2),
    ("Hi Priya,\nBody text.\n\nP.S. More.", 2),
    ("", 0),
    ("\n\n  \n", 0),
])
def test_paragraph_counting(text, expected):
    assert len(C.paragraphs(text)) == expected, C.paragraphs(text)


# ----------------------------------------------------------------------------- bullets

@pytest.mark.parametrize("text, style, expected", [
    ("- a\n- b\n- c", "any", 3),
    ("* a\n+ b\n1. c\n2) d", "any", 4),
    ("* a\n+ b\n1. c\n2) d", "unordered", 2),
    ("* a\n+ b\n1. c\n2) d", "ordered", 2),
    ("- a\n  - nested\n    - deeper", "any", 3),
    ("* * *\n---\n- - -", "any", 0),
    ("**Bold** line\n*italic* line", "any", 0),
    ("-no space\n1.no space", "any", 0),
    ("- \n-\n- real", "any", 1),
    ("Intro:\n\n- a\n\n- b\n\nOutro.", "any", 2),
    ("Inline - dash and 1. marker", "any", 0),
])
def test_bullet_counting(text, style, expected):
    assert len(C.bullets(text, style)) == expected, C.bullets(text, style)


# ----------------------------------------------------------------------------- placeholders, sections, capitals

def test_placeholder_rules():
    text = "Dear [name], see [the docs](http://x) and [ ] and [1]; sign [name] / [Your Title]."
    assert C.placeholders(text) == ["[name]", "[name]", "[Your Title]"]


def test_section_rules():
    text = "SECTION 1\nA\n## SECTION 2: more\n**SECTION 3**\nSee SECTION 4 inline\nSection 5\nSECTION 66x"
    assert C.section_numbers(text) == [1, 2, 3]
    assert C.section_numbers("Part 1\nPart 2", "Part") == [1, 2]


def test_capital_word_rules():
    assert C.capital_words("I think NEVER and OK, not A or U.S. or P.S. or Mixed CAPs") == ["NEVER", "OK"]


# ----------------------------------------------------------------------------- checkers, near misses

def test_words_near_misses():
    assert not met(n_words(49), "words", at_least=50)
    assert met(n_words(50), "words", at_least=50)
    assert met(n_words(50), "words", at_most=50)
    assert not met(n_words(51), "words", at_most=50)
    assert met(n_words(50), "words", exactly=50)
    assert not met(n_words(49), "words", exactly=50)
    assert met(n_words(60), "words", at_least=60, at_most=90)
    assert not met(n_words(91), "words", at_least=60, at_most=90)


def test_trace_shows_measured_value():
    assert evaluate({"check": "words", "at_least": 50}, n_words(47))[1] == "words: 47, need at least 50"
    assert evaluate({"check": "words", "at_least": 40, "at_most": 60}, n_words(47))[1] == \
        "words: 47 (need between 40 and 60)"


def test_sentences_paragraphs_characters():
    assert met("One. Two. Three.", "sentences", exactly=3)
    assert not met("One. Two.", "sentences", exactly=3)
    assert not met("One. Two. Three. Four.", "sentences", at_most=3)
    assert met("A.\n\nB.", "paragraphs", exactly=2)
    assert not met("A.\nB.", "paragraphs", exactly=2)
    assert met("abcde", "characters", exactly=5)
    assert not met("abcdef", "characters", at_most=5)


def test_bullets_near_miss():
    four = "- a\n- b\n- c\n- d"
    assert not met(four, "bullets", exactly=3)
    assert met(four, "bullets", exactly=4)
    assert met(four, "bullets", at_least=3)
    assert not met(four, "bullets", style="ordered", at_least=1)
    assert met("1. a\n2. b\n3. c", "bullets", style="ordered", exactly=3)


def test_frequency_and_include():
    once = "Flour matters. Use good bread."
    assert not met(once, "frequency", phrase="flour", at_least=2)
    assert met(once + " More flour.", "frequency", phrase="flour", at_least=2)
    assert not met("flour flour flour", "frequency", phrase="flour", at_most=2)
    assert not met("Flour is here.", "include", phrases=["flour"], at_least=2)
    assert met("Flour and FLOUR.", "include", phrases=["flour"], at_least=2)
    assert not met("concatenate", "include", phrases=["cat"])  # word boundaries
    assert met("The cat sat.", "include", phrases=["cat", ["mat", "sat"]])  # alternatives
    assert not met("The cat.", "include", phrases=["cat", ["mat", "sat"]])
    assert met("It’s fine", "include", phrases=["it's fine"])  # curly apostrophe
    assert met("new\n  york", "include", phrases=["New York"])  # whitespace inside a phrase


def test_include_any_counts_distinct_entries():
    text = "Nitrogen and worms; more nitrogen."
    assert met(text, "include_any", phrases=["nitrogen", ["worms", "earthworms"], "fungi"], at_least=2)
    assert not met(text, "include_any", phrases=["nitrogen", ["worms", "earthworms"], "fungi"], at_least=3)
    assert not met("nitrogen nitrogen", "include_any", phrases=["nitrogen", "fungi"], at_least=2)


def test_exclude():
    assert met("Every answer.", "exclude", phrases=["very"])
    assert not met("A very good answer.", "exclude", phrases=["very"])
    assert not met("SOIL matters", "exclude", phrases=["soil"])


def test_pattern():
    assert met("Friday at 2:30 pm", "pattern", regex=r"\d:\d\d")
    assert not met("Friday afternoon", "pattern", regex=r"\d:\d\d")
    assert not met("1:00 and 2:00", "pattern", regex=r"\d:\d\d", exactly=1)


def test_lowercase_uppercase():
    assert met("all lowercase here.", "lowercase")
    assert not met("all lowercase here except One.", "lowercase")
    assert not met("42", "lowercase")  # no letters
    assert met("ALL CAPS HERE, 42!", "uppercase")
    assert not met("ALL CAPS HERe", "uppercase")
    assert not met("42", "uppercase")


def test_no_commas():
    assert met("No commas at all.", "no_commas")
    assert not met("One, comma.", "no_commas")
    assert not met("Fullwidth，comma", "no_commas")


def test_postscript():
    body = "Main text of the letter.\n\n"
    assert met(body + "P.S. Bring snacks.", "postscript")
    assert met(body + "**P.S.** Bring snacks.", "postscript")
    assert met(body.lower() + "p.s. bring snacks.", "postscript")  # lowercase answers
    assert not met(body + "P.S Bring snacks.", "postscript")  # "P.S" is not "P.S."
    assert not met(body + "PS Bring snacks.", "postscript")
    assert not met("Main text, see the P.S. below.", "postscript")  # not at a line start
    assert not met("P.S. Only a postscript.", "postscript")  # no body before it
    assert not met(body + "P.S.", "postscript")  # nothing after the marker
    assert met(body + "P.P.S. Also.", "postscript", marker="P.P.S.")


def test_postscript_comes_last():
    body = "Main text of the letter.\n\n"
    assert met(body + "Best,\nSam\nP.S. Bring snacks.", "postscript")  # in the last paragraph
    assert not met(body + "P.S. Bring snacks.\n\nBest,\nSam", "postscript")  # a sign-off after it
    assert not met(body + "P.S. Bring snacks.\n\nMore of the letter.", "postscript")
    assert met(body + "P.S. Bring snacks.", "postscript", own_paragraph=True)
    assert not met(body + "Best,\nSam\nP.S. Bring snacks.", "postscript", own_paragraph=True)
    assert met(body + "P.S. One.\n\nP.S. Two, the last.", "postscript")  # the last one counts


def test_bullets_distinct():
    same = "- Lower the brightness.\n- Turn off Bluetooth.\n- lower the  brightness\n- Use dark mode."
    assert met(same, "bullets", exactly=4)
    assert not met(same, "bullets", exactly=4, distinct=True)  # the same tip twice is three tips
    assert met(same.replace("- lower the  brightness", "- Close idle apps."), "bullets", exactly=4, distinct=True)
    five = same.replace("- Use dark mode.", "- Use dark mode.\n- Close idle apps.")
    assert not met(five, "bullets", at_least=4, at_most=5, distinct=True)  # four different, one twice: still wrong


def test_sections_need_a_body():
    assert not met("SECTION 1\nA.\nSECTION 2\nSECTION 3\nC.", "sections", exactly=3)
    assert met("SECTION 1: one ball\nSECTION 2: two balls\nSECTION 3: three balls", "sections", exactly=3)
    assert C.section_bodies("x\nSECTION 1\nA.\n## SECTION 2\nB.") == ["\nA.\n", "\nB."]


def test_quoted_as_one_pair():
    assert not met('"One sentence." "Two sentences." "Three."', "quoted")
    assert not met('"One sentence."\n"Two sentences."', "quoted")
    assert met('"It is called \'Rayleigh scattering\'. Then more."', "quoted")


def test_exact_phrases_and_own_sentences():
    end = "Ride further, refill anywhere."
    assert met("Cold water all day. Ride further, refill anywhere.", "ends_with", phrase=end, case_sensitive=True)
    assert met("Cold water all day.\n\n**Ride further, refill anywhere.**", "ends_with", phrase=end,
               case_sensitive=True, own_sentence=True)  # emphasis around it is still the sentence
    assert not met("Cold water all day. Ride Further, Refill Anywhere.", "ends_with", phrase=end, case_sensitive=True)
    assert not met("Cold water all day so you can ride further, refill anywhere.", "ends_with", phrase=end,
                   own_sentence=True)
    assert met("Cold water all day so you can ride further, refill anywhere.", "ends_with", phrase=end)
    assert not met("hi priya,\nhello", "starts_with", phrase="Hi Priya,", case_sensitive=True)
    assert met("**Hi Priya,**\nhello", "starts_with", phrase="Hi Priya,", case_sensitive=True)


def test_capital_words_ignore_acronyms():
    text = "You will set a new PB in NYC, so go SLOWER and NEVER stop."
    assert not met(text, "capital_words", at_least=2, at_most=3)
    assert met(text, "capital_words", at_least=2, at_most=3, ignore=["PB", "NYC"])


def test_json_bare_schema_and_distinct():
    doc = '{"games": [{"name": "Azul"}, {"name": "Uno"}]}'
    schema = {"type": "object", "properties": {"games": {"type": "array", "minItems": 2,
                                                        "items": {"type": "object", "required": ["name"]}}}}
    assert met(doc, "json", bare=True, schema=schema, distinct=["/games/*/name"])
    assert not met(f"```json\n{doc}\n```", "json", bare=True)  # "no markdown"
    assert met(f"```json\n{doc}\n```", "json")
    assert not met('{"games": {"name": "Azul"}}', "json", schema=schema)  # not a list
    assert not met('{"games": [{"name": "Azul"}, {"title": "Uno"}]}', "json", schema=schema)
    assert not met('{"games": [{"name": "Azul"}, {"name": " azul"}]}', "json", distinct=["/games/*/name"])


def test_starts_with():
    assert met("  Honestly, yes.", "starts_with", phrase="Honestly")
    assert met("honestly yes", "starts_with", phrase="Honestly")
    assert not met("Honest answer", "starts_with", phrase="Honestly")
    assert not met("Yesterday I", "starts_with", phrase="Yes")
    assert not met("Well, honestly", "starts_with", phrase="Honestly")
    assert met("Dear Priya,\nhi", "starts_with", phrase=["Hi Priya,", "Dear Priya,"])


def test_ends_with():
    assert met("Text. Enjoy your stay!\n", "ends_with", phrase="Enjoy your stay!")
    assert not met("Text. Enjoy your stay!\n- Reception", "ends_with", phrase="Enjoy your stay!")
    assert not met("Text. Enjoy your stay", "ends_with", phrase="Enjoy your stay!")
    assert met("Text. thank you.", "ends_with", phrase="Thank you")  # one final mark tolerated
    assert not met("It is unlikely", "ends_with", phrase="likely")
    assert not met('"Ride further, refill anywhere."', "ends_with", phrase="Ride further, refill anywhere.")


def test_json():
    assert met('{"a": 1}', "json")
    assert met('```json\n{"a": 1}\n```', "json")
    assert met("[1, 2]", "json")
    assert not met("42", "json")  # a bare scalar is not a JSON answer
    assert met("42", "json", type="any")
    assert not met('Here you go: {"a": 1}', "json")
    assert not met('{"a": 1', "json")
    assert not met("[1]", "json", type="object")
    assert met('{"games": []}', "json", keys=["games"])
    assert not met('{"game": []}', "json", keys=["games"])


def test_quoted():
    assert met('"A quoted answer."', "quoted")
    assert met("“Curly quotes.”", "quoted")
    assert not met('"Missing the end.', "quoted")
    assert not met("'Single quotes.'", "quoted")
    assert not met('" ... "', "quoted")


def test_title():
    assert met("<<A Title>>\nBody.", "title")
    assert met("Body first. <<A Title>> later.", "title")
    assert not met("Body first. <<A Title>> later.", "title", first_line=True)
    assert met("\n# <<A Title>>\nBody.", "title", first_line=True)
    assert not met("<< >>\nBody.", "title")
    assert not met("<A Title>\nBody.", "title")


def test_sections_and_placeholders():
    three = "SECTION 1\nA.\nSECTION 2\nB.\nSECTION 3\nC."
    assert met(three, "sections", exactly=3)
    assert not met("SECTION 1\nA.\nSECTION 2\nB.", "sections", exactly=3)
    assert not met("SECTION 1\nA.\nSECTION 3\nB.\nSECTION 2\nC.", "sections", exactly=3)  # out of order
    assert not met("Section 1\nA.\nSection 2\nB.\nSection 3\nC.", "sections", exactly=3)
    assert met("[a] [b] [c] [d]", "placeholders", at_least=4)
    assert not met("[a] [b] [c]", "placeholders", at_least=4)
    assert not met("[a] [a] [b] [c]", "placeholders", at_least=4, distinct=True)


def test_capital_words():
    assert met("Run SLOWER and NEVER stop.", "capital_words", at_least=2)
    assert not met("Run SLOWER and never stop.", "capital_words", at_least=2)
    assert not met("RUN SLOWER NEVER STOP NOW", "capital_words", at_most=4)


# ----------------------------------------------------------------------------- the blank-answer rule

ONE_OF_EACH = [
    {"check": "words", "at_most": 50}, {"check": "sentences", "at_most": 3},
    {"check": "paragraphs", "at_most": 2}, {"check": "characters", "at_most": 100},
    {"check": "capital_words", "at_most": 3}, {"check": "bullets", "at_most": 0},
    {"check": "placeholders", "at_most": 0}, {"check": "sections", "at_most": 0},
    {"check": "frequency", "phrase": "x", "at_most": 0}, {"check": "include", "phrases": ["x"]},
    {"check": "include_any", "phrases": ["x"]}, {"check": "exclude", "phrases": ["soil"]},
    {"check": "pattern", "regex": ".*"}, {"check": "lowercase"}, {"check": "uppercase"},
    {"check": "no_commas"}, {"check": "quoted"}, {"check": "starts_with", "phrase": "x"},
    {"check": "ends_with", "phrase": "x"}, {"check": "json", "type": "any"}, {"check": "postscript"},
    {"check": "title"},
]


def test_one_of_each_covers_every_check():
    assert {c["check"] for c in ONE_OF_EACH} == set(CHECKS)


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "...", "**", "```\n```", '""'])
@pytest.mark.parametrize("constraint", ONE_OF_EACH, ids=lambda c: c["check"])
def test_blank_answer_fails_every_constraint(text, constraint):
    ok, line = evaluate(constraint, text)
    assert not ok and "empty" in line


# ----------------------------------------------------------------------------- the verifier kind

class _Scenario:
    messages = ({"role": "user", "content": "Write something."},)


def run(text: str, constraints: list[dict]):
    episode = Episode((Reply(content=text),), (), exhausted=False)
    return REGISTRY["instructions"].verify({"kind": "instructions", "constraints": constraints}, _Scenario(), episode)


def test_verdict_score_and_trace():
    constraints = [{"check": "words", "at_least": 50}, {"check": "no_commas"},
                   {"check": "include", "phrases": ["w3"]}, {"check": "lowercase"}]
    v = run(n_words(47), constraints)
    assert not v.passed and v.failure_mode == "verifier_fail"
    assert v.score == 0.75
    assert v.trace[0] == "FAILED: words: 47, need at least 50"
    assert [t.split(":")[0] for t in v.trace] == ["FAILED", "ok", "ok", "ok"]
    assert "words: 47, need at least 50" in v.detail
    assert "words at least 50" in v.expected
    ok = run(n_words(50), constraints)
    assert ok.passed and ok.score == 1.0 and len(ok.trace) == 4


def test_verdict_empty_answer_scores_zero():
    v = run("", [{"check": "no_commas"}, {"check": "words", "at_most": 10}])
    assert not v.passed and v.score == 0.0


# ----------------------------------------------------------------------------- pack loading

def _pack(tmp_path: Path, constraints: str, prompt: str = "Explain photosynthesis briefly.",
          gold: str = "Plants turn light into sugar.") -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent(f"""\
        pack: {{id: T-1, version: 1.0.0, title: t, dimension: d, modes: [quick], thinking: false,
               max_tokens: 10, case_seconds: 5}}
        scenarios:
          - id: S-1
            messages: [{{role: user, content: "{prompt}"}}]
            verifier:
              kind: instructions
              constraints: {constraints}
            gold: {{content: "{gold}"}}
            near_misses: {json.dumps(PLACEHOLDER_NEAR_MISSES)}
        """))
    return path


@pytest.mark.parametrize("constraints, message", [
    ('[{check: wrds, at_least: 3}]', "'wrds' is not one of"),
    ('[{check: words, at_lest: 3}]', "'at_lest' was unexpected"),
    ('[{check: words}]', "give exactly, at_least or at_most"),
    ('[{check: words, exactly: 3, at_most: 4}]', "exactly cannot be combined"),
    ('[{check: words, at_least: 9, at_most: 4}]', "at_least 9 > at_most 4"),
    ('[{check: words, at_least: -1}]', "minimum"),
    ('[{check: include, phrases: []}]', "should be non-empty"),
    ('[{check: pattern, regex: "(unclosed"}]', "bad regex"),
    ('[{check: lowercase, strict: true}]', "'strict' was unexpected"),
    ('[]', "should be non-empty"),
])
def test_bad_constraints_are_pack_errors(tmp_path, constraints, message):
    with pytest.raises(PackError) as exc:
        load_checked(_pack(tmp_path, constraints))
    assert message in str(exc.value) and "S-1" in str(exc.value)


def test_prompt_echo_meeting_every_constraint_is_a_pack_error(tmp_path):
    with pytest.raises(PackError, match="echoed back"):
        load_checked(_pack(tmp_path, "[{check: words, at_most: 20}, {check: no_commas}]"))
    load_checked(_pack(tmp_path, "[{check: words, at_most: 20}, {check: include, phrases: [sugar]}]"))


# ----------------------------------------------------------------------------- the shipped pack

CONTENT_CHECKS = {"include", "include_any", "pattern", "frequency", "json"}


@pytest.fixture(scope="module")
def pack():
    return load_checked(PACK)


def test_pack_metadata(pack):
    m = pack.meta
    assert (m.id, m.version, m.dimension, m.modes, m.thinking, m.case_seconds) == \
        ("InstructFollow-15", "1.2.0", "instruction_following", ("quick", "medium", "full"), True, 90)
    assert [s.id for s in pack.scenarios] == [f"IF-{i:02d}" for i in range(1, 16)]
    for s in pack.scenarios:
        assert s.verifier["kind"] == "instructions"
        assert 2 <= len(s.verifier["constraints"]) <= 6, s.id


def test_pack_gold_meets_every_constraint(pack):
    for s in pack.scenarios:
        for c in s.verifier["constraints"]:
            ok, line = evaluate(c, s.gold[-1].content)
            assert ok, f"{s.id}: {line}"


def _scenario(pack, sid):
    return next(s for s in pack.scenarios if s.id == sid)


def _answer(pack, sid: str, text: str) -> bool:
    return verify(_scenario(pack, sid), Episode((Reply(content=text),), (), False)).passed


def _gold(pack, sid: str) -> str:
    return _scenario(pack, sid).gold[-1].content


def test_pack_postscript_position_and_proposed_time(pack):
    gold = _gold(pack, "IF-03")
    greeting, first, second, third, ps = gold.split("\n", 1)[0], *gold.split("\n", 1)[1].split("\n\n")
    assert _answer(pack, "IF-03", gold)
    # the P.S. as the third paragraph and the sign-off after it: four paragraphs, wrong order
    assert not _answer(pack, "IF-03", f"{greeting}\n{first}\n\n{second}\n\n{ps}\n\n{third}")
    # a morning time on Friday, or an afternoon on another day, is not what was asked
    assert not _answer(pack, "IF-03", gold.replace("Friday at 2:30 pm", "Friday at 10:30 am"))
    assert not _answer(pack, "IF-03", gold.replace("Friday", "Monday"))
    for other in ("Friday at 14:00", "Friday at 3 p.m.", "Friday, say half past two,", "Friday at 2pm"):
        assert _answer(pack, "IF-03", gold.replace("Friday at 2:30 pm", other)), other
    # the afternoon time given to Thursday, or away from any mention of Friday
    assert not _answer(pack, "IF-03", gold.replace("Would Friday at 2:30 pm work for you?",
                                                   "Or would Thursday at 4 pm work on Friday's side?"))
    assert not _answer(pack, "IF-03", gold.replace("Would Friday at 2:30 pm work for you?", "Would 2:30 pm work?"))
    assert _answer(pack, "IF-03", gold.replace("Would Friday at 2:30 pm work for you?",
                                               "Friday is free for me. How about 2:30 pm?"))


def test_pack_json_games(pack):
    gold = _gold(pack, "IF-04")
    assert _answer(pack, "IF-04", gold)
    assert _answer(pack, "IF-04", gold.replace('"2-5"', '"two to five"'))  # digits were never asked for
    assert _answer(pack, "IF-04", gold.replace('"2-5"', "4"))
    assert not _answer(pack, "IF-04", f"```json\n{gold}\n```")  # "no markdown"
    assert not _answer(pack, "IF-04", gold.replace("Kingdomino", "Ticket to Ride"))  # one game twice
    assert not _answer(pack, "IF-04", gold.replace('"players": "2-4", "reason"', '"reason"', 1))  # a key missing
    assert not _answer(pack, "IF-04", gold.replace('"players": "2-5"', '"players": "2-5", "age": "8+"'))


def test_pack_one_step_per_line_and_distinct_steps(pack):
    gold = _gold(pack, "IF-11")
    lines = gold.split("\n")
    assert _answer(pack, "IF-11", gold)
    wrapped = gold.replace("hook two tyre levers", "hook two\n   tyre levers")
    assert not _answer(pack, "IF-11", wrapped)  # a step over two lines
    joined = "\n".join([lines[0] + " 2. " + lines[1][3:], *lines[2:]])
    assert not _answer(pack, "IF-11", joined)  # two steps on one line
    repeated = "\n".join([*lines[:4], "5. " + lines[3][3:]])
    assert not _answer(pack, "IF-11", repeated)  # five steps, the fifth a copy of the fourth
    assert _answer(pack, "IF-11", "Here is what to do:\n\n" + gold)
    assert _answer(pack, "IF-11", "Here is what to do:\n" + gold + "\nRide safe!")  # text beside the list
    assert not _answer(pack, "IF-11", gold + "\nthen ride off.")  # the last step wraps
    assert not _answer(pack, "IF-11", gold.replace("\n5.", "\nThen the next one.\n5."))  # a line between steps
    assert not _answer(pack, "IF-11", "\n".join([*lines, "7. " + lines[5][3:]]))  # a step twice in seven


def test_pack_sentence_case_and_acronyms(pack):
    gold = _gold(pack, "IF-15")
    body, ps = gold.split("\n\nP.S.")
    assert _answer(pack, "IF-15", gold)
    assert _answer(pack, "IF-15", gold.replace("after mile twenty", "after the 20-mile mark of the NYC course"))
    title = " ".join(w[:1].upper() + w[1:] for w in body.split(" "))
    assert not _answer(pack, "IF-15", title + "\n\nP.S." + ps)  # Title Case is not sentence case
    assert not _answer(pack, "IF-15", ps.strip() + "\n\n" + body)  # no postscript at the end


def test_pack_exact_endings_and_forbidden_forms(pack):
    gold7, gold13 = _gold(pack, "IF-07"), _gold(pack, "IF-13")
    assert not _answer(pack, "IF-07", gold7.replace("Ride further, refill anywhere.", "ride further, refill anywhere."))
    assert not _answer(pack, "IF-07", gold7.replace("grams. Ride further", "grams - Ride further"))
    assert _answer(pack, "IF-07", gold7.replace(" Ride further, refill anywhere.", "\n\n**Ride further, refill anywhere.**"))
    assert not _answer(pack, "IF-13", gold13.replace("Enjoy your stay!", "enjoy your stay!"))
    how_only = gold13.replace(", so nothing is left running while you are away", "")
    assert not _answer(pack, "IF-13", how_only)  # the prompt also asks why the switch exists
    assert _answer(pack, "IF-13", how_only.replace("30 seconds.", "30 seconds, which saves power."))
    assert not _answer(pack, "IF-01", _gold(pack, "IF-01").replace("heavy ground", "heavy topsoil"))
    assert not _answer(pack, "IF-10", _gold(pack, "IF-10").replace("wild microbes", "wild yeasty microbes"))
    gold2 = _gold(pack, "IF-02").split("\n")
    assert not _answer(pack, "IF-02", "\n".join([*gold2[:3], gold2[0]]))  # a tip twice
    gold12 = _gold(pack, "IF-12")
    assert not _answer(pack, "IF-12", gold12.replace("JavaScript", "Ruby"))  # one of the two never weighed


@pytest.mark.parametrize("variant", [v for v in JUNK if v != "all_tools"])
def test_pack_junk_fails_a_content_check(pack, variant):
    """Not just one constraint: each junk answer must fail a CONTENT check, so a scenario
    never relies on formatting alone to reject the prompt echo or random prose."""
    for s in pack.scenarios:
        text = junk_reply(variant, s, 0).content
        assert not verify(s, Episode((Reply(content=text),), (), False)).passed, s.id
        content = [c for c in s.verifier["constraints"] if c["check"] in CONTENT_CHECKS]
        assert content, s.id
        assert any(not evaluate(c, text)[0] for c in content), f"{s.id}: {variant} meets every content check"
