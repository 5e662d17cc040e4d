"""The plugin behaves like pytest: collection by path, node ids pasted back, --co touching
nothing, options from ini and environment, fixtures for hand-written tests joining the
report, journals never lost, a run you can watch."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import SELFTEST_PACKS, dead_port

NOCACHE = ("-p", "no:cacheprovider")
USER_TEST = textwrap.dedent('''
    import pytest

    def test_counts_to_forty(modelqa_chat):
        reply = modelqa_chat([{"role": "user", "content": "Count from 1 to 40."}])
        assert reply.content.split()[:3] == ["1", "2", "3"]

    def test_says_hello(modelqa_chat):
        reply = modelqa_chat([{"role": "user", "content": "Say hello."}])
        assert "hello" in reply.content.lower()

    def test_plain_unit_test():
        assert 1 + 1 == 2
''')


def user_repo(pytester: pytest.Pytester) -> Path:
    """A user's repository: one pack file of their own and one hand-written test."""
    shutil.copy(SELFTEST_PACKS / "selftest-4.yaml", pytester.path / "mypack.yaml")
    (pytester.path / "test_mine.py").write_text(USER_TEST)
    return pytester.path


def test_a_user_pack_and_a_hand_written_test_run_by_path_as_rows_of_one_report(
        pytester: pytest.Pytester, simulator, results_schema, capsys) -> None:
    import jsonschema
    repo = user_repo(pytester)
    sim = simulator()
    out = repo / "out.json"
    result = pytester.runpytest(*NOCACHE, "mypack.yaml", "test_mine.py", f"--model-endpoint={sim.url}",
                                f"--modelqa-json={out}")
    result.assert_outcomes(passed=6, failed=1)  # 4 scenarios, 2 of 3 tests (the simulator never says hello)
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, results_schema)
    rows = {p["pack"]: p for p in doc["packs"]}
    assert set(rows) == {"SelfTest-4", "test_mine"}  # no shipped pack ran: paths were given
    assert rows["test_mine"]["kind"] == "tests" and (rows["test_mine"]["passed"], rows["test_mine"]["selected"]) == (1, 2)
    assert rows["SelfTest-4"]["passed"] == 4
    said = next(s for s in doc["scenarios"] if s["scenario"] == "test_mine.py::test_says_hello")
    assert said["failure_mode"] == "verifier_fail" and "hello" in said["detail"] and said["turns"] == 1
    assert said["messages"][0]["content"] == "Say hello." and said["latency_s"] >= 0
    out_text = result.stdout.str()
    assert "| test_mine | 1/2 |" in out_text and "Quality: SelfTest-4 4/4 (100%) · test_mine 1/2 (50%)" in out_text
    assert "(selected paths," in out_text
    from pytest_modelqa.cli import main
    assert main(["rescore", str(out), "--packs-dir", str(repo), "--output", str(repo / "re.json")]) == 0
    assert "test_mine test_mine.py::test_says_hello: not rescorable: a hand-written test" in capsys.readouterr().out
    assert json.loads((repo / "re.json").read_text())["packs"] == doc["packs"]


def test_a_shipped_pack_node_id_selects_one_item_from_any_directory(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*NOCACHE, "--modelqa-control=oracle", "packs/toolcall-15.yaml::TC-04", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["packs/toolcall-15.yaml::TC-04 PASSED*"])
    assert "PARTIAL: ToolCall-15 1/15" in result.stdout.str()
    repeated = pytester.runpytest(*NOCACHE, "--modelqa-control=oracle", "packs/toolcall-15.yaml::TC-04",
                                  "--modelqa-repeat", "3")
    repeated.assert_outcomes(passed=3)
    assert "PARTIAL: ToolCall-15 3/45" in repeated.stdout.str()  # items run / items the pack has at n=3


def test_collect_only_touches_no_server_launches_nothing_writes_nothing(pytester: pytest.Pytester) -> None:
    user_repo(pytester)
    for endpoint in (f"http://127.0.0.1:{dead_port()}", "embedded"):
        result = pytester.runpytest_subprocess(*NOCACHE, "--co", "-q", f"--model-endpoint={endpoint}", "mypack.yaml",
                                               "test_mine.py")
        assert result.ret == 0, result.stderr.str()
        result.stdout.fnmatch_lines(["mypack.yaml::ST-01", "test_mine.py::test_says_hello"])
        assert "modelqa: starting" not in result.stdout.str()
    assert not (pytester.path / "results").exists()


