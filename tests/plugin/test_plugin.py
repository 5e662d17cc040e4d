"""Plugin behaviour through pytester: inertness, collection, controls, reports, xdist."""

from __future__ import annotations

import json
import textwrap
import time

import jsonschema
import pytest

from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.names import shipped_packs_dir
from pytest_modelqa.packs import discover
from tests.conftest import SELFTEST_PACKS, dead_port, run_json

SHIPPED = [load_checked(p) for p in discover([shipped_packs_dir()])]
ALL_PACKS = SHIPPED + [load_checked(p) for p in discover([SELFTEST_PACKS])]


def test_inert_without_endpoint(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_one():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=1)
    out = result.stdout.str().replace("plugins: modelqa-", "")  # pytest's own plugin list
    assert "modelqa" not in out and "Quality:" not in out


def test_inert_plugin_costs_nothing_measurable_at_startup(pytester: pytest.Pytester) -> None:
    """Loading the plugin without an endpoint imports none of its heavy modules."""
    pytester.makepyfile(textwrap.dedent("""
        import sys
        def test_nothing_heavy_imported():
            loaded = [m for m in ("pytest_modelqa.run", "pytest_modelqa.packs", "httpx", "yaml", "jsonschema")
                      if m in sys.modules]
            assert loaded == [], loaded
    """))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:anyio")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("control", ["oracle", "junk", "near-miss"])
def test_controls_hold_for_every_pack(pytester: pytest.Pytester, control: str, results_schema,
                                      docker_backend) -> None:
    """Every pack, the sandboxed ones through real sandboxes (their gold commands really run)."""
    result, doc = run_json(pytester, f"--modelqa-control={control}")
    n = sum(len(p.scenarios) for p in ALL_PACKS)
    unavailable = sorted(p.meta.id for p in ALL_PACKS if p.unavailable)  # gated data not here: one skip each
    result.assert_outcomes(passed=n, skipped=len(unavailable))
    jsonschema.validate(doc, results_schema)
    assert sorted(s["pack"] for s in doc.get("skipped", [])) == unavailable
    for pack in (p for p in ALL_PACKS if not p.unavailable):
        row = next(r for r in doc["packs"] if r["pack"] == pack.meta.id)
        want = len(pack.scenarios) if control == "oracle" else 0  # near-miss: the first near miss is shown
        assert row["passed"] == want, (pack.meta.id, row)
    assert all(v["passed"] == (v["expect"] == "pass") for s in doc["scenarios"] for v in s["control_variants"])
    if control == "near-miss":
        assert all(sum(v["expect"] == "fail" for v in s["control_variants"]) >= 5 for s in doc["scenarios"])
    if control == "junk":
        variants = {v["variant"] for s in doc["scenarios"] for v in s["control_variants"]}
        assert variants == {"empty", "no_answer", "echo", "prose", "number", "letter", "all_tools"}
        assert all(not v["passed"] for s in doc["scenarios"] for v in s["control_variants"])


def test_lenient_verifier_is_caught_by_junk_control(pytester: pytest.Pytester) -> None:
    """A pack whose check passes anything must show up as a control violation."""
    pack = (SELFTEST_PACKS / "selftest-4.yaml").read_text()
    lenient = pack.replace("id: SelfTest-4", "id: Lenient-1").replace(
        "must_include: [Tokyo]", "must_include: []")
    d = pytester.mkdir("lenient")
    (d / "lenient.yaml").write_text(lenient)
    result = pytester.runpytest("-p", "no:cacheprovider", f"--modelqa-packs-dir={d}", "--modelqa-control=junk",
                                "-m", "lenient_1")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*ST-04: a junk answer PASSED the verifier*", "*VERIFIER BUG (1)*"])


