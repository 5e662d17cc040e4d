"""The stateful tools of the HermesAgent-20 pack: memory, a file workspace, a scheduler, a
browser over canned pages, and saved artifacts. The agent loop runs on the host; each tool call
the model makes runs this script once, inside a locked-down sandbox, so nothing the model does
(or any page it reads tells it to do) can touch the host. All state lives under the current
directory (the sandbox scratch dir): `.modelqa/state/`, `.modelqa/web/` and the model's `work/`.

    python3 agent.py init        stdin: the scenario's starting state    stdout: {"ok": true}
    python3 agent.py call TOOL   stdin: the tool's arguments             stdout: the result or {"error"}
    python3 agent.py dump        the final state, for grading (keys sorted)

Exit 0 whenever the script worked (a tool error is a result); exit 2 with one line on stderr
for a usage error, bad JSON or a bad init. Stdlib only; writes nothing outside the cwd. init
resets the tools' state but keeps work/ (the host may have laid a workspace out there first).

`when` is stored normalised: a one-off time as YYYY-MM-DDTHH:MM (a space instead of T and
":00" seconds accepted); a cron line as five fields joined by single spaces, month and weekday
names as numbers (JAN=1, SUN=0), numbers without leading zeros, steps as written ("*/15")."""

import fcntl
import json
import os
import re
import shutil
import sys
from contextlib import contextmanager
from datetime import datetime
from urllib.parse import urljoin

ROOT, WORK = ".modelqa", "work"
STATE, WEB, TMP = f"{ROOT}/state/state.json", f"{ROOT}/web/pages.json", f"{ROOT}/tmp"
MAX_BYTES, MAX_ITEMS = 64 * 1024, 200
KINDS = ("code", "email", "note", "report", "summary")
REQUIRED = object()
TOOLS = {}  # name -> (function, {argument: type or (type, default)})
TYPES = {str: "a string", int: "an integer"}


class Usage(Exception):
    """A harness error (exit 2), never shown to the model as a tool result."""


class ToolError(Exception):
    """A tool result the model can act on: {"error": message}."""


def tool(**spec):
    def register(fn):
        TOOLS[fn.__name__] = (fn, spec)
        return fn
    return register


def kind_of(value):
    return {type(None): "null", bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "an array", dict: "an object"}[type(value)]


def check_args(name, args):
    spec = TOOLS[name][1]
    if not isinstance(args, dict):
        raise ToolError(f"{name} takes a JSON object of arguments, got {kind_of(args)}")
    extra = sorted(set(args) - set(spec))
    if extra:
        raise ToolError(f"unknown argument {extra[0]!r} for {name} (it takes: {', '.join(spec) or 'no arguments'})")
    out = {}
    for arg, want in spec.items():
        typ, default = want if isinstance(want, tuple) else (want, REQUIRED)
        if arg not in args:
            if default is REQUIRED:
                raise ToolError(f"{name} needs the argument {arg!r} ({TYPES[typ]})")
            out[arg] = default
            continue
        value = args[arg]
        if not isinstance(value, typ) or isinstance(value, bool):
            raise ToolError(f"argument {arg!r} of {name} must be {TYPES[typ]}, got {kind_of(value)}")
        if isinstance(value, str):
            try:
                value.encode()
            except UnicodeEncodeError:
                raise ToolError(f"argument {arg!r} of {name} is not valid Unicode") from None
        out[arg] = value
    return out


def name_of(text, what, most):
    name = text.strip()
    if not 1 <= len(name) <= most:
        raise ToolError(f"{what} must be 1-{most} characters (got {len(name)} after stripping)")
    return name


def small(text, what):
    size = len(text.encode())
    if size > MAX_BYTES:
        raise ToolError(f"{what} is {size:,} bytes; the limit is {MAX_BYTES:,}")
    return size


def words_of(query):
    words = re.findall(r"\w+", query.lower())
    if not words:
        raise ToolError("the query has no words to search for")
    return words


def atomic_write(path, data):
    """Write to a temp file, then rename over: a killed call leaves the old file or the new one."""
    os.makedirs(TMP, exist_ok=True)
    tmp = f"{TMP}/{os.getpid()}-{os.path.basename(path)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# -- memory ---------------------------------------------------------------------------------

