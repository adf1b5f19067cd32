# A trap stops at the faulting instruction with the whole stack.
run
bt
info args
up 2
info locals
p xs[1] + xs[2]
continue
