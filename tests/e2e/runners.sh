#!/usr/bin/env bash
# Runners of one test merged exactly (issue 16). k6-operator and N k6
# processes write one set of files per runner; `ingest --run NAME` of all of
# them is one run with exact statistics over the union of the samples, and
# `show` lists each runner ("instances") beside the merged run, with each
# runner's own threshold verdicts beside the ones re-evaluated on the union.
#  1. A real run (data/edumind before/normal) split by VU into 4 runner
#     files: the merged run equals the ingest of the 4 files concatenated,
#     and its counts and percentiles equal the original run's; the runners'
#     requests sum to the run's.
#  2. Clock skew and uneven load are said.
#  3. A real distributed run: 4 k6 processes at once against the EduMind
#     simulator, each with its own NDJSON and summary (k6 on PATH, $K6 or
#     ../shared/bin/k6; under CI=true a missing k6 fails).
. "$(dirname "$0")/lib.sh"
. "$LOADREP_SRC/tests/load/sim-lib.sh"
trap 'sim_stop; rm -rf "$WORK"' EXIT

# 1. Split a real run into 4 runners by VU (the vus gauge and other
# untagged points by line, so that every point lands in exactly one file).
python3 - "$DATA/before/normal/k6_metrics.ndjson.gz" "$WORK" <<'PY'
import gzip, json, os, sys
src, out = sys.argv[1], sys.argv[2]
files = []
for k in range(4):
    os.makedirs(f"{out}/runner-{k + 1}", exist_ok=True)
    files.append(gzip.open(f"{out}/runner-{k + 1}/k6_metrics.ndjson.gz", "wt"))
cat = gzip.open(f"{out}/concat-parts.tmp", "wt")
n = 0
for line in gzip.open(src, "rt"):
    d = json.loads(line)
    if d.get("type") == "Metric":
        for f in files:
            f.write(line)
        continue
    vu = (d.get("data", {}).get("tags") or {}).get("vu")
    k = int(vu) % 4 if vu and vu.isdigit() else n % 4
    files[k].write(line)
    n += 1
for f in files:
    f.close()
PY
# The same points as one file, in the order the 4-file ingest reads them.
for k in 1 2 3 4; do gzip -dc "$WORK/runner-$k/k6_metrics.ndjson.gz"; done | gzip > "$WORK/concat.ndjson.gz"
expect_exit 0 lr -q ingest --run merged --scenario normal "$WORK"/runner-{1,2,3,4}/k6_metrics.ndjson.gz
expect_exit 0 lr -q ingest --run concat --scenario normal "$WORK/concat.ndjson.gz"
expect_exit 0 lr -q ingest --run original --scenario normal "$DATA/before/normal/k6_metrics.ndjson.gz"
for r in merged concat original; do lr show "$r" --format json >"$WORK/$r.json"; done
expect_exit 0 python3 - "$WORK/merged.json" "$WORK/concat.json" "$WORK/original.json" <<'PY'
import json, sys
m, c, o = (json.load(open(p)) for p in sys.argv[1:4])
def core(d):
    d = dict(d)
    for k in ("run", "instances", "merge"):
        d.pop(k, None)
    return d
assert core(m) == core(c), "the 4-runner run differs from the same samples as one file"
ins = m["instances"]
assert [i["name"] for i in sorted(ins, key=lambda i: i["name"])] == ["runner-1", "runner-2", "runner-3", "runner-4"], ins
assert sum(i["requests"] for i in ins) == m["summary"]["requests"], (ins, m["summary"])
assert m["merge"]["runners"] == 4 and m["merge"]["percentiles"] == "exact", m["merge"]
assert m["merge"]["warnings"] == [], m["merge"]["warnings"]
# Counts and percentiles (order-free) equal the original run's; sums may
# differ in the last bits with the order of addition.
for a, b in zip(m["endpoints"], o["endpoints"]):
    assert (a["method"], a["name"], a["requests"], a["failed"]) == (b["method"], b["name"], b["requests"], b["failed"]), (a, b)
    for k in ("min", "med", "max", "p(90)", "p(95)", "p(99)"):
        assert a["http_req_duration"][k] == b["http_req_duration"][k], (a["name"], k)
assert m["summary"]["requests"] == o["summary"]["requests"]
assert len(o["instances"]) == 1 and o["instances"][0]["requests"] == o["summary"]["requests"], o["instances"]
PY
expect_exit 0 lr show merged
expect_grep '^instances +\(4 runners merged; percentiles exact\)' "$WORK/out"
expect_grep '^  runner-1 ' "$WORK/out"

# 2. Disagreeing runners: runner-2's clock 5 s ahead, runner-4 with half
# its requests (every other request's points dropped).
mkdir -p "$WORK/skew"
python3 - "$WORK" <<'PY'
import gzip, json, sys
w = sys.argv[1]
def shift(t, s):  # k6's RFC 3339 with nanoseconds, Z
    hh, mm, ss = int(t[11:13]), int(t[14:16]), int(t[17:19]) + s
    mm, ss = mm + ss // 60, ss % 60
    hh, mm = hh + mm // 60, mm % 60
    return "%s%02d:%02d:%02d%s" % (t[:11], hh, mm, ss, t[19:])
for k in (1, 2, 3, 4):
    with gzip.open(f"{w}/runner-{k}/k6_metrics.ndjson.gz", "rt") as f, \
         gzip.open(f"{w}/skew/runner-{k}.ndjson.gz", "wt") as o:
        keep = True
        for line in f:
            d = json.loads(line)
            if d.get("type") == "Point":
                if k == 2:
                    d["data"]["time"] = shift(d["data"]["time"], 5)
                if k == 4 and d["metric"] == "http_reqs":
                    keep = not keep
                if k == 4 and not keep:
                    continue
            o.write(json.dumps(d) + "\n")