def test_dead_endpoint_with_v1_suffix_and_trailing_slash_still_one_message(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(*NOCACHE, f"--model-endpoint=http://127.0.0.1:{dead_port()}/v1/")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.str().count("unreachable") == 1 and "/v1/v1" not in result.stderr.str()


def test_endpoint_given_the_openai_sdk_way_with_v1(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator()
    result = pytester.runpytest(*NOCACHE, f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4",
                                f"--model-endpoint={sim.url}/v1")
    result.assert_outcomes(passed=4)


def test_every_option_from_ini_and_environment_with_command_line_first(pytester: pytest.Pytester,
                                                                        monkeypatch) -> None:
    pytester.makeini(textwrap.dedent(f"""
        [pytest]
        modelqa_control = oracle
        modelqa_packs_dir = {SELFTEST_PACKS}
        modelqa_repeat = 3
        modelqa_json = from-ini.json
    """))
    ini = pytester.runpytest(*NOCACHE, "-m", "selftest_4")
    ini.assert_outcomes(passed=12)  # repeat 3 from the ini
    assert (pytester.path / "from-ini.json").exists()
    monkeypatch.setenv("MODELQA_REPEAT", "2")
    env = pytester.runpytest(*NOCACHE, "-m", "selftest_4")
    env.assert_outcomes(passed=8)  # the environment beats the ini
    cli = pytester.runpytest(*NOCACHE, "-m", "selftest_4", "--modelqa-repeat", "1")
    cli.assert_outcomes(passed=4)  # the command line beats both
    monkeypatch.setenv("MODELQA_REPEAT", "two")
    bad = pytester.runpytest(*NOCACHE, "-m", "selftest_4")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*modelqa: environment MODELQA_REPEAT='two': not a number*"])


def test_generic_option_names_stay_free_for_users_conftests(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(textwrap.dedent("""
        def pytest_addoption(parser):
            for name in ("--model", "--seed", "--repeat", "--concurrency", "--resume", "--temperature"):
                parser.addoption(name)
    """))
    pytester.makepyfile("def test_x():\n    pass\n")
    pytester.runpytest(*NOCACHE, "--model", "mine", "--strict-markers").assert_outcomes(passed=1)
    help_text = pytester.runpytest(*NOCACHE, "--help").stdout.str()
    assert "modelqa: endpoint and launched servers" in help_text and "modelqa: sampling and thinking" in help_text
    assert "--modelqa-top-p=P" in help_text and "=MODELQA_" not in help_text  # readable metavars
    assert "modelqa_repeat (string)" in help_text and "MODELQA_REPEAT" in help_text


def test_markers_registered_when_inert_so_strict_markers_holds(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(textwrap.dedent("""
        import pytest

        @pytest.mark.toolcall_15
        @pytest.mark.quick
        @pytest.mark.modelqa_pack("Mine")
        def test_x():
            pass
    """))
    pytester.runpytest(*NOCACHE, "--strict-markers").assert_outcomes(passed=1)


def test_fixtures_skip_with_the_way_to_enable_them_when_inert(pytester: pytest.Pytester) -> None:
    user_repo(pytester)
    result = pytester.runpytest(*NOCACHE, "test_mine.py", "-rs")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(["*pytest-modelqa is not active: give --model-endpoint=URL*"])


def test_hand_written_tests_repeat_and_gate_like_a_pack(pytester: pytest.Pytester, simulator) -> None:
    user_repo(pytester)
    sim = simulator()
    base = pytester.path / "base.json"
    args = (*NOCACHE, "test_mine.py", f"--model-endpoint={sim.url}", "--modelqa-repeat", "3")
    first = pytester.runpytest(*args, f"--baseline-capture={base}")
    first.assert_outcomes(passed=4, failed=3)  # 2 tests x 3 repeats + the plain test
    doc = json.loads(base.read_text())
    assert doc["scenarios"]["test_mine::test_mine.py::test_counts_to_forty"] == {"passes": 3, "n": 3,
                                                                               "stability": "stable_pass"}
    again = pytester.runpytest(*args, f"--baseline-diff={base}")
    assert again.ret == 0 and "Baseline gate: passed (1 packs compared, no regression)" in again.stdout.str()


def test_header_progress_and_quiet(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator()
    args = (*NOCACHE, f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4", f"--model-endpoint={sim.url}")
    loud = pytester.runpytest(*args).stdout.str()
    assert f"modelqa: endpoint {sim.url} · model modelqa-simulator · build b0-simulator · slots 4 · decode " in loud
    assert "modelqa: sampling greedy · thinking pack defaults, budget 1024 tokens (packs may set their own) · repeat 1" in loud
    assert "modelqa: 4/4 done · 100% pass · " in loud and " tok/s" in loud and "\r" not in loud
    quiet = pytester.runpytest(*args, "-q").stdout.str()
    assert "modelqa: 4/4 done" not in quiet and "modelqa: probing" not in quiet


def test_a_keyword_selection_is_labelled_partial_everywhere(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator()
    out = pytester.path / "out.json"
    result = pytester.runpytest(*NOCACHE, f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4", "-k",
                                "ST-02", f"--model-endpoint={sim.url}", f"--modelqa-json={out}")
    result.assert_outcomes(passed=1)
    text = result.stdout.str()
    assert "PASS · partial |" in text and "(-m selftest_4, PARTIAL: -k ST-02; SelfTest-4 1/4," in text
    assert json.loads(out.read_text())["selection"] == {"markexpr": "selftest_4", "keyword": "ST-02", "paths": [],
                                                        "last_failed": False, "partial": True,
                                                        "interrupted": False}


def test_a_verifier_that_needs_a_missing_capability_skips_with_the_reason(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(textwrap.dedent("""
        from pytest_modelqa.verifiers import Verdict, register

        @register("needs_judge", {"properties": {}}, needs=("judge",))
        def needs_judge(params, scenario, episode):
            return Verdict.ok(["ran"])
    """))
    pack = (SELFTEST_PACKS / "selftest-4.yaml").read_text().replace("id: SelfTest-4", "id: Judged-1")
    pack = pack.replace("kind: final_answer", "kind: needs_judge", 1)
    (pytester.path / "judged.yaml").write_text(pack)
    result = pytester.runpytest(*NOCACHE, "judged.yaml", "--modelqa-control=oracle", "-rs")
    assert result.parseoutcomes()["skipped"] == 1
    result.stdout.fnmatch_lines(["*Judged-1 needs a judge, which this run does not provide*"])


def test_a_journal_with_finished_scenarios_survives_every_later_run(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator("--success-rate", "0.5", "--seed", "3")
    args = (*NOCACHE, f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4", f"--model-endpoint={sim.url}")
    pytester.runpytest(*args)
    folder = pytester.path / "results" / "modelqa-state"
    (first,) = [p for p in folder.iterdir() if p.name != "latest.jsonl"]
    kept = first.read_bytes()
    pytester.runpytest(*args, "--co")
    pytester.runpytest(*args, "-k", "no_such_scenario")
    pytester.runpytest(*args)
    journals = sorted(p for p in folder.iterdir() if p.name != "latest.jsonl")
    assert len(journals) == 2 and first.read_bytes() == kept
    assert (folder / "latest.jsonl").resolve() == journals[-1].resolve() != first.resolve()
    refused = pytester.runpytest(*args, f"--modelqa-state={first}")
    assert refused.ret == pytest.ExitCode.USAGE_ERROR and first.read_bytes() == kept
    refused.stderr.fnmatch_lines(["*holds 4 finished scenarios*resume it with --modelqa-resume*"])
    resumed = pytester.runpytest(*args, "--modelqa-resume", "latest")
    assert "Resumed: 4 finished scenarios re-used" in resumed.stdout.str()
    assert first.read_bytes() == kept


def test_the_api_key_and_url_passwords_never_reach_output_or_artifacts(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator()
    out = pytester.path / "out.json"
    url = sim.url.replace("http://", "http://user:hunter2@")
    result = pytester.runpytest(*NOCACHE, f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4",
                                f"--model-endpoint={url}", "--modelqa-api-key", "sk-SECRET-123",
                                f"--modelqa-json={out}", "-v")
    result.assert_outcomes(passed=4)
    state = next((pytester.path / "results" / "modelqa-state").glob("2*.jsonl")).read_text()
    for text in (result.stdout.str(), result.stderr.str(), out.read_text(), state):
        assert "sk-SECRET-123" not in text and "hunter2" not in text


def test_every_shipped_pack_is_named_for_its_id() -> None:
    """Inert sessions register pack markers from file names alone: each must be the pack's marker."""
    from pytest_modelqa.catalogue import load_checked
    from pytest_modelqa.plugin import shipped_markers
    from pytest_modelqa.names import shipped_packs_dir
    from pytest_modelqa.packs import discover
    packs = [load_checked(p) for p in discover([shipped_packs_dir()])]
    assert sorted(name for name, _ in shipped_markers()) == sorted(p.meta.marker for p in packs)


def test_the_descriptive_fixtures_describe_the_run(pytester: pytest.Pytester, simulator) -> None:
    pytester.makepyfile(test_fixtures=textwrap.dedent('''
        def test_describe(modelqa_endpoint, modelqa_sampling, modelqa_thinking, modelqa_chat):
            assert modelqa_endpoint.model == "modelqa-simulator" and modelqa_endpoint.build == "b0-simulator"
            assert modelqa_endpoint.slots == 4 and modelqa_endpoint.api == "openai"
            assert modelqa_endpoint.provenance == "--model-endpoint from the command line"
            assert (modelqa_sampling.label, modelqa_sampling.canonical) == ("temperature=0.5,seed=1234", False)
            assert dict(modelqa_sampling.fields) == {"temperature": 0.5, "seed": 1234}
            assert (modelqa_thinking.enabled, modelqa_thinking.max_tokens) == (True, 64)
            reply = modelqa_chat([{"role": "user", "content": "Count."}], max_tokens=8)
            assert reply.reasoning == "Let me work through the request step by step." and "<think>" not in reply.content
            assert reply.usage["completion_tokens"] > 0 and reply.latency_s > 0
    '''))
    sim = simulator("--think-style", "tags")
    result = pytester.runpytest(*NOCACHE, "test_fixtures.py", f"--model-endpoint={sim.url}", "--modelqa-temperature",
                                "0.5", "--modelqa-enable-thinking", "--modelqa-thinking-max-tokens", "64")
    result.assert_outcomes(passed=1)


def test_verbose_prints_each_failure_once(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator("--success-rate", "0.5", "--seed", "3")
    result = pytester.runpytest(*NOCACHE, f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4", "-v",
                                f"--model-endpoint={sim.url}")
    out = result.stdout.str()
    failed = result.parseoutcomes()["failed"]
    assert failed and out.count("  produced: ") == failed  # live, as each completes; not again at the end


def test_a_path_option_that_would_move_the_rootdir_is_refused_with_the_fix(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\n")
    plain = pytester.mkdir("plain")
    shutil.copy(SELFTEST_PACKS / "selftest-4.yaml", plain / "p.yaml")
    inside = pytester.runpytest(*NOCACHE, "--modelqa-control=oracle", "--modelqa-packs-dir", "plain", "-m", "selftest_4")
    inside.assert_outcomes(passed=4)  # a value that leaves pytest's choice alone is fine
    elsewhere = pytester.mkdir("sub")  # its own ini: pytest would root the run there
    (elsewhere / "pytest.ini").write_text("[pytest]\n")
    shutil.copy(SELFTEST_PACKS / "selftest-4.yaml", elsewhere / "p.yaml")
    moved = pytester.runpytest_subprocess(*NOCACHE, "--modelqa-control=oracle", "--modelqa-packs-dir", str(elsewhere),
                                          "-m", "selftest_4")
    assert moved.ret == pytest.ExitCode.USAGE_ERROR
    moved.stderr.fnmatch_lines([f"*pytest took its rootdir ({elsewhere}, not {pytester.path}) from the value of "
                                f"--modelqa-packs-dir*Write --modelqa-packs-dir={elsewhere} instead*"])
    shutil.rmtree(plain)  # else both copies are collected: one pack id in two files is an error
    fixed = pytester.runpytest(*NOCACHE, "--modelqa-control=oracle", f"--modelqa-packs-dir={elsewhere}", "-m", "selftest_4")
    fixed.assert_outcomes(passed=4)


def test_under_xdist_rows_keep_their_kind_totals_and_partial_label(pytester: pytest.Pytester, simulator) -> None:
    user_repo(pytester)
    sim = simulator()
    out = pytester.path / "out.json"
    result = pytester.runpytest(*NOCACHE, "-n", "2", "mypack.yaml::ST-01", "mypack.yaml::ST-02", "test_mine.py",
                                f"--model-endpoint={sim.url}", f"--modelqa-json={out}")
    result.assert_outcomes(passed=4, failed=1)
    doc = json.loads(out.read_text())
    rows = {p["pack"]: (p["kind"], p["selected"], p["total_in_pack"]) for p in doc["packs"]}
    assert rows == {"SelfTest-4": ("pack", 2, 4), "test_mine": ("tests", 2, 2)}
    assert doc["selection"]["partial"] is True and "PARTIAL: SelfTest-4 2/4" in doc["quality"]


def test_a_broken_fixture_or_teardown_in_a_hand_written_test_stays_a_pytest_error(pytester: pytest.Pytester,
                                                                                   simulator) -> None:
    sim = simulator()
    pytester.makepyfile(test_hw=textwrap.dedent('''
        import pytest

        @pytest.fixture
        def breaks_in_teardown():
            yield
            raise RuntimeError("teardown broke")

        @pytest.fixture
        def breaks_in_setup():
            raise RuntimeError("setup broke")

        def test_teardown(modelqa_chat, breaks_in_teardown):
            assert modelqa_chat([{"role": "user", "content": "Count."}]).content

        def test_setup(modelqa_chat, breaks_in_setup):
            pass
    '''))
    out = pytester.path / "out.json"
    result = pytester.runpytest(*NOCACHE, "test_hw.py", f"--model-endpoint={sim.url}", f"--modelqa-json={out}")
    result.assert_outcomes(passed=1, errors=2)
    doc = json.loads(out.read_text())
    assert [(s["scenario"], s["outcome"]) for s in doc["scenarios"]] == [("test_hw.py::test_teardown", "passed")]
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # errors keep the session failing


def test_bad_endpoints_and_server_commands_are_one_line_errors(pytester: pytest.Pytester) -> None:
    for args, message in ((["--model-endpoint=http://localhost:80a80"], "is not a usable URL"),
                          (["--model-endpoint=ftp://host:21"], "is not an http(s) URL"),
                          (["--modelqa-serve-cmd", "server --port {port} 'unclosed"], "is not a valid command line"),
                          (["--modelqa-serve-cmd", "/no/such/server --port {port}"], "cannot start `/no/such/server")):
        result = pytester.runpytest_subprocess(*NOCACHE, *args)
        assert result.ret == pytest.ExitCode.USAGE_ERROR, args
        assert message in result.stderr.str() and "Traceback" not in result.stderr.str() + result.stdout.str()


def test_a_password_in_the_url_stays_out_of_start_up_errors(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(*NOCACHE, f"--model-endpoint=http://user:s3cret@127.0.0.1:{dead_port()}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR and "unreachable" in result.stderr.str()
    assert "s3cret" not in result.stderr.str() + result.stdout.str()


def test_a_refused_run_launches_nothing(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator()
    args = (*NOCACHE, f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4", "--modelqa-state=s.jsonl")
    pytester.runpytest(*args, f"--model-endpoint={sim.url}")
    served = sim.stats()["chat"]
    marker = pytester.path / "launched"
    serve = f"{sys.executable} -c \"open('{marker}', 'w')\" {{port}}"
    refused = pytester.runpytest(*args, "--modelqa-serve-cmd", serve)
    assert refused.ret == pytest.ExitCode.USAGE_ERROR and not marker.exists()
    assert sim.stats()["chat"] == served


def test_no_baseline_is_captured_from_a_partial_run(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator()
    base = pytester.path / "base.json"
    result = pytester.runpytest(*NOCACHE, f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4", "-k", "ST-01",
                                f"--model-endpoint={sim.url}", "--modelqa-repeat", "3", f"--baseline-capture={base}")
    assert not base.exists() and result.ret == pytest.ExitCode.TESTS_FAILED
    assert "Baseline NOT captured" in result.stdout.str() and "the selection is partial" in result.stdout.str()


def test_a_path_value_of_pytest_s_own_options_is_no_rootdir_hijack(pytester: pytest.Pytester, tmp_path_factory) -> None:
    other = tmp_path_factory.mktemp("other")
    (other / "old.xml").write_text("")
    result = pytester.runpytest(*NOCACHE, "--modelqa-control=oracle", "--junitxml", str(other / "old.xml"),
                                f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4")
    result.assert_outcomes(passed=4)
