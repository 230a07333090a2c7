#!/usr/bin/env bash
# workflows.sh - the GitHub workflows (.github/workflows/load-tests.yml and
# ci.yml) parse as YAML and hold the triggers and steps the project relies on;
# every `loadrep` command line in them and in tests/load/run.sh names a
# subcommand and options that `loadrep CMD --help` documents; the gate and
# report steps run as written against the sample data in data/edumind.
# Needs: python3 with PyYAML (Debian package python3-yaml).
. "$(dirname "$0")/lib.sh"

PY=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
  failt "no python3 with the yaml module: install the Debian package python3-yaml"
  finish
  exit
fi

# run.sh's own loadrep command lines, as it would run them.
"$LOADREP_SRC/tests/load/run.sh" --dry-run smoke --name dry --out "$WORK/dry" --pid 1 --db "$WORK/x.db" \
  --env e --label a=b --check --threshold 20% --junit j.xml --summary s.md --annotations --no-baseline-ok \
  >"$WORK/runsh-dry.txt" 2>"$WORK/runsh-dry.err" || failt "run.sh --dry-run failed: $(cat "$WORK/runsh-dry.err")"

cat >"$WORK/wf.py" <<'PY'
"""Checks the workflows; writes commands.tsv and step-*.sh into the work dir."""
import os
import re
import shlex
import sys

import yaml

src, work = sys.argv[1], sys.argv[2]
wf = os.path.join(src, ".github", "workflows")
results = []


def t(name, cond, detail=""):
    detail = " ".join(str(detail).split())
    detail = detail if len(detail) <= 160 else detail[:157] + "..."
    results.append(("PASS " if cond else "FAIL ") + name + ("" if cond else ": " + detail))


def load(name):
    path = os.path.join(wf, name)
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        t(f"{name} parses as YAML", isinstance(doc, dict), "not a mapping")
        return doc if isinstance(doc, dict) else {}
    except (OSError, yaml.YAMLError) as e:
        t(f"{name} parses as YAML", False, str(e).replace("\n", " "))
        return {}


def triggers(doc):
    on = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {k: None for k in on}
    return on or {}


def steps(doc):
    out = []
    for job in (doc.get("jobs") or {}).values():
        out.extend(job.get("steps") or [])
    return out


def runs(doc):
    return [s.get("run", "") for s in steps(doc) if s.get("run")]


def joined(script):
    return re.sub(r"\\\n\s*", " ", script)


def apt_packages(text):
    pkgs = set()
    for line in joined(text).splitlines():
        m = re.search(r"apt-get\s+install\s+(.*)", line)
        if not m:
            continue
        for tok in m.group(1).split():
            if tok in ("&&", "||", ";", "|"):
                break
            if not tok.startswith("-") and re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", tok):
                pkgs.add(tok)
    return pkgs


SHELL_OPS = {";", "&&", "||", "|", "&", ">", ">>", "<", "(", ")", "|&", ">&", "<<"}


def tokenize(line):
    lex = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
    lex.whitespace_split = True
    lex.commenters = "#"
    try:
        return list(lex)
    except ValueError:
        return line.split()


def command_lines(script):
    """Yields (tool, args) for each loadrep / run.sh invocation in a shell script."""
    for line in joined(script).splitlines():
        toks = tokenize(line.strip())
        i = 0
        while i < len(toks):
            base = os.path.basename(toks[i])
            if base in ("loadrep", "run.sh") and (i == 0 or toks[i - 1] in SHELL_OPS or toks[i - 1] in ("then", "do", "else", "sudo", "exec", "time", "!")):
                j = i + 1
                while j < len(toks) and toks[j] not in SHELL_OPS:
                    j += 1
                yield base, toks[i + 1:j]
                i = j
            else:
                i += 1


def loadrep_uses(args):
    """(subcommand, option) pairs of one loadrep command line."""
    sub, pairs, i = "", [], 0
    while i < len(args):
        a = args[i]
        if a == "--":
            break
        if a.startswith("-"):
            opt = a.split("=", 1)[0]
            pairs.append((sub, opt))
            if sub == "" and opt == "--db" and "=" not in a:
                i += 1
        elif sub == "":
            sub = a
            pairs.append((sub, ""))
        elif sub == "baseline" and a in ("set", "show", "clear") and not any(p[0].startswith("baseline ") for p in pairs):
            pairs.append(("baseline", a))
        i += 1
    return pairs