@tool(key=str, text=str)
def memory_write(st, key, text):
    key, mem = name_of(key, "key", 64), st["memory"]
    small(text, "the text")
    if key not in mem and len(mem) >= MAX_ITEMS:
        raise ToolError(f"memory is full ({MAX_ITEMS} keys): overwrite an existing key instead")
    replaced, mem[key] = key in mem, text
    return {"ok": True, "key": key, "replaced": replaced}


@tool(key=str)
def memory_read(st, key):
    key, mem = name_of(key, "key", 64), st["memory"]
    if key not in mem:
        keys = sorted(mem)
        listed = ", ".join(keys[:10]) + (f" and {len(keys) - 10} more" if len(keys) > 10 else "")
        raise ToolError(f"no memory under {key!r} (keys: {listed or 'none'})")
    return {"key": key, "text": mem[key]}


@tool(query=str)
def memory_search(st, query):
    words = words_of(query)
    hits = [k for k in sorted(st["memory"]) if all(w in f"{k}\n{st['memory'][k]}".lower() for w in words)]
    return {"results": [{"key": k, "text": st["memory"][k]} for k in hits[:5]]}


# -- files: everything under work/, nothing through a symlink -----------------------------

def resolve(path, what="path"):
    """(the path on disk, the normalised path relative to work/) or a ToolError."""
    if path.startswith("/") or "\0" in path or len(path) > 400:
        raise ToolError(f"{what} {path[:100]!r} must be relative to work/ (absolute paths are refused)")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ToolError(f"{what} {path!r} uses '..': paths must stay inside work/")
    for depth in range(len(parts) + 1):
        full = os.path.join(WORK, *parts[:depth])
        if os.path.islink(full):
            raise ToolError(f"{what} {path!r} goes through a symlink; symlinks are refused")
    root, real = os.path.realpath(WORK), os.path.realpath(full)
    if real != root and not real.startswith(root + os.sep):
        raise ToolError(f"{what} {path!r} resolves outside work/")
    return full, "/".join(parts)


def regular_files():
    for top, dirs, names in os.walk(WORK):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(top, name)
            if os.path.isfile(full) and not os.path.islink(full):
                yield full


