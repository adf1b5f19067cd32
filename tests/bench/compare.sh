#!/usr/bin/env bash
# Two builds of wrt-dbg side by side, run in turns so that the machine's drift falls on both:
# `bash tests/bench/compare.sh OLD_BIN NEW_BIN`. The rows are whole-process.sh's (CoreMark's
# score, fib(35), a 100M-iteration loop, and c-spin-O2 under `run` and each way of debugging it);
# each time is the best of REPEAT (default 7) turns, and the last column is new / old.
set -euo pipefail
cd "$(dirname "$0")/../.."
old=$1 new=$2
repeat=${REPEAT:-7}
loops=${LOOPS:-200000000}
coremark=${COREMARK:-../shared/bench/coremark.wasm}
kernels=tests/fixtures/wasm/kernels.wasm
scripts=$(mktemp -d)
trap 'rm -rf "$scripts"' EXIT

. tests/bench/scenarios.sh

# The command of row `$1` for binary `$2`.
run_row() {
    local bin=$2
    case $1 in
    fib) "$bin" run --invoke fib "$kernels" -- 35 ;;
    hot_loop) "$bin" run --invoke hot_loop "$kernels" -- 100000000 ;;
    run) "$bin" run "$spin" -- 0 "$loops" ;;
    breaks | watch | profile) "$bin" debug --batch -x "$scripts/$1.gdb" "$spin" -- 0 "$loops" ;;
    serve) served "$bin" ;;
    esac
}

seconds() { # row bin
    local start end
    start=$(date +%s.%N)
    run_row "$1" "$2" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

min() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc)" = 1 ]; then echo "$2"; else echo "$1"; fi; }

max() { if [ -z "$1" ] || [ "$(echo "$2 > $1" | bc)" = 1 ]; then echo "$2"; else echo "$1"; fi; }
score() { "$1" run "$coremark" -- 0x0 0x0 0x66 3000 2>&1 | sed -n 's/^Iterations\/Sec *: //p'; }

if [ -f "$coremark" ]; then
    best_old= best_new=
    for _ in $(seq "$repeat"); do
        best_old=$(max "$best_old" "$(score "$old")")
        best_new=$(max "$best_new" "$(score "$new")")
    done
    printf '%-40s %10.1f %10.1f   %5.3f (Iterations/Sec: higher is better)\n' "CoreMark, 3000 iterations" \
        "$best_old" "$best_new" "$(echo "$best_new / $best_old" | bc -l)"
fi

printf '%-40s %10s %10s   %s\n' "" "old (s)" "new (s)" "new/old"
for row in fib hot_loop run breaks watch profile serve; do
    best_old= best_new=
    for _ in $(seq "$repeat"); do
        best_old=$(min "$best_old" "$(seconds "$row" "$old")")
        best_new=$(min "$best_new" "$(seconds "$row" "$new")")
    done
    printf '%-40s %10.2f %10.2f   %5.3f\n' "$row" "$best_old" "$best_new" "$(echo "$best_new / $best_old" | bc -l)"
done