uses = []  # (source, tool, sub, opt)


def collect(source, script):
    for tool, args in command_lines(script):
        if tool == "loadrep":
            for sub, opt in loadrep_uses(args):
                uses.append((source, "loadrep", sub, opt))
        else:
            for a in args:
                if a.startswith("-"):
                    uses.append((source, "run.sh", "", a.split("=", 1)[0]))


# ---------------------------------------------------------------- load-tests
lt = load("load-tests.yml")
on = triggers(lt)
crons = [c.get("cron", "") for c in (on.get("schedule") or []) if isinstance(c, dict)]
t("load-tests: has a schedule", bool(crons), f"on = {list(on)}")
for c in crons:
    f = c.split()
    weekly = len(f) == 5 and f[2] == "*" and f[3] == "*" and re.fullmatch(r"[0-6]|SUN|MON|TUE|WED|THU|FRI|SAT", f[4] or "")
    t(f"load-tests: cron '{c}' is weekly", bool(weekly), "expected 'M H * * D'")
t("load-tests: has workflow_dispatch", "workflow_dispatch" in on, f"on = {list(on)}")
inputs = ((on.get("workflow_dispatch") or {}).get("inputs")) or {}
t("load-tests: dispatch input target_url", "target_url" in inputs, f"inputs = {list(inputs)}")
sc = inputs.get("scenario") or {}
t("load-tests: dispatch input scenario lists the four scenarios",
  sc.get("type") == "choice" and {"normal", "peak", "stress", "soak"} <= set(sc.get("options") or []), str(sc))

st = steps(lt)
uses_of = lambda prefix: [s for s in st if str(s.get("uses", "")).startswith(prefix)]
run_with = lambda needle: [s for s in st if needle in joined(s.get("run", ""))]
on_failure_too = lambda s: any(k in str(s.get("if", "")) for k in ("always()", "failure()"))
t("load-tests: checks out the repository", bool(uses_of("actions/checkout@")), "")
t("load-tests: installs k6", bool(uses_of("grafana/setup-k6-action@") or [s for s in run_with("apt-get install") if " k6" in s["run"]]), "")
t("load-tests: builds loadrep with cmake", bool(run_with("cmake -S . -B build")) and bool(run_with("cmake --build build")), "")
t("load-tests: puts loadrep on PATH (cmake --install)", bool(run_with("cmake --install build")), "")
env = dict(lt.get("env") or {})
for job in (lt.get("jobs") or {}).values():
    env.update(job.get("env") or {})
    t("load-tests: job timeout covers the 4 h soak", int(job.get("timeout-minutes", 0) or 0) >= 300, str(job.get("timeout-minutes")))
db = str(env.get("LOADREP_DB", ""))
t("load-tests: LOADREP_DB lies in loadrep-history/", "loadrep-history/" in db, db)
restore = [s for s in uses_of("actions/cache") if s["uses"].split("@")[0] in ("actions/cache", "actions/cache/restore")]
save = [s for s in uses_of("actions/cache") if s["uses"].split("@")[0] in ("actions/cache/save",)]
t("load-tests: restores the history from the cache",
  any((s.get("with") or {}).get("path") == "loadrep-history" and (s.get("with") or {}).get("restore-keys") for s in restore), str(restore))
t("load-tests: saves the history even when the gate fails",
  any((s.get("with") or {}).get("path") == "loadrep-history" and on_failure_too(s) for s in save), str(save))
t("load-tests: falls back to the previous run's database artifact", bool(run_with("gh run download")), "")
runsh = run_with("tests/load/run.sh")
t("load-tests: runs the scenarios with tests/load/run.sh", bool(runsh), "")
def subcommands(step):
    return {(a[0] if a else "") for tool, a in command_lines(step.get("run", "")) if tool == "loadrep"
            for a in [[x for x in a if not x.startswith("-")]]}


