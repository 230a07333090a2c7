#!/usr/bin/env bash
# deps.sh - installs what loadrep needs to build and test, on Debian 12.
# Uses apt-get when run as root, sudo when available; otherwise prints the line.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libjansson-dev libsqlite3-dev zlib1g-dev
      libcmark-gfm-dev libcmark-gfm-extensions-dev libhpdf-dev libxxhash-dev libpq-dev postgresql xxhash fonts-dejavu-core gnuplot-nox
      python3 python3-yaml nodejs poppler-utils sysstat sqlite3 groff-base jq time libjs-dygraphs chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "loadrep: missing packages; run as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "loadrep: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
