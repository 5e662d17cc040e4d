"""BugFind answers read into the fixed file: verdict lines, code blocks, and unified diffs that
apply strictly by content (every context line must match) but leniently by line numbers."""

from __future__ import annotations

import pytest

from pytest_modelqa.verifiers.patching import Fix, PatchError, apply_unified_diff, changed, read_fix

ORIGINAL = '''"""A small stock ledger."""

from dataclasses import dataclass, field


@dataclass
class Inventory:
    stock: dict[str, int] = field(default_factory=dict)

    def add(self, item: str, qty: int) -> None:
        if qty <= 0:
            raise ValueError("quantity must be positive")
        self.stock[item] = self.stock.get(item, 0) + qty

    def remove(self, item: str, qty: int) -> None:
        if qty <= 0:
            raise ValueError("quantity must be positive")
        have = self.stock.get(item, 0)
        if qty > have:
            raise KeyError(item)
        self.stock[item] = have - qty
        if self.stock[item] == 0:
            del self.stock[item]

    def count(self, item: str) -> int:
        return self.stock.get(item, 0)

    def low_stock(self, threshold: int) -> list[str]:
        return sorted(name for name, qty in self.stock.items() if qty < threshold)

    def total(self) -> int:
        total = 0
        for qty in self.stock.values():
            total += qty
        return total
'''
FILE = "inventory.py"
BUGGY = "        return sorted(name for name, qty in self.stock.items() if qty < threshold)"
GOOD = "        return sorted(name for name, qty in self.stock.items() if qty <= threshold)"
FIXED = ORIGINAL.replace(BUGGY, GOOD)

# The fix at the stated place: lines 27-31 of the original.
DIFF = f"""--- a/inventory.py
+++ b/inventory.py
@@ -27,5 +27,5 @@ class Inventory:
 
     def low_stock(self, threshold: int) -> list[str]:
-{BUGGY}
+{GOOD}
 
     def total(self) -> int:
"""


def answer(verdict: str, block: str, info: str = "diff") -> str:
    return f"{verdict}\n\nThe threshold comparison excludes items at the threshold.\n\n```{info}\n{block}```\n"


def hunk(header: str, *body: str) -> str:
    return "\n".join((header,) + body) + "\n"


LOW = ("     def low_stock(self, threshold: int) -> list[str]:", "-" + BUGGY, "+" + GOOD)


# --- verdict line -------------------------------------------------------------------------

@pytest.mark.parametrize("line, verdict", [
    ("VERDICT: BUG", "bug"),
    ("VERDICT: NO BUG", "no_bug"),
    ("Verdict: no bug", "no_bug"),
    ("**VERDICT: NO BUG**", "no_bug"),
    ("**Verdict:** No bug", "no_bug"),
    ("VERDICT: NO-BUG", "no_bug"),
    ("VERDICT: NOBUG", "no_bug"),
    ("VERDICT - BUG", "bug"),
    ("Verdict: BUG.", "bug"),
    ("## Verdict: Bug", "bug"),
    ("  `VERDICT: BUG`  ", "bug"),
    ("VERDICT: MAYBE", "unstated"),
    ("VERDICT: BUG?", "unstated"),
    ("VERDICT: probably no bug", "unstated"),
    ("VERDICT: BUG, in low_stock", "unstated"),
    ("VERDICT:", "unstated"),
    ("The verdict: this is not a bug", "unstated"),
    ("There is a bug in low_stock.", "unstated"),
])
def test_verdict_line(line, verdict):
    fix = read_fix(f"Looking at the code.\n{line}\nThat is all.", FILE, ORIGINAL)
    assert fix.verdict == verdict
    assert fix.form == "none" and fix.text is None
    assert bool(fix.problem) == (verdict == "unstated")


def test_verdict_may_come_after_prose_and_repeat():
    fix = read_fix("I checked every method.\nVERDICT: NO BUG\n...\n**Verdict: no bug**", FILE, ORIGINAL)
    assert fix == Fix("no_bug", "none", None, "")