gate = [s for s in st if "check" in subcommands(s)]
t("load-tests: gates with loadrep check", len(gate) == 1, f"{len(gate)} steps")
for g in gate:
    text = joined(g["run"])
    for opt in ("--junit", "--annotations", '--summary "$GITHUB_STEP_SUMMARY"'):
        t(f"load-tests: loadrep check {opt}", opt in text, text)
    t("load-tests: a regression fails the job (no continue-on-error)", not g.get("continue-on-error"), "")
    t("load-tests: the gate runs after the scenarios", st.index(g) > max(st.index(s) for s in runsh) if runsh else False, "")
    t("load-tests: the gate step has id 'gate'", g.get("id") == "gate", str(g.get("id")))
report = [s for s in st if "report" in subcommands(s)]
t("load-tests: writes reports with loadrep report", len(report) == 1 and report[0].get("id") == "report", "")
uploads = uses_of("actions/upload-artifact@")
paths = " ".join(str((s.get("with") or {}).get("path", "")) for s in uploads)
t("load-tests: uploads the reports and JUnit (written to reports/)", "reports/" in paths and "$REPORTS/junit" in paths.replace("reports/", "$REPORTS/") + " " + " ".join(joined(g["run"]) for g in gate), paths)
t("load-tests: uploads the database", "loadrep-history" in paths, paths)
t("load-tests: uploads happen when the gate fails too", uploads and all(on_failure_too(s) for s in uploads), "")
for s in st:
    r = s.get("run", "")
    bad = re.search(r"\$\{\{\s*(inputs|github\.event)\.", r)
    t(f"load-tests: step '{s.get('name')}' reads inputs through env, not inline", not bad, r[:80])

# ---------------------------------------------------------------------- ci
ci = load("ci.yml")
on = triggers(ci)
t("ci: runs on push and pull_request", "push" in on and "pull_request" in on, f"on = {list(on)}")
cst = steps(ci)
ctext = "\n".join(joined(s.get("run", "")) for s in cst)
matrix_flags = []
for job in (ci.get("jobs") or {}).values():
    for inc in (((job.get("strategy") or {}).get("matrix") or {}).get("include") or []):
        matrix_flags.append(str(inc.get("cmake_flags", "")))
