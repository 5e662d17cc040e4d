"""The live progress line: throttled, plain, with the numbers a watcher wants."""

from __future__ import annotations

from pytest_modelqa.progress import Progress


def test_lines_are_throttled_and_the_last_item_always_reports() -> None:
    now = [100.0]
    lines: list[str] = []
    p = Progress(4, lines.append, every_s=10.0, clock=lambda: now[0])
    now[0] = 105.0
    p.update(True, 50)  # 5 s in: too soon
    assert lines == []
    now[0] = 111.0
    p.update(False, 50)
    assert lines == ["modelqa: 2/4 done · 50% pass · 0:11 elapsed · ETA 0:11 · 9 tok/s"]
    now[0] = 112.0
    p.update(True, 0)
    now[0] = 130.0
    p.update(True, 100)  # the last one
    assert lines[-1] == "modelqa: 4/4 done · 75% pass · 0:30 elapsed · ETA 0:00 · 7 tok/s"
    assert len(lines) == 2 and all("\r" not in line for line in lines)


def test_long_runs_show_hours() -> None:
    now = [0.0]
    lines: list[str] = []
    p = Progress(3, lines.append, every_s=1.0, clock=lambda: now[0])
    now[0] = 3700.0
    p.update(True, 10)
    assert "1:01:40 elapsed · ETA 2:03:20" in lines[0]
