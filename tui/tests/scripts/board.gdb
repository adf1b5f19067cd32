# A freestanding C program (clang -O1) on the board, debugged over its UART: the output must be
# what a local session on the same packed module prints.
break filter
run
bt
p *s
p s->value * 2
p prev
finish
p samples[0]
p weights
watch steps
continue
continue
delete
break put_int
continue
bt
up
info locals
down
next
step
delete
continue
