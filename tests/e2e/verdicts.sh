#!/bin/bash
# verdicts.sh - the invariants of compare's verdicts, over every pair of the
# shipped EduMind runs, both ways (docs/methods.md, section 2):
#   - every change lies inside its own interval;
#   - a regression's interval excludes no change on the worse side (an
#     improvement's on the better side);
#   - a pair whose loads differ has no regression or improvement among its
#     whole-run rows;
#   - every objective is slo_breach exactly when the candidate's figure, as
#     `show` prints it, misses the objective; and compare's p95 is show's p95;
#   - the stress pair reads as capacity up ~4x, not as a regression; the
#     regression pair flags the analytics p95; the no-change pair nothing;
#   - a run in which every request failed never passes the gate.
. "$(dirname "$0")/lib.sh"

ing() { lr -q ingest --run "$1" --scenario "$2" --env "${3:-edumind}" "$4/k6_metrics.ndjson.gz" "$4/handle_summary.json"; }
for s in normal peak stress soak; do
  expect_exit 0 ing "before-$s" "$s" edumind "$DATA/before/$s"
  expect_exit 0 ing "after-$s" "$s" edumind "$DATA/after/$s"
done
expect_exit 0 ing after-stress-800 stress edumind "$DATA/after/stress_800vu"
expect_exit 0 ing reg-base normal ci "$DATA/regression/baseline"
expect_exit 0 ing reg-cand normal ci "$DATA/regression/regressed"
expect_exit 0 ing nc-a normal ci2 "$DATA/nochange/run_a"
expect_exit 0 ing nc-b normal ci2 "$DATA/nochange/run_b"

pairs="before-normal:after-normal before-peak:after-peak before-stress:after-stress before-soak:after-soak
before-stress:after-stress-800 after-stress-800:after-stress reg-base:reg-cand nc-a:nc-b"
mkdir -p "$WORK/cmp" "$WORK/show"
for r in before-normal after-normal before-peak after-peak before-stress after-stress before-soak after-soak \
  after-stress-800 reg-base reg-cand nc-a nc-b; do
  lr show "$r" --format json >"$WORK/show/$r.json" || failt "show $r"