def test_near_miss_control_names_the_near_miss_a_verifier_accepts(pytester: pytest.Pytester) -> None:
    """A near miss the verifier passes fails its item (a verifier bug, named by its `why`), as
    does an accepted alternative it rejects; the other scenarios still pass."""
    pack = (SELFTEST_PACKS / "selftest-4.yaml").read_text()
    # ST-04 no longer forbids Kyoto; ST-01's accept now lacks "sunny", which the verifier requires
    lenient = pack.replace("id: SelfTest-4", "id: Lenient-2").replace(
        "must_not_include: [Kyoto]", "must_not_include: [Osaka]").replace(
        '- content: "Lisbon right now: clear and sunny, 23 degrees Celsius."', '- content: "Lisbon: fine, 23 degrees."')
    d = pytester.mkdir("lenient")
    (d / "lenient.yaml").write_text(lenient)
    out = pytester.path / "nm.json"
    result = pytester.runpytest("-p", "no:cacheprovider", f"--modelqa-packs-dir={d}", "--modelqa-control=near-miss",
                                "-m", "lenient_2", f"--modelqa-json={out}")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines([
        "*ST-01: VERIFIER BUG under --modelqa-control=near-miss: right answers rejected: "
        "accept 1 (unit omitted (celsius is the default), other wording): wrong_answer: *",
        "*ST-04: VERIFIER BUG under --modelqa-control=near-miss: near misses accepted: "
        "near-miss 4 (hedged between two cities)*",
        "*VERIFIER BUG (2)*"])
    row = next(r for r in json.loads(out.read_text())["scenarios"] if r["scenario"] == "ST-04")
    assert [(v["variant"], v["passed"]) for v in row["control_variants"] if v["expect"] == "fail"] == \
        [("near-miss 1", False), ("near-miss 2", False), ("near-miss 3", False), ("near-miss 4", True),
         ("near-miss 5", False)]


def test_items_have_node_ids_and_markers(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-p", "no:cacheprovider", f"--modelqa-packs-dir={SELFTEST_PACKS}",
                                "--modelqa-control=oracle", "--collect-only", "-q", "--strict-markers",
                                "-m", "quick and selftest_4")
    result.stdout.fnmatch_lines(["*selftest-4.yaml::ST-01", "*selftest-4.yaml::ST-04"])
    result = pytester.runpytest("-p", "no:cacheprovider", f"--modelqa-packs-dir={SELFTEST_PACKS}",
                                "--modelqa-control=oracle", "-k", "ST-02", "-W", "error")
    result.assert_outcomes(passed=1)
    assert "0 of 4" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*SelfTest-4: 1 of 4 scenarios selected*"])


def test_shipped_pack_node_ids_are_relative_to_packs(pytester: pytest.Pytester) -> None:
    if not SHIPPED:
        pytest.skip("no shipped packs yet")
    result = pytester.runpytest("-p", "no:cacheprovider", "--modelqa-control=oracle", "--collect-only", "-q")
    first = SHIPPED[0]
    result.stdout.fnmatch_lines([f"packs/{first.path.name}::{first.scenarios[0].id}"])