def test_retraction_is_contradictory():
    fix = read_fix("VERDICT: BUG\nOn second thought the comparison is right.\nVERDICT: NO BUG", FILE, ORIGINAL)
    assert (fix.verdict, fix.problem) == ("unstated", "contradictory verdicts")


def test_no_verdict_line_is_not_guessed_from_prose():
    fix = read_fix("This code has a bug: the comparison should be <=.", FILE, ORIGINAL)
    assert (fix.verdict, fix.problem) == ("unstated", "no VERDICT line")


def test_a_verdict_inside_a_code_block_does_not_count():
    fix = read_fix(f"```python\n# VERDICT: BUG\n{FIXED}```\n", FILE, ORIGINAL)
    assert fix.verdict == "unstated" and fix.form == "file"


def test_an_unrecognised_verdict_beside_a_good_one_is_unstated():
    assert read_fix("VERDICT: BUG\nVERDICT: MAYBE", FILE, ORIGINAL).verdict == "unstated"


# --- diffs through read_fix ---------------------------------------------------------------

def test_diff_at_the_stated_line():
    fix = read_fix(answer("VERDICT: BUG", DIFF), FILE, ORIGINAL)
    assert fix == Fix("bug", "diff", FIXED, "")


def test_diff_at_an_offset_and_with_wrong_counts():
    diff = hunk("@@ -20,9 +20,12 @@", *LOW)
    assert apply_unified_diff(ORIGINAL, diff, FILE) == FIXED


def test_diff_with_bare_at_signs():
    assert apply_unified_diff(ORIGINAL, hunk("@@", *LOW), FILE) == FIXED
    assert apply_unified_diff(ORIGINAL, hunk("@@ @@", *LOW), FILE) == FIXED


def test_diff_header_without_counts_and_with_section_text():
    assert apply_unified_diff(ORIGINAL, hunk("@@ -28 +28 @@ def count", *LOW), FILE) == FIXED


def test_blank_context_line_without_its_leading_space():
    diff = hunk("@@ -26,4 +26,4 @@", "         return self.stock.get(item, 0)", "", *LOW)
    assert apply_unified_diff(ORIGINAL, diff, FILE) == FIXED


def test_blank_lines_after_the_last_hunk_are_ignored():
    assert apply_unified_diff(ORIGINAL, hunk("@@ -28,2 +28,2 @@", *LOW) + "\n\n", FILE) == FIXED


def test_crlf_in_the_answer():
    fix = read_fix(answer("VERDICT: BUG", DIFF).replace("\n", "\r\n"), FILE, ORIGINAL)
    assert fix == Fix("bug", "diff", FIXED, "")


def test_crlf_original_keeps_its_line_endings():
    crlf = ORIGINAL.replace("\n", "\r\n")
    assert apply_unified_diff(crlf, DIFF, FILE) == FIXED.replace("\n", "\r\n")


def test_trailing_whitespace_is_ignored_but_the_original_kept():
    spaced = ORIGINAL.replace("    def low_stock(self, threshold: int) -> list[str]:",
                              "    def low_stock(self, threshold: int) -> list[str]:   ")
    assert apply_unified_diff(spaced, hunk("@@ -28,2 +28,2 @@", *LOW), FILE) == spaced.replace(BUGGY, GOOD)


def test_no_newline_marker_is_ignored():
    diff = hunk("@@ -34,2 +34,2 @@", "             total += qty", "-        return total",
                "\\ No newline at end of file", "+        return int(total)", "\\ No newline at end of file")
    assert apply_unified_diff(ORIGINAL, diff, FILE) == ORIGINAL.replace("return total", "return int(total)")


def test_indentation_mismatch_is_an_error():
    diff = hunk("@@ -28,2 +28,2 @@", "    def low_stock(self, threshold: int) -> list[str]:",
                "-    " + BUGGY.lstrip(), "+    " + GOOD.lstrip())
    with pytest.raises(PatchError, match=r"hunk 1: diff line 2, .* differs from line 28, .*indentation differs"):
        apply_unified_diff(ORIGINAL, diff, FILE)


