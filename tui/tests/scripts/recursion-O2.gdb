# Optimised code: inlined frames and optimised-out values (clang -O2).
break is_odd
break fib
run
info args
bt
delete 2
continue
bt
info frame
finish
