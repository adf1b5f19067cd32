# Conditions, ignore counts, temporary breakpoints and deep frames (clang -O0).
break fib if n == 1
run
bt
finish
ignore 1 2
continue
info args
up 3
info frame
delete
tbreak ackermann
continue
p m * 10 + n
stepi
nexti
until
advance is_even
bt 2
kill