def test_context_that_does_not_match_names_the_line():
    diff = hunk("@@ -28,3 +28,3 @@", *LOW, "     # low stock")
    with pytest.raises(PatchError, match=r"hunk 1: diff line 5, ' *# low stock', differs from line 30, ''"):
        apply_unified_diff(ORIGINAL, diff, FILE)


def test_removed_line_not_in_the_file():
    diff = hunk("@@ -28,1 +28,1 @@", "-        return sorted(self.stock)", "+        return []")
    with pytest.raises(PatchError, match=r"diff line 2, '-        return sorted\(self.stock\)', is not in the file"):
        apply_unified_diff(ORIGINAL, diff, FILE)


def test_no_fuzz_one_wrong_context_line_fails_the_hunk():
    diff = hunk("@@ -28,3 +28,3 @@", "     def low_stock(self, limit: int) -> list[str]:", *LOW[1:])
    with pytest.raises(PatchError, match=r"diff line 2, .*, is not in the file \(line 28 is .    def low_stock\(self, thr"):
        apply_unified_diff(ORIGINAL, diff, FILE)


GUARD = ("         if qty <= 0:", "-            raise ValueError(\"quantity must be positive\")",
         "+            raise ValueError(f\"quantity must be positive, not {qty}\")")
GUARDED_REMOVE = ORIGINAL.replace(
    '            raise ValueError("quantity must be positive")\n        have',
    '            raise ValueError(f"quantity must be positive, not {qty}")\n        have')


def test_repeated_lines_without_a_stated_line_are_ambiguous():
    with pytest.raises(PatchError, match="hunk 1 is ambiguous: it matches at lines 11, 16"):
        apply_unified_diff(ORIGINAL, hunk("@@", *GUARD), FILE)


def test_repeated_lines_take_the_match_nearest_the_stated_line():
    assert apply_unified_diff(ORIGINAL, hunk("@@ -15,2 +15,2 @@", *GUARD), FILE) == GUARDED_REMOVE
    assert apply_unified_diff(ORIGINAL, hunk("@@ -16,2 +16,2 @@", *GUARD), FILE) == GUARDED_REMOVE
    assert apply_unified_diff(ORIGINAL, hunk("@@ -9,2 +9,2 @@", *GUARD), FILE) != GUARDED_REMOVE


def test_two_hunks_in_order():
    diff = hunk("@@ -16,2 +16,2 @@", *GUARD) + hunk("@@ -28,2 +28,2 @@", *LOW)
    assert apply_unified_diff(ORIGINAL, diff, FILE) == GUARDED_REMOVE.replace(BUGGY, GOOD)


def test_hunks_out_of_order_or_overlapping_are_errors():
    backwards = hunk("@@ -28,2 +28,2 @@", *LOW) + hunk("@@ -16,2 +16,2 @@", *GUARD)
    with pytest.raises(PatchError, match="hunk 2 matches only at line 16, overlapping or before hunk 1"):
        apply_unified_diff(ORIGINAL, backwards, FILE)
    overlap = hunk("@@ -27,3 +27,3 @@", "", *LOW) + hunk("@@ -28,2 +28,3 @@", *LOW[:2], "+        # at or below")
    with pytest.raises(PatchError, match="hunk 2 matches only at line 28, overlapping"):
        apply_unified_diff(ORIGINAL, overlap, FILE)


def test_pure_addition_needs_a_stated_line():
    added = hunk("@@ -2,0 +3,1 @@", "+import logging")
    assert apply_unified_diff(ORIGINAL, added, FILE) == ORIGINAL.replace('"""\n\n', '"""\n\nimport logging\n', 1)
    with pytest.raises(PatchError, match="only adds lines"):
        apply_unified_diff(ORIGINAL, hunk("@@", "+import logging"), FILE)