configure = [s for s in cst if "cmake -S . -B build" in joined(s.get("run", ""))]
t("ci: configures with cmake -S . -B build", bool(configure), "")
flags = " ".join(matrix_flags) + " " + " ".join(s["run"] for s in configure)
t("ci: every build has -DLOADREP_WERROR=ON", matrix_flags and all("-DLOADREP_WERROR=ON" in f for f in matrix_flags) or "-DLOADREP_WERROR=ON" in flags, flags)
t("ci: a sanitizer build (-DLOADREP_SANITIZE=ON)", "-DLOADREP_SANITIZE=ON" in flags, flags)
t("ci: cmake --build build -j2", "cmake --build build -j2" in ctext, "")
t("ci: ctest --test-dir build --output-on-failure", "ctest --test-dir build --output-on-failure" in ctext, "")
def read(*parts):
    try:
        with open(os.path.join(src, *parts), encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


deps_sh = read("scripts", "deps.sh")
m = re.search(r"pkgs=\(([^)]*)\)", deps_sh)
deps_pkgs = set(m.group(1).split()) if m else set()
ci_uses_deps = "scripts/deps.sh" in ctext
ci_pkgs = apt_packages(ctext) | (deps_pkgs if ci_uses_deps else set())
lt_pkgs = apt_packages("\n".join(runs(lt)))
needed = set(re.findall(r"apt-get install ([a-z0-9][a-z0-9+.-]+)", read("CMakeLists.txt")))
t("CMakeLists.txt names its Debian packages", len(needed) >= 3, str(needed))
for p in sorted(needed):
    t(f"ci installs {p} (CMakeLists.txt needs it)", p in ci_pkgs, str(sorted(ci_pkgs)))
    t(f"load-tests installs {p} (CMakeLists.txt needs it)", p in lt_pkgs, str(sorted(lt_pkgs)))
for p in ("nodejs", "python3-yaml"):
    t(f"ci installs {p} (the e2e tests need it)", p in ci_pkgs, str(sorted(ci_pkgs)))
ci_run = read(".ci", "run") + read("scripts", "test.sh")
if ci_run:
    if "scripts/deps.sh" in ci_run:
        t("ci installs packages with scripts/deps.sh, like .ci/run", ci_uses_deps, "")
    for p in sorted(apt_packages(ci_run)):
        t(f"ci installs {p} like .ci/run", p in ci_pkgs, str(sorted(ci_pkgs)))
    if "LOADREP_SANITIZE=ON" in ci_run:
        t("ci has the sanitizer build of .ci/run", "-DLOADREP_SANITIZE=ON" in flags, flags)
else:
    print("note: .ci/run not found; ci.yml is not compared with it")

# ------------------------------------------------- commands and step scripts
for s in steps(lt) + steps(ci):
    if s.get("run"):
        collect("workflow", s["run"])
with open(os.path.join(work, "runsh-dry.txt"), encoding="utf-8") as f:
    collect("run.sh", f.read())
t("loadrep commands found in the workflows", sum(1 for u in uses if u[0] == "workflow" and u[1] == "loadrep") >= 5, str(uses))
t("loadrep commands found in run.sh --dry-run", {u[2] for u in uses if u[0] == "run.sh" and u[1] == "loadrep"} >= {"sysmon", "ingest", "check"}, str(uses))
with open(os.path.join(work, "commands.tsv"), "w", encoding="utf-8") as f:
    for u in sorted(set(uses)):
        f.write("\t".join(x or "-" for x in u) + "\n")
for s in st:
    if s.get("id") in ("gate", "report", "run"):
        with open(os.path.join(work, f"step-{s['id']}.sh"), "w", encoding="utf-8") as f:
            f.write(s["run"])
print("\n".join(results))
PY

"$PY" "$WORK/wf.py" "$LOADREP_SRC" "$WORK" >"$WORK/wf.out" 2>"$WORK/wf.err"
rc=$?
while IFS= read -r line; do
  case $line in
    "PASS "*) pass ;;
    "FAIL "*) failt "${line#FAIL }" ;;
    *) echo "$line" ;;
  esac
done <"$WORK/wf.out"
if [ "$rc" != 0 ]; then
  failt "the workflow checker crashed (exit $rc)"
  sed 's/^/  | /' "$WORK/wf.err" >&2
fi

# --- every loadrep subcommand and option exists: `loadrep CMD --help` -----
if [ -s "$WORK/commands.tsv" ]; then
  cut -f2- "$WORK/commands.tsv" | sort -u >"$WORK/uses.tsv"
  "$LOADREP_SRC/tests/load/run.sh" --help >"$WORK/help-run.sh" 2>&1
  while IFS=$'\t' read -r tool sub opt; do
    [ "$sub" != - ] || sub=""
    [ "$opt" != - ] || opt=""
    if [ "$tool" = run.sh ]; then
      if grep -qF -- "$opt" "$WORK/help-run.sh"; then pass; else failt "run.sh option '$opt' (used by a workflow) is not in 'run.sh --help'"; fi
      continue
    fi
    if [ -z "$sub" ]; then
      case $opt in
        --version) expect_exit 0 "$LOADREP" --version ;;
        *)
          "$LOADREP" --help >"$WORK/help" 2>&1
          if grep -qF -- "$opt" "$WORK/help"; then pass; else failt "global option '$opt' is not in 'loadrep --help'"; fi ;;
      esac
      continue
    fi
    hf="$WORK/help-$sub"
    if [ ! -f "$hf" ]; then
      "$LOADREP" "$sub" --help >"$hf" 2>&1
      echo $? >"$hf.rc"
    fi
    if [ "$(cat "$hf.rc")" != 0 ]; then
      [ -n "$opt" ] || failt "'loadrep $sub --help' exits $(cat "$hf.rc"): $(head -1 "$hf")"
      [ -z "$opt" ] || failt "'loadrep $sub $opt' cannot be checked: 'loadrep $sub --help' exits $(cat "$hf.rc")"
      continue
    fi
    if [ -z "$opt" ]; then
      pass
    elif [ "$opt" = --db ]; then
      # a global option, accepted by every command
      "$LOADREP" --help >"$WORK/help" 2>&1
      if grep -qF -- "--db" "$WORK/help"; then pass; else failt "'--db' is not in 'loadrep --help'"; fi
    elif [ "$sub" = baseline ] && [ "${opt#-}" = "$opt" ]; then
      if grep -qE -- "baseline $opt( |\$)" "$hf"; then pass; else failt "'loadrep baseline $opt' is not in 'loadrep baseline --help'"; fi
    elif grep -qE -- "(^|[^a-z-])$opt([^a-z-]|\$)" "$hf"; then
      pass
    else
      failt "'loadrep $sub $opt' is used but not in 'loadrep $sub --help'"
    fi
  done <"$WORK/uses.tsv"
