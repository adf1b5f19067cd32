# The ways of running c-spin-O2 that whole-process.sh and compare.sh time, sourced by both: the
# debug scripts (written into $scripts) and `served BIN` (a `serve` + `attach`, `continue`). They
# set `spin` and use `loops` and `scripts`.
spin=tests/fixtures/wasm/c-spin-O2.wasm

# c-spin's main: lines 25-29 run once before the loop, fill (16-20) once; the loop is line 34.
printf 'break spin.c:33\nrun\nnext\n' >"$scripts/breaks.gdb"
for line in 16 17 18 19 20 25 26 27 28 29; do echo "break spin.c:$line" >>"$scripts/breaks.gdb"; done
printf 'delete 1\ncontinue\n' >>"$scripts/breaks.gdb"
printf 'break spin.c:33\nrun\nnext\nwatch table[0]\ndelete 1\ncontinue\n' >"$scripts/watch.gdb"
printf 'profile on\nrun\n' >"$scripts/profile.gdb"
printf 'continue\n' >"$scripts/continue.gdb"

served() { # bin
    local log="$scripts/serve.log" port
    "$1" serve --listen 0 --once "$spin" -- 0 "$loops" 2>"$log" >/dev/null &
    local server=$!
    until port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log") && [ -n "$port" ]; do
        sleep 0.005
    done
    "$1" attach --batch -x "$scripts/continue.gdb" "tcp:127.0.0.1:$port"
    wait "$server"
}