@pytest.mark.parametrize("diff, message", [
    ("--- a/inventory.py\n+++ b/inventory.py\n", "no hunks"),
    ("", "no hunks"),
    ("@@ -28,2 +28,2 @@\n", "hunk 1 has no lines"),
    ("@@ -28,2 +28,2 @@\n" + "\n".join(LOW) + "\nfixed the comparison\n",
     "hunk 1: diff line 5 is not context, removal or addition: 'fixed the comparison'"),
    ("--- a/inventory.py\n+++ b/inventory.py\n" + "\n".join(LOW[1:]) + "\n", "diff line 3 is outside any hunk"),
    ("@@ -abc @@\n" + "\n".join(LOW), "diff line 1: unreadable hunk header"),
    ("--- a/utils.py\n+++ b/utils.py\n" + hunk("@@ -28,2 +28,2 @@", *LOW),
     "the diff is of a/utils.py, not inventory.py"),
    ("--- /dev/null\n+++ b/inventory.py\n" + hunk("@@ -0,0 +1,1 @@", "+x = 1"),
     r"creates or deletes a file \(/dev/null\)"),
    ("diff --git a/inventory.py b/inventory.py\nindex 1234..5678 100644\n--- a/inventory.py\n+++ b/inventory.py\n"
     + hunk("@@ -28,2 +28,2 @@", *LOW) + "diff --git a/tests.py b/tests.py\n--- a/tests.py\n+++ b/tests.py\n"
     + hunk("@@ -1 +1 @@", "-x", "+y"), "the diff is of a/tests.py, not inventory.py"),
])
def test_unusable_diffs(diff, message):
    with pytest.raises(PatchError, match=message):
        apply_unified_diff(ORIGINAL, diff, FILE)


def test_git_headers_and_timestamps_are_read():
    diff = ("diff --git a/inventory.py b/inventory.py\nindex 1234..5678 100644\n"
            "--- a/inventory.py\t2024-05-01 10:00:00\n+++ b/inventory.py\t2024-05-01 10:05:00\n"
            + hunk("@@ -28,2 +28,2 @@", *LOW))
    assert apply_unified_diff(ORIGINAL, diff, "src/inventory.py") == FIXED


def test_a_diff_naming_another_file_is_a_problem_in_read_fix():
    diff = DIFF.replace("a/inventory.py", "a/stock.py").replace("b/inventory.py", "b/stock.py")
    fix = read_fix(answer("VERDICT: BUG", diff), FILE, ORIGINAL)
    assert fix == Fix("bug", "diff", None, "the diff does not apply: the diff is of a/stock.py, not inventory.py")


def test_a_diff_that_does_not_apply_is_a_problem_in_read_fix():
    fix = read_fix(answer("VERDICT: BUG", DIFF.replace("threshold: int", "limit: int")), FILE, ORIGINAL)
    assert fix.form == "diff" and fix.text is None
    assert fix.problem.startswith("the diff does not apply: hunk 1: diff line 5")


def test_a_diff_is_recognised_by_its_content_whatever_the_info_string():
    assert read_fix(answer("VERDICT: BUG", DIFF, info="python"), FILE, ORIGINAL) == Fix("bug", "diff", FIXED, "")
    bare = hunk("@@ -28,2 +28,2 @@", *LOW)
    assert read_fix(answer("VERDICT: BUG", "\n" + bare, info=""), FILE, ORIGINAL).text == FIXED


def test_unterminated_diff_is_a_problem():
    fix = read_fix(f"VERDICT: BUG\n```diff\n{DIFF}", FILE, ORIGINAL)
    assert fix == Fix("bug", "diff", None, "unterminated code block")


# --- whole files and blocks ---------------------------------------------------------------

def test_whole_file_python_block():
    fix = read_fix(answer("VERDICT: BUG", FIXED + "\n\n", info="python"), FILE, ORIGINAL)
    assert fix == Fix("bug", "file", FIXED, "")


@pytest.mark.parametrize("open_, close", [("~~~python", "~~~"), ("````py", "````"), ("```inventory.py", "```"),
                                          ("```python title=inventory.py", "```"), ("```", "```")])
def test_fence_forms(open_, close):
    fix = read_fix(f"VERDICT: BUG\n{open_}\n{FIXED}{close}\n", FILE, ORIGINAL)
    assert fix == Fix("bug", "file", FIXED, "")