fi

# --- the gate and report steps, as written, against the sample data --------
mkdir -p "$WORK/bin"
ln -sf "$LOADREP" "$WORK/bin/loadrep"
# step SCRIPT DB: runs a workflow step's script the way Actions does (bash -eo pipefail).
step() {
  env PATH="$WORK/bin:$PATH" LOADREP_DB="$2" SCENARIOS="${SCENARIOS:-normal}" THRESHOLD=20% SCALE=1 \
    GITHUB_RUN_ID=1 GITHUB_RUN_ATTEMPT=1 GITHUB_WORKSPACE="$LOADREP_SRC" \
    GITHUB_STEP_SUMMARY="$WORK/summary.md" REPORTS="$WORK/reports" RESULTS="$WORK/results" \
    bash --noprofile --norc -eo pipefail "$WORK/step-$1.sh"
}
ingest_run() { # DB NAME DIR [SCENARIO]
  lr --db "$1" ingest --run "$2" --scenario "${4:-normal}" "$3/k6_metrics.ndjson.gz" "$3/handle_summary.json" "$3/system_metrics.csv"
}
if [ -f "$WORK/step-gate.sh" ] && [ -f "$WORK/step-report.sh" ]; then
  # A regression: the analytics endpoint slowed 1.35x.
  db="$WORK/regression.db"
  expect_exit 0 ingest_run "$db" normal-base "$DATA/regression/baseline"
  expect_exit 0 lr --db "$db" baseline set normal-base
  expect_exit 0 ingest_run "$db" normal-1-1 "$DATA/regression/regressed"
  : >"$WORK/summary.md"
  expect_exit 1 step gate "$db"
  expect_grep "::error" "$WORK/out"
  expect_grep "<failure" "$WORK/reports/junit-normal.xml"
  expect_grep "analytics" "$WORK/summary.md"
  expect_exit 0 step report "$db"
  if [ -s "$WORK/reports/LOAD_TEST_RESULTS.md" ]; then pass; else failt "the report step wrote no LOAD_TEST_RESULTS.md"; fi
  # No change: two runs of one configuration pass.
  db="$WORK/nochange.db"
  expect_exit 0 ingest_run "$db" normal-base "$DATA/nochange/run_a"
  expect_exit 0 lr --db "$db" baseline set normal-base
  expect_exit 0 ingest_run "$db" normal-1-1 "$DATA/nochange/run_b"
  expect_exit 0 step gate "$db"
  expect_no_grep "<failure" "$WORK/reports/junit-normal.xml"
  # The first runs of two scenarios: no baselines yet, the gate passes and pins
  # them; the stress run (38 % errors past its breaking point) is not failed
  # by the error SLO, and its capacity verdict lands in the summary.
  db="$WORK/first.db"
  : >"$WORK/summary.md"
  expect_exit 0 ingest_run "$db" normal-1-1 "$DATA/nochange/run_a"
  expect_exit 0 ingest_run "$db" stress-1-1 "$DATA/before/stress" stress
  SCENARIOS="normal stress" expect_exit 0 step gate "$db"
  expect_grep "[Cc]apacity" "$WORK/summary.md"
  expect_exit 0 lr --db "$db" baseline show --format json
  expect_grep "normal-1-1" "$WORK/out"
  expect_grep "stress-1-1" "$WORK/out"
else
  failt "the gate/report steps were not found in load-tests.yml"
fi

finish
