# lib.sh - shared by the end-to-end tests (sourced, not run).
# Environment (set by ctest): LOADREP (the binary), LOADREP_SRC (source tree).
set -u
: "${LOADREP:?LOADREP must name the loadrep binary}"
: "${LOADREP_SRC:?LOADREP_SRC must name the source tree}"
DATA="$LOADREP_SRC/data/edumind"
FIX="$LOADREP_SRC/tests/fixtures"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loadrep-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
export LOADREP_DB="$WORK/loadrep.db"
T_PASS=0
T_FAIL=0

lr() { "$LOADREP" "$@"; }

pass() { T_PASS=$((T_PASS + 1)); }
failt() { T_FAIL=$((T_FAIL + 1)); echo "FAIL: $*" >&2; }

# expect_exit CODE CMD...: runs CMD, asserts its exit code; output in $WORK/out, $WORK/err.
expect_exit() {
  local want=$1; shift
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  if [ "$got" -ge 128 ] && [ "$want" -lt 128 ]; then
    failt "crashed (exit $got): $*"; sed 's/^/  | /' "$WORK/err" >&2; return 1
  fi
  if [ "$got" != "$want" ]; then
    failt "exit $got, expected $want: $*"; sed 's/^/  | /' "$WORK/err" | head -20 >&2; return 1
  fi
  pass
}

# expect_grep PATTERN FILE: FILE matches the extended regex PATTERN.
expect_grep() {
  if grep -Eq -- "$1" "$2"; then pass; else failt "'$2' does not match /$1/"; head -20 "$2" | sed 's/^/  | /' >&2; fi
}

expect_no_grep() {
  if grep -Eq -- "$1" "$2"; then failt "'$2' matches /$1/ but must not"; grep -E -- "$1" "$2" | head -5 | sed 's/^/  | /' >&2; else pass; fi
}

# expect_same FILE EXPECTED: byte-identical (UPDATE_GOLDEN=1 rewrites EXPECTED).
expect_same() {
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then mkdir -p "$(dirname "$2")"; cp "$1" "$2"; pass; return; fi
  if cmp -s "$1" "$2"; then pass; else failt "$1 differs from golden $2"; diff -u "$2" "$1" | head -40 >&2; fi
}

finish() {
  echo "$T_PASS passed, $T_FAIL failed"
  [ "$T_FAIL" -eq 0 ]
}