BROKEN = {
    "bad yaml": ("pack: [unclosed", "not valid YAML"),
    "missing field": ("pack: {id: X-1}\nscenarios: []", "pack: 'version' is a required property"),
    "unknown verifier": (None, "scenario ST-02: verifier: unknown kind 'nope'"),
    "duplicate id": (None, "scenario ST-01: duplicate scenario id"),
    "too few near misses": (None, "scenario ST-04: near_misses: 4 given, a scenario needs at least 5"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_pack_is_a_collection_error_naming_file_scenario_problem(pytester: pytest.Pytester, case: str) -> None:
    text, message = BROKEN[case]
    good = (SELFTEST_PACKS / "selftest-4.yaml").read_text()
    if case == "unknown verifier":
        text = good.replace("kind: final_answer", "kind: nope")
    elif case == "duplicate id":
        text = good.replace("id: ST-02", "id: ST-01")
    elif case == "too few near misses":
        text = good.replace('      - why: "the capital of another country"\n        reply: "The capital is Seoul."\n', "")
    d = pytester.mkdir("broken")
    (d / "broken.yaml").write_text(text)
    result = pytester.runpytest("-p", "no:cacheprovider", f"--modelqa-packs-dir={d}", "--modelqa-control=oracle")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines([f"*modelqa pack error: *broken.yaml*{message}*"])
    assert "Traceback" not in result.stdout.str()


def test_dead_endpoint_fails_fast_with_one_message(pytester: pytest.Pytester) -> None:
    start = time.monotonic()
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                           f"--model-endpoint=http://127.0.0.1:{dead_port()}")
    assert time.monotonic() - start < 15
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert err.count("unreachable") == 1, err
    assert "is the server running" in err
    assert "Traceback" not in err + result.stdout.str()


def test_control_and_endpoint_together_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--modelqa-control=oracle", "--model-endpoint=http://127.0.0.1:1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_end_to_end_against_simulator(pytester: pytest.Pytester, simulator, results_schema) -> None:
    sim = simulator("--success-rate", "0.5", "--seed", "3")
    result, doc = run_json(pytester, f"--model-endpoint={sim.url}", "-m", "selftest_4", "-v",
                           "--junitxml", str(pytester.path / "junit.xml"))
    jsonschema.validate(doc, results_schema)
    passed = [s for s in doc["scenarios"] if s["passed"]]
    failed = [s for s in doc["scenarios"] if not s["passed"]]
    assert passed and failed, "seed 3 at 50% should give both outcomes"
    result.assert_outcomes(passed=len(passed), failed=len(failed))
    out = result.stdout.str()
    assert "| Pack | Pass / Total | Score | p50 latency | p95 latency | Status |" in out
    assert f"| SelfTest-4 | {len(passed)}/4 |" in out
    assert "Quality: SelfTest-4" in out and "(-m selftest_4, thinking off, greedy, packs st1.0.0," in out
    # -v: each failure shows produced vs expected as it completes (before the summary table).
    first_fail = failed[0]["scenario"]
    assert out.index(f"{first_fail}: ") < out.index("| Pack |")
    assert "produced:" in out and "expected:" in out
    assert doc["endpoints"][0]["slots"] == 4 and doc["endpoints"][0]["build"] == "b0-simulator"
    assert doc["endpoints"][0]["template_sha256"]
    for s in doc["scenarios"]:
        assert s["turns"] >= 1 and s["latency_s"] >= 0 and s["retries"] == 0
    junit = (pytester.path / "junit.xml").read_text()
    assert 'name="modelqa_failure_mode"' in junit and 'name="modelqa_score"' in junit


def test_xdist_gives_the_same_table_and_json(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator("--success-rate", "0.5", "--seed", "3", "--latency-ms", "20")
    every = ("-m", "not reasoning")  # every mode but the nightly one (its sandboxed code packs add minutes, not cases)
    serial, doc1 = run_json(pytester, f"--model-endpoint={sim.url}", *every)
    parallel, doc2 = run_json(pytester, f"--model-endpoint={sim.url}", "-n", "2", *every)

    def table(result):
        lines = result.stdout.str().splitlines()
        return [l.rsplit("|", 4)[0] for l in lines if l.startswith("| ")]  # without latencies

    assert table(serial) == table(parallel)
    strip = lambda d: [(s["nodeid"], s["passed"], s["failure_mode"], s["response"], s["turns"]) for s in d["scenarios"]]
    assert strip(doc1) == strip(doc2)
    assert [p["passed"] for p in doc1["packs"]] == [p["passed"] for p in doc2["packs"]]


def test_api_key_never_in_artifacts(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator()
    _, doc = run_json(pytester, f"--model-endpoint={sim.url}", "--modelqa-api-key", "sk-SECRET-123", "-m", "selftest_4")
    assert doc and "sk-SECRET-123" not in json.dumps(doc)


def test_last_failed_reruns_only_the_failed_scenarios(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator("--success-rate", "0.5", "--seed", "3")
    args = [f"--modelqa-packs-dir={SELFTEST_PACKS}", f"--model-endpoint={sim.url}", "-m", "selftest_4"]
    first = pytester.runpytest(*args)
    failed = first.parseoutcomes()["failed"]
    again = pytester.runpytest(*args, "--lf")
    again.assert_outcomes(failed=failed)
    assert sum(sim.stats()["by_scenario"].values()) == 4 + failed + 1  # ST-01 takes two turns when right


def test_without_docker_the_sandboxed_packs_are_skipped_with_the_reason(pytester: pytest.Pytester,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{pytester.path}/no-docker.sock")
    result, doc = run_json(pytester, "--modelqa-control=oracle", "-m", "full", "-rs")
    sandboxed = [p for p in SHIPPED if p.meta.sandbox and "full" in p.meta.modes]
    plain = [p for p in SHIPPED if not p.meta.sandbox and "full" in p.meta.modes]
    assert sandboxed and plain
    result.assert_outcomes(passed=sum(len(p.scenarios) for p in plain),
                           skipped=sum(len(p.scenarios) for p in sandboxed))
    assert {r["pack"] for r in doc["packs"]} == {p.meta.id for p in plain}  # never a 0/0 row
    assert [(s["pack"], s["scenarios"]) for s in doc["skipped"]] == sorted((p.meta.id, len(p.scenarios)) for p in sandboxed)
    by_id = {p.meta.id: p for p in sandboxed}
    assert all(s["reason"].startswith(f"needs the {by_id[s['pack']].meta.sandbox} sandbox: Docker Engine is not reachable")
               for s in doc["skipped"])
    result.stdout.fnmatch_lines(["Skipped (not run, so not scored):",
                                 f"  {sandboxed[0].meta.id} ({len(sandboxed[0].scenarios)} scenario*) needs the * sandbox: "
                                 "Docker Engine is not reachable*start it, or use --modelqa-sandbox-backend=local*"])