def test_a_shorter_or_other_fence_does_not_close_a_block():
    body = FIXED.replace("    def total", "    # ```\n    # ~~~~\n    def total")
    fix = read_fix(f"VERDICT: BUG\n~~~~python\n{body}~~~~\nDone.", FILE, ORIGINAL)
    assert fix.text == body and fix.problem == ""


def test_unterminated_file_block_is_accepted():
    fix = read_fix(f"VERDICT: BUG\n```python\n{FIXED}", FILE, ORIGINAL)
    assert fix == Fix("bug", "file", FIXED, "")


def test_two_python_blocks_are_a_problem():
    text = f"VERDICT: BUG\nBefore:\n```python\n{ORIGINAL}```\nAfter:\n```python\n{FIXED}```\n"
    assert read_fix(text, FILE, ORIGINAL) == Fix("bug", "file", None, "2 code blocks: a fix must be one block")


def test_output_blocks_beside_the_fix_are_ignored():
    text = ("VERDICT: BUG\nThe test fails:\n```text\nAssertionError: ['bolt'] != ['bolt', 'nut']\n```\n"
            "Reproduce with:\n```console\n$ pytest -q\n```\nFix:\n```diff\n" + DIFF + "```\n")
    assert read_fix(text, FILE, ORIGINAL) == Fix("bug", "diff", FIXED, "")


def test_other_languages_and_empty_blocks_are_problems():
    assert read_fix("VERDICT: BUG\n```js\nx = 1\n```", FILE, ORIGINAL).problem.startswith("a ```js block")
    assert read_fix("VERDICT: BUG\n```python\n\n```", FILE, ORIGINAL).problem == "the code block is empty"


def test_no_bug_with_a_block_still_reports_the_block():
    fix = read_fix(answer("VERDICT: NO BUG", FIXED, info="python"), FILE, ORIGINAL)
    assert fix == Fix("no_bug", "file", FIXED, "")
    assert changed(ORIGINAL, fix.text)


def test_contradiction_keeps_the_fix_but_says_why():
    fix = read_fix("VERDICT: BUG\nVERDICT: NO BUG\n```diff\n" + DIFF + "```", FILE, ORIGINAL)
    assert fix == Fix("unstated", "diff", FIXED, "contradictory verdicts")


# --- changed ------------------------------------------------------------------------------

@pytest.mark.parametrize("new, expected", [
    (ORIGINAL, False),
    (ORIGINAL + "\n\n", False),
    (ORIGINAL.rstrip("\n"), False),
    (ORIGINAL.replace("\n", "  \n"), False),
    (ORIGINAL.replace("\n", "\r\n"), False),
    (FIXED, True),
    (ORIGINAL.replace("        total = 0", "    total = 0"), True),
    ("\n" + ORIGINAL, True),
    ("", True),
])
def test_changed(new, expected):
    assert changed(ORIGINAL, new) is expected


def test_an_indented_fence_is_dedented():
    indented = "".join("   " + line if line.strip() else line for line in FIXED.splitlines(True))
    fix = read_fix(f"VERDICT: BUG\n\n1. The fix:\n   ```python\n{indented}   ```\n", FILE, ORIGINAL)
    assert fix == Fix("bug", "file", FIXED, "")
    diff = "".join("  " + line for line in DIFF.splitlines(True))
    assert read_fix(f"VERDICT: BUG\n- Fix:\n  ```diff\n{diff}  ```", FILE, ORIGINAL).text == FIXED


def test_equally_near_matches_are_ambiguous():
    # Line 3 is not blank; the blank lines 2 and 4 are equally near it.
    with pytest.raises(PatchError, match="hunk 1 is ambiguous: it matches at lines 2, 4, .*equally near line 3"):
        apply_unified_diff(ORIGINAL, hunk("@@ -3,1 +3,2 @@", " ", "+import os"), FILE)


def test_a_second_file_section_without_git_headers_is_a_problem():
    diff = DIFF + "--- a/test_inventory.py\n+++ b/test_inventory.py\n" + hunk("@@ -1 +1 @@", "-x", "+y")
    with pytest.raises(PatchError, match="the diff is of a/test_inventory.py, not inventory.py"):
        apply_unified_diff(ORIGINAL, diff, FILE)
