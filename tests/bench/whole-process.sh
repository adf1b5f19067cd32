#!/usr/bin/env bash
# Whole-process speed, what a user waits for (criterion cannot see start-up): CoreMark's score under
# `wrt-dbg run` and the wasmi 2.0 CLI, the wall time of two kernels (fib(35) and a 100M-iteration
# arithmetic loop, `--invoke`d) under each, and the wall time of a 200M-iteration loop (c-spin-O2) under
# `run`, `wasmi`, and each way of debugging it: a debug session's `continue` with 10 breakpoints
# armed in code that does not run again, one watchpoint, `profile on`, and a served program
# (`serve` + `attach`, `continue`). Each time is the best of 5 (REPEAT); ratios are against `run`.
#
# Needs: a release build (made here), and `wasmi` on PATH for its rows
# (`cargo install wasmi_cli --version 2.0.0 --locked`, which installs `wasmi`). COREMARK (default ../shared/bench/coremark.wasm)
# and LOOPS (default 200000000) change the inputs.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p wrt-dbg
bin=target/release/wrt-dbg
coremark=${COREMARK:-../shared/bench/coremark.wasm}
loops=${LOOPS:-200000000}
kernels=tests/fixtures/wasm/kernels.wasm
scripts=$(mktemp -d)
trap 'rm -rf "$scripts"' EXIT

# Best wall time of REPEAT runs of a command, in seconds: this 2-core machine's noise only ever
# adds time.
repeat=${REPEAT:-5}
best() {
    local best=
    for _ in $(seq "$repeat"); do
        local start end t
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s.%N)
        t=$(echo "$end - $start" | bc)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
    done
    echo "$best"
}

row() { # label seconds base
    printf '%-44s %8.2f s  %6.2fx\n' "$1" "$2" "$(echo "$2 / $3" | bc -l)"
}

if [ -f "$coremark" ]; then
    echo "CoreMark (3000 iterations), Iterations/Sec:"
    printf '  wrt-dbg run: '
    "$bin" run "$coremark" -- 0x0 0x0 0x66 3000 2>&1 | sed -n 's/^Iterations\/Sec *: //p'
    if command -v wasmi >/dev/null; then
        printf '  wasmi:   '
        wasmi "$coremark" 0x0 0x0 0x66 3000 2>&1 | sed -n 's/^Iterations\/Sec *: //p'
    fi
fi

echo
echo "kernels (tests/fixtures/src/kernels.c), best of $repeat (ratio to wrt-dbg run):"
for kernel in "fib 35" "hot_loop 100000000"; do
    read -r name arg <<<"$kernel"
    ours=$(best "$bin" run --invoke "$name" "$kernels" -- "$arg")
    row "$name($arg): wrt-dbg run" "$ours" "$ours"
    if command -v wasmi >/dev/null; then
        row "$name($arg): wasmi" "$(best wasmi --invoke "$name" "$kernels" "$arg")" "$ours"
    fi
done

. tests/bench/scenarios.sh
debug() { "$bin" debug --batch -x "$1" "$spin" -- 0 "$loops"; }

echo
echo "c-spin-O2, $loops loop iterations, best of $repeat (ratio to run):"
run=$(best "$bin" run "$spin" -- 0 "$loops")
row "wrt-dbg run" "$run" "$run"
if command -v wasmi >/dev/null; then
    row "wasmi" "$(best wasmi "$spin" 0 "$loops")" "$run"
fi
row "debug: 10 breakpoints armed, continue" "$(best debug "$scripts/breaks.gdb")" "$run"
row "debug: one watchpoint, continue" "$(best debug "$scripts/watch.gdb")" "$run"
row "debug: profile on, run" "$(best debug "$scripts/profile.gdb")" "$run"
row "serve + attach: continue" "$(best served "$bin")" "$run"