PY
expect_exit 0 lr -q ingest --run skewed --scenario normal "$WORK"/skew/runner-{1,2,3,4}.ndjson.gz
expect_exit 0 lr show skewed --format json
cp "$WORK/out" "$WORK/skewed.json"
expect_exit 0 python3 - "$WORK/skewed.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = sorted(i["name"] for i in d["instances"])
assert names == ["runner-1", "runner-2", "runner-3", "runner-4"], names  # named by file: one directory
w = " ".join(d["merge"]["warnings"])
assert "Runner runner-2 started 5." in w and "clocks disagree" in w, w
assert "Uneven load: runner runner-4" in w and "fewer" in w, w
assert "runner-1 started" not in w and "runner runner-1 made" not in w, w
PY
expect_exit 0 lr show skewed
expect_grep 'warning: Runner runner-2 started 5\.[0-9] s after runner-' "$WORK/out"

# 3. A real distributed run: 4 k6 processes at once, one simulator.
if ! k6_find || ! sim_find; then
  if [ "${CI:-}" = true ]; then failt "k6 or the EduMind simulator not found (CI)"; else echo "SKIPPED: real distributed run (no k6 or simulator)"; fi
  finish
  exit
fi
sim_seed "$WORK/template.db"
if ! sim_start "$WORK/sim" "$WORK/template.db" --profile after; then
  failt "the EduMind simulator did not start"; finish; exit
fi
pids=()
for k in 1 2 3 4; do
  mkdir -p "$WORK/dist/runner-$k"
  (cd "$WORK/dist/runner-$k" && "$K6" run -q --no-color -e SCENARIO=smoke -e VUS=2 -e DURATION=8s -e TIME_SCALE=0.5 \
    -e "BASE_URL=$SIM_URL" -e "SUMMARY_DIR=$WORK/dist/runner-$k" --tag "instance=k6-runner-$k" \
    --out "json=k6_metrics.ndjson" --summary-export summary.json "$LOADREP_SRC/tests/load/main.js" >k6.out 2>k6.err) &
  pids+=($!)
done
bad=""
for k in 1 2 3 4; do wait "${pids[$((k - 1))]}" || bad="$bad runner-$k"; done
sim_stop
[ -z "$bad" ] && pass || { failt "k6 failed:$bad"; cat "$WORK"/dist/runner-*/k6.err | tail -20 >&2; }
expect_exit 0 lr -q ingest --run dist --scenario smoke "$WORK"/dist/runner-*/k6_metrics.ndjson "$WORK"/dist/runner-*/summary.json
expect_exit 0 lr show dist --format json
cp "$WORK/out" "$WORK/dist.json"
expect_exit 0 python3 - "$WORK/dist.json" "$WORK"/dist/runner-*/summary.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sums = [json.load(open(p)) for p in sys.argv[2:]]
ins = {i["name"]: i for i in d["instances"]}
assert sorted(ins) == ["k6-runner-1", "k6-runner-2", "k6-runner-3", "k6-runner-4"], sorted(ins)  # from the tag
assert sum(i["requests"] for i in ins.values()) == d["summary"]["requests"] > 0
# Each runner's requests equal what its own k6 counted.
counts = sorted(s["metrics"]["http_reqs"]["count"] for s in sums)
assert sorted(i["requests"] for i in ins.values()) == counts, (counts, ins)
assert d["merge"]["percentiles"] == "exact" and d["merge"]["runners"] == 4
# k6's thresholds re-evaluated over the union, each runner's own verdict beside.
rows = [t for t in d["thresholds"] if t["source"] != "loadrep"]
assert d["thresholds"] and not rows, rows  # every one judged over the union, tag filters included
assert any("{name:" in t["metric"] for t in d["thresholds"]), d["thresholds"]
judged = [t for t in d["thresholds"] if t.get("instances")]
assert judged and all(sorted(t["instances"]) == sorted(ins) for t in judged), judged  # the same runners' names
PY
# The runners' summaries alone (no samples): merged, and said to be approximate.
# (Another database: a file is ingested once per database.)
S="$WORK/sum.db"
expect_exit 0 lr -q --db "$S" ingest --run dist --scenario smoke "$WORK"/dist/runner-*/k6_metrics.ndjson
expect_exit 0 lr -q --db "$S" ingest --run dist-sum --scenario smoke "$WORK"/dist/runner-*/summary.json
expect_exit 0 lr --db "$S" show dist-sum --format json
cp "$WORK/out" "$WORK/dist-sum.json"
expect_exit 0 python3 - "$WORK/dist-sum.json" "$WORK/dist.json" <<'PY'
import json, sys
s, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert s["merge"]["percentiles"] == "approximate" and s["merge"]["runners"] == 4, s["merge"]
assert any("approximate" in w for w in s["merge"]["warnings"]), s["merge"]
# Counts add up exactly; only the percentiles are approximate.
assert s["summary"]["requests"] == d["summary"]["requests"], (s["summary"], d["summary"])
assert sum(i["requests"] for i in s["instances"]) == s["summary"]["requests"]
PY
expect_exit 0 lr --db "$S" compare dist dist-sum --format json
expect_grep "candidate run 'dist-sum' is merged from 4 runners' summaries without their samples: its percentiles are approximate" "$WORK/out"
finish