@tool(path=str, content=str)
def file_write(st, path, content):
    full, rel = resolve(path)
    size = small(content, "the content")
    if not rel or os.path.isdir(full):
        raise ToolError(f"{path!r} is a directory: give a file path")
    if not os.path.exists(full) and sum(1 for _ in regular_files()) >= MAX_ITEMS:
        raise ToolError(f"work/ is full ({MAX_ITEMS} files): delete or overwrite a file instead")
    try:
        os.makedirs(os.path.dirname(full), exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ToolError(f"cannot create {rel!r}: a parent of it is a file") from None
    atomic_write(full, content.encode())
    return {"ok": True, "path": rel, "bytes": size}


def existing_file(path):
    full, rel = resolve(path)
    if os.path.isdir(full):
        raise ToolError(f"{rel or '.'!r} is a directory (file_list shows what is in it)")
    if not os.path.isfile(full):
        raise ToolError(f"no file {rel!r} in work/ (file_list shows what is there)")
    return full, rel


@tool(path=str)
def file_read(st, path):
    full, rel = existing_file(path)
    with open(full, "rb") as f:
        return {"path": rel, "content": f.read(MAX_BYTES + 1).decode("utf-8", errors="replace")}


@tool(dir=(str, "."))
def file_list(st, dir):
    full, rel = resolve(dir, "dir")
    if not os.path.isdir(full):
        raise ToolError(f"no directory {rel!r} in work/")
    entries = [n + "/" if os.path.isdir(os.path.join(full, n)) and not os.path.islink(os.path.join(full, n)) else n
               for n in os.listdir(full)]
    return {"dir": rel or ".", "entries": sorted(entries)}


@tool(path=str)
def file_delete(st, path):
    full, _ = existing_file(path)
    os.unlink(full)
    return {"ok": True}


# -- scheduler ------------------------------------------------------------------------------

TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?")
MONTHS = {m: n for n, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
DAYS = {d: n for n, d in enumerate("SUN MON TUE WED THU FRI SAT".split())}
FIELDS = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day-of-month", 1, 31, {}), ("month", 1, 12, MONTHS),
          ("day-of-week", 0, 7, DAYS))


def parse_time(text):
    m = TIME.fullmatch(text)
    if not m:
        raise ToolError(f"time {text!r} must be local time as YYYY-MM-DDTHH:MM (no time zone)")
    if m[6] not in (None, "00"):
        raise ToolError(f"time {text!r}: give it to the minute (seconds are not supported)")
    try:
        return datetime(*map(int, m.groups()[:5]))
    except ValueError as exc:
        raise ToolError(f"time {text!r} is not a real date and time ({exc})") from None


def cron_field(text, name, lo, hi, names):
    def number(tok):
        value = names.get(tok.upper())
        if value is None:
            if not re.fullmatch(r"[0-9]+", tok):
                raise ToolError(f"cron {name} field {text!r}: {tok!r} is not a number ({name} is {lo}-{hi})")
            value = int(tok)
        if not lo <= value <= hi:
            raise ToolError(f"cron {name} field {text!r}: {value} is out of range ({name} is {lo}-{hi})")
        return value

    items = []
    for item in text.split(","):
        base, slash, step = item.partition("/")
        if slash and (not re.fullmatch(r"[0-9]+", step) or not 1 <= int(step) <= hi):
            raise ToolError(f"cron {name} field {text!r}: the step {step!r} must be 1-{hi}")
        first, dash, last = base.partition("-")
        if base == "*":
            norm = "*"
        elif dash:
            a, b = number(first), number(last)
            if a > b:
                raise ToolError(f"cron {name} field {text!r}: the range {base!r} runs backwards")
            norm = f"{a}-{b}"
        elif slash:
            raise ToolError(f"cron {name} field {text!r}: a step needs '*' or a range before it, e.g. */15")
        else:
            norm = str(number(base))
        items.append(norm + (f"/{int(step)}" if slash else ""))
    return ",".join(items)


def normalise_when(when, now, past_ok=False):
    when = when.strip()
    if re.match(r"[0-9]{4}-", when):
        at = parse_time(when)
        if at < parse_time(now) and not past_ok:
            raise ToolError(f"that time is in the past (now is {now})")
        return at.strftime("%Y-%m-%dT%H:%M")
    fields = when.split()
    if len(fields) != 5:
        raise ToolError(f"when must be a cron line with 5 fields (minute hour day-of-month month day-of-week) "
                        f"or a local time YYYY-MM-DDTHH:MM; got {len(fields)} field(s)")
    return " ".join(cron_field(f, *spec) for f, spec in zip(fields, FIELDS))


@tool(name=str, when=str, task=str)
def schedule_create(st, name, when, task, past_ok=False):  # init seeds jobs with past_ok
    name, task = name_of(name, "name", 80), name_of(task, "task", 4000)
    when = normalise_when(when, st["now"], past_ok)
    if len(st["jobs"]) >= MAX_ITEMS:
        raise ToolError(f"the scheduler is full ({MAX_ITEMS} jobs)")
    job = {"id": f"job-{st['next_job']}", "name": name, "when": when, "task": task, "status": "active"}
    st["next_job"] += 1
    st["jobs"].append(job)
    return dict(job)


@tool()
def schedule_list(st):
    return {"jobs": st["jobs"], "now": st["now"]}


@tool(id=str)
def schedule_cancel(st, id):
    job = next((j for j in st["jobs"] if j["id"] == id.strip()), None)
    if job is None:
        raise ToolError(f"no job {id!r} (jobs: {', '.join(j['id'] for j in st['jobs'][:20]) or 'none'})")
    if job["status"] == "cancelled":
        raise ToolError(f"{job['id']} is already cancelled")
    job["status"] = "cancelled"
    return {"ok": True, "id": job["id"], "status": "cancelled"}


# -- browser over the scenario's pages: text is returned, never acted on ------------------

LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")


def pages():
    with open(WEB, encoding="utf-8") as f:
        return json.load(f)


def title_of(url, text):
    return next((ln.strip()[2:].strip() for ln in text.splitlines() if ln.strip().startswith("# ")), url)


def links_of(url, text):
    return [{"n": n, "text": t.strip(), "url": urljoin(url, href)} for n, (t, href) in enumerate(LINK.findall(text), 1)]


@tool(url=str)
def browser_open(st, url):
    known, url = pages(), url.strip()
    if not url:
        raise ToolError("url is empty")
    base = url.split("#")[0]
    for key in (url, base, base[:-1] if base.endswith("/") else base + "/"):
        if key in known:
            st["visited"].append(key)
            st["page"] = key
            text = known[key]
            return {"url": key, "title": title_of(key, text), "text": text, "links": links_of(key, text)}
    raise ToolError(f"404 not found: {url}")


@tool(query=str)
def browser_search(st, query):
    words, results = words_of(query), []
    for url, text in sorted(pages().items()):
        title = title_of(url, text)
        if all(w in f"{title}\n{text}".lower() for w in words) and len(results) < 5:
            line = next((ln.strip() for ln in text.splitlines() if words[0] in ln.lower()), title)
            results.append({"url": url, "title": title, "snippet": line[:160]})
    return {"results": results}


@tool(n=int)
def browser_follow(st, n):
    if st["page"] is None:
        raise ToolError("no page is open: use browser_open first")
    links = links_of(st["page"], pages()[st["page"]])
    if not 1 <= n <= len(links):
        raise ToolError(f"no link {n} on this page (it has {len(links) or 'no'} link{'' if len(links) == 1 else 's'})")
    return browser_open(st, links[n - 1]["url"])


# -- artifacts ------------------------------------------------------------------------------

@tool(name=str, content=str, kind=(str, "note"))
def artifact_save(st, name, content, kind):
    name, arts = name_of(name, "name", 80), st["artifacts"]
    if kind not in KINDS:
        raise ToolError(f"kind must be one of {', '.join(KINDS)} (got {kind[:40]!r})")
    small(content, "the content")
    if name not in arts and len(arts) >= MAX_ITEMS:
        raise ToolError(f"there are already {MAX_ITEMS} artifacts: overwrite one instead")
    replaced, arts[name] = name in arts, {"kind": kind, "content": content}
    return {"ok": True, "name": name, "replaced": replaced}


@tool()
def artifact_list(st):
    return {"artifacts": [{"name": n, "kind": a["kind"], "bytes": len(a["content"].encode())}
                          for n, a in sorted(st["artifacts"].items())]}


# -- commands -------------------------------------------------------------------------------

def run_tool(st, name, args):
    if name not in TOOLS:
        return {"error": f"unknown tool {name[:64]!r} (tools: {', '.join(sorted(TOOLS))})"}
    fault = next((f for f in st["faults"] if f["tool"] == name and f["times"] > 0), None)
    if fault:
        fault["times"] -= 1
        return {"error": fault["error"]}
    try:
        return TOOLS[name][0](st, **check_args(name, args))
    except ToolError as exc:
        message = str(exc)
    except OSError as exc:
        message = f"{name} failed: {exc.strerror or exc}"
    return {"error": " ".join(message.splitlines())[:500]}


@contextmanager
def locked():
    """One call at a time, even if the host runs tool calls in parallel."""
    try:
        fd = os.open(f"{ROOT}/lock", os.O_RDWR | os.O_CREAT, 0o644)
    except FileNotFoundError:
        raise Usage("not initialised: run `agent.py init` first") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def load():
    try:
        with open(STATE, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise Usage("not initialised: run `agent.py init` first") from None


def save(st):
    atomic_write(STATE, json.dumps(st, sort_keys=True).encode())


def init(spec):
    if not isinstance(spec, dict):
        raise Usage("init takes a JSON object")
    extra = set(spec) - {"now", "memory", "files", "jobs", "artifacts", "pages", "faults"}
    if extra:
        raise Usage(f"init: unknown key {sorted(extra)[0]!r}")

    def table(key, container, what):
        value = spec.get(key, container())
        if not isinstance(value, container):
            raise Usage(f"init: {key} must be {what}")
        return value

    def apply(name, args, where):  # the tool itself: the same checks, no faults, no call counted
        try:
            TOOLS[name][0](st, **check_args(name, args))
        except ToolError as exc:
            raise Usage(f"init {where}: {exc}") from None

    now = spec.get("now", datetime.now().strftime("%Y-%m-%dT%H:%M"))
    if not isinstance(now, str):
        raise Usage("init: now must be a string YYYY-MM-DDTHH:MM")
    try:
        now = parse_time(now.strip()).strftime("%Y-%m-%dT%H:%M")
        st = {"now": now, "memory": {}, "jobs": [], "next_job": 1, "artifacts": {}, "visited": [], "page": None,
              "calls": {}, "faults": []}
        for key, text in table("memory", dict, "an object").items():
            apply("memory_write", {"key": key, "text": text}, f"memory {key!r}")
        for job in table("jobs", list, "an array"):
            schedule_create(st, **check_args("schedule_create", job), past_ok=True)
        for name, art in table("artifacts", dict, "an object").items():
            apply("artifact_save", {"name": name, **art} if isinstance(art, dict) else art, f"artifact {name!r}")
    except ToolError as exc:
        raise Usage(f"init: {exc}") from None
    web = table("pages", dict, "an object")
    if not all(isinstance(u, str) and u.strip() and isinstance(t, str) for u, t in web.items()):
        raise Usage("init: pages must map each url to its text")
    for f in table("faults", list, "an array"):
        if not (isinstance(f, dict) and set(f) == {"tool", "times", "error"} and f["tool"] in TOOLS
                and type(f["times"]) is int and f["times"] >= 0 and isinstance(f["error"], str) and f["error"]):
            raise Usage(f"init: a fault is {{tool: a known tool, times: n >= 0, error: message}}, got {f!r}"[:300])
        st["faults"].append(dict(f))
    files = table("files", dict, "an object")
    os.makedirs(ROOT, exist_ok=True)
    with locked():
        for path in (f"{ROOT}/state", f"{ROOT}/web", TMP):  # the tools' state starts afresh every time
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            elif os.path.lexists(path):
                os.unlink(path)
            os.makedirs(path)
        os.makedirs(WORK, exist_ok=True)  # kept: the host may have laid out a workspace there
        for path, content in files.items():
            apply("file_write", {"path": path, "content": content}, f"file {path!r}")
        atomic_write(WEB, json.dumps(web, sort_keys=True).encode())
        save(st)  # last: the state file existing means init finished
    return {"ok": True}


def call(name, args):
    with locked():
        st = load()
        st["calls"][name[:64]] = st["calls"].get(name[:64], 0) + 1
        result = run_tool(st, name, args)
        save(st)
    return result


def dump():
    with locked():
        st = load()
        files = {}
        for full in regular_files():
            with open(full, "rb") as f:
                files[os.path.relpath(full, WORK).replace(os.sep, "/")] = f.read().decode("utf-8", errors="replace")
    return {"memory": st["memory"], "files": files, "jobs": st["jobs"], "artifacts": st["artifacts"],
            "visited": st["visited"], "calls": st["calls"]}


def read_json():
    try:
        raw = sys.stdin.buffer.read().decode("utf-8")
        return json.loads(raw) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Usage(f"stdin is not valid JSON: {exc}") from None


def main(argv):
    if argv == ["init"]:
        out = init(read_json())
    elif len(argv) == 2 and argv[0] == "call":
        out = call(argv[1], read_json())
    elif argv == ["dump"]:
        out = dump()
    else:
        raise Usage("usage: agent.py init | call TOOL | dump  (JSON on stdin)")
    sys.stdout.write(json.dumps(out, sort_keys=True) + "\n")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except Usage as exc:
        print(f"agent.py: {exc}", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # a bug here, not the model's doing: still one line, no traceback
        print(f"agent.py: internal error: {type(exc).__name__}: {' '.join(str(exc).splitlines())}", file=sys.stderr)
        sys.exit(1)
