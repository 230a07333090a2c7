#!/bin/sh
# fake-gnuplot.sh - stands in for gnuplot in tests (LOADREP_GNUPLOT=this).
# Behaviour by $FAKE_GNUPLOT: "fail" writes to stderr and exits 3; "hang"
# sleeps 60 s; "stubborn" ignores SIGTERM and sleeps; "noise" writes 200 KiB
# of stderr then succeeds; default: reads the script's `set output '...'`
# lines and writes a 1x1 PNG or a tiny SVG to each, as gnuplot would.
case "${FAKE_GNUPLOT:-ok}" in
  fail) echo "\"$1\" line 3: undefined variable: boom" >&2; exit 3 ;;
  hang) sleep 60; exit 0 ;;
  stubborn) trap '' TERM; sleep 5; exit 0 ;;
  noise) i=0; while [ $i -lt 3200 ]; do echo "0123456789012345678901234567890123456789012345678901234567890123"; i=$((i+1)); done >&2; exit 0 ;;
esac
for script in "$@"; do
  sed -n "s/^set output '\\(.*\\)'\$/\\1/p" "$script" | while IFS= read -r out; do
    case "$out" in
      *.png*) printf '\211\120\116\107\015\012\032\012\000\000\000\015\111\110\104\122\000\000\000\001\000\000\000\001\010\002\000\000\000\220\167\123\336\000\000\000\014\111\104\101\124\170\234\143\370\377\377\077\000\005\376\002\376\015\357\106\270\000\000\000\000\111\105\116\104\256\102\140\202' > "$out" ;;
      *) printf '<svg xmlns="http://www.w3.org/2000/svg"><text>fake chart</text></svg>\n' > "$out" ;;
    esac
  done
done
exit 0
