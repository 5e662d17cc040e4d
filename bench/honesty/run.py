"""Honesty battery: answers written apart from the packs' own near misses (by reviewers who read
only each prompt and gold), run through the real near-miss control. Not a test: a measurement
of how many genuinely wrong answers the verifiers reject and valid ones they accept; each SLIP
line is a verifier gap (or a valid answer refused) still to close.

Battery files: bench/honesty/<pack-file-stem>.yaml (or BATTERY_DIR), mapping scenario id ->
{near_misses: [{why, reply}], accept: [{why, reply}]} with replies shaped like the pack's gold.
Each entry is appended to a temp copy of the pack (why prefixed 'B<n>: '), the control runs, and
every battery variant's verdict is printed; a summary line gives wrong-rejected / valid-accepted.
Usage: python bench/honesty/run.py [stem ...]
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BAT = pathlib.Path(os.environ.get("BATTERY_DIR", pathlib.Path(__file__).parent))
stems = sys.argv[1:] or sorted(p.stem for p in BAT.glob("*.yaml"))
_tmpdir = tempfile.TemporaryDirectory(prefix="battery-")  # removed at exit
tmp = pathlib.Path(_tmpdir.name)
n = 0
for stem in stems:
    pack = yaml.safe_load((ROOT / "packs" / f"{stem}.yaml").read_text())
    bat = yaml.safe_load((BAT / f"{stem}.yaml").read_text()) or {}
    byid = {s["id"]: s for s in pack["scenarios"]}
    for sid, entry in bat.items():
        sc = byid[sid]
        for key in ("near_misses", "accept"):
            for v in entry.get(key) or []:
                n += 1
                sc.setdefault(key, []).append({"why": f"B{n}: {v['why']}", "reply": v["reply"]})
    (tmp / f"{stem}.yaml").write_text(yaml.safe_dump(pack, sort_keys=False, allow_unicode=True))
out = tmp / "r.json"
proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--modelqa-control=near-miss",
                       f"--modelqa-json={out}", *[str(tmp / f"{s}.yaml") for s in stems]],
                      capture_output=True, text=True, cwd=tmp)
if not out.exists():
    print(proc.stdout[-4000:], proc.stderr[-4000:]); sys.exit(2)
res = json.loads(out.read_text())
wrong = wrong_rej = valid = valid_acc = 0
for sc in res["scenarios"]:
    for v in sc.get("control_variants") or []:
        why = v.get("why", "")
        if not why.startswith("B") or ":" not in why or not why[1:why.index(":")].isdigit():
            continue
        if v["expect"] == "fail":
            wrong += 1; ok = not v["passed"]; wrong_rej += ok
        else:
            valid += 1; ok = v["passed"]; valid_acc += ok
        if not ok:
            print(f"SLIP {sc['pack']} {sc['scenario']} expect={v['expect']} mode={v.get('failure_mode')} :: {why}")
print(f"wrong rejected {wrong_rej}/{wrong} ({100*wrong_rej/max(wrong,1):.1f}%) · valid accepted {valid_acc}/{valid} ({100*valid_acc/max(valid,1):.1f}%)")