done
for p in $pairs; do
  a=${p%%:*} b=${p##*:}
  expect_exit 0 lr compare "$a" "$b" --format json
  cp "$WORK/out" "$WORK/cmp/$a--$b.json"
  expect_exit 0 lr compare "$b" "$a" --format json
  cp "$WORK/out" "$WORK/cmp/$b--$a.json"
done

python3 - "$WORK/cmp" "$WORK/show" <<'PY' && pass || failt "verdict invariants over every pair"
import glob, json, math, os, sys
cmpdir, showdir = sys.argv[1], sys.argv[2]
bad = []
nfind = 0
WHOLE_RUN = {"p50", "p95", "p99", "avg", "ok_p95", "rps", "error_rate"}
for path in sorted(glob.glob(os.path.join(cmpdir, "*.json"))):
    doc = json.load(open(path))
    pair = os.path.basename(path)[:-5]
    comparable = doc["load"]["comparable"]
    for f in doc["findings"]:
        nfind += 1
        ch, lo, hi, v = f["change_pct"], f["ci_low_pct"], f["ci_high_pct"], f["verdict"]
        key = (pair, f["endpoint"], f["metric"], v, ch, lo, hi)
        if ch is not None and lo is not None and hi is not None and not (lo - 1e-9 <= ch <= hi + 1e-9):
            bad.append(("change outside its interval",) + key)
        worse_up = f["metric"] not in ("rps", "max_users")
        if v == "regression" and not (lo is not None and ((lo > 0) if worse_up else (hi < 0))):
            bad.append(("regression whose interval includes no change",) + key)
        if v == "improvement" and not (lo is not None and ((hi < 0) if worse_up else (lo > 0))):
            bad.append(("improvement whose interval includes no change",) + key)
        if not comparable and f["metric"] in WHOLE_RUN and v in ("regression", "improvement"):
            bad.append(("a verdict on a pair of different loads",) + key)
        if comparable and f["metric"] in WHOLE_RUN and v == "not_comparable":
            bad.append(("not_comparable on a comparable pair",) + key)
    # One number per name: the candidate's p95 is show's p95.
    cand = doc["candidate"]["name"]
    show = json.load(open(os.path.join(showdir, cand + ".json")))
    eps = {e["endpoint"]: e for e in show["endpoints"]}
    for f in doc["findings"]:
        if f["metric"] != "p95":
            continue
        want = show["summary"]["p95"] if f["endpoint"] == "ALL" else eps[f["endpoint"]]["http_req_duration"]["p(95)"]
        if abs(f["candidate"] - want) > 1e-9 * max(1, abs(want)):
            bad.append(("p95 differs from show's", pair, f["endpoint"], f["candidate"], want))
    # Objectives: slo_breach exactly when show's figure misses the objective.
    ramp = doc["load"]["candidate"]["shape"] == "ramp"
    for o in doc["objectives"]:
        if o["metric"] not in ("p95", "error_rate"):
            continue
        if ramp:
            if o["verdict"] != "not_applicable":
                bad.append(("a ramp judged on whole-run figures", pair, o["endpoint"], o["metric"]))
            continue
        row = show["summary"] if o["endpoint"] == "ALL" else eps[o["endpoint"]]
        if o["metric"] == "p95":
            val = row["p95"] if o["endpoint"] == "ALL" else row["http_req_duration"]["p(95)"]
            miss = not (val < o["objective"])
        else:
            val = row["error_rate"]
            miss = not (val < o["objective"] or (o["objective"] == 0 and val == 0))
        if (o["verdict"] == "slo_breach") != miss or abs(val - o["candidate"]) > 1e-9 * max(1, abs(val)):
            bad.append(("objective verdict against its figure", pair, o["endpoint"], o["metric"], val, o))
for b in bad[:20]:
    print(b, file=sys.stderr)
assert nfind > 400, nfind
assert not bad, len(bad)
print(f"{nfind} findings checked", file=sys.stderr)
PY

# The stress pair: different loads, compared by capacity (~4x users).
python3 - "$WORK/cmp/before-stress--after-stress.json" <<'PY' && pass || failt "the stress pair reads as a capacity gain"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["load"]["comparable"] is False and d["load"]["reasons"], d["load"]
assert d["verdict"] not in ("regression", "improvement"), d["verdict"]
assert not [f for f in d["findings"] if f["verdict"] == "regression"], "a regression on a capacity gain"
c = d["capacity"]
assert 3 <= c["users_ratio"] <= 6, c
assert c["ok_rps_ratio"] is not None and c["ok_rps_ratio"] > 3, c
lv = d["levels"]
assert lv and all(abs(l["baseline"]["vus"] - l["candidate"]["vus"]) <= 0.1 * l["candidate"]["vus"] + 1e-9 for l in lv), lv
mu = [f for f in d["findings"] if f["metric"] == "max_users"]
assert mu and mu[0]["verdict"] == "improvement", mu
PY

# The stress ramps at equal load (800 VUs both): comparable, judged whole-run
# and at matched levels; the optimised build carries more users.
python3 - "$WORK/cmp/before-stress--after-stress-800.json" <<'PY' && pass || failt "the 800-VU stress pair"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["load"]["comparable"] is True, d["load"]["reasons"]
assert d["verdict"] != "regression", [f for f in d["findings"] if f["verdict"] == "regression"]
assert len(d["levels"]) >= 5, d["levels"]
assert d["capacity"]["users_ratio"] > 2 and d["capacity"]["users_ratio_bound"] == "at_least", d["capacity"]
PY

# The gate: the regression pair fails on the analytics p95, the no-change pair passes.
expect_exit 0 lr baseline set reg-base
expect_exit 0 lr baseline set nc-a
expect_exit 1 lr check reg-cand --format json
expect_grep '"verdict": "regression"' "$WORK/out"
expect_exit 0 lr check nc-b

# Scenarios are paired by name: the two-scenario run (a constant-arrival-rate
# browse and a ramping-VU dashboard) against itself.
T="$FIX/k6runs/two-scenarios"
expect_exit 0 lr -q ingest --run two "$T/k6_metrics.ndjson.gz" "$T/handle_summary.json"
lr show two --format json >"$WORK/two-show.json"
expect_exit 0 lr compare two two --format json
python3 - "$WORK/out" "$WORK/two-show.json" <<'PY' && pass || failt "compare pairs k6 scenarios by name"
import json, sys
d, show = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sc = {s["name"]: s for s in d["scenarios"]}
assert set(sc) == {"browse", "dashboard"}, sc.keys()
for s in show["scenarios"]:
    f = {(x["endpoint"], x["metric"]): x for x in sc[s["name"]]["findings"]}
    for e in s["endpoints"]:
        assert abs(f[(e["endpoint"], "p95")]["candidate"] - e["http_req_duration"]["p(95)"]) < 1e-9, (s["name"], e)
    assert {k[0] for k in f} == {"ALL"} | {e["endpoint"] for e in s["endpoints"]}, f.keys()
assert d["verdict"] == "ok", d["verdict"]
PY

# A run in which every request failed (k6 against a dead port) never passes,
# with or without a baseline, and is not made the baseline.
K="$FIX/k6runs/all-failed"
expect_exit 0 lr -q ingest --run dead --scenario smoke-dead "$K/k6_metrics.ndjson.gz" "$K/handle_summary.json"
expect_exit 1 lr check dead --no-baseline-ok --format json
python3 - "$WORK/out" <<'PY' && pass || failt "an all-failed run fails the gate"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict"] == "slo_breach", d["verdict"]
br = [o for o in d["objectives"] if o["verdict"] == "slo_breach" and o["metric"] == "error_rate" and o["endpoint"] == "ALL"]
assert br and br[0]["candidate"] == 1.0, d["objectives"]
PY
expect_exit 0 lr baseline show --scenario smoke-dead
expect_grep 'no baseline' "$WORK/out"
expect_exit 1 lr check dead --no-baseline-ok
finish
