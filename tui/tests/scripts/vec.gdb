# Structs, pointers and arrays in a C program built with clang -O0.
break scale
tbreak vec.c:40
info breakpoints
run
bt
info args
p *v
p v->y * k
p/x v->z
finish
next
step
info locals
finish
p points[2]
p &points[1]
p sum.x + sum.y == 3
x/4dw &sum
watch sum.x
delete 1
continue
continue
info breakpoints
display *acc
next
undisplay 1
list scale
delete
continue
