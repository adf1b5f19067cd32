# Mistakes get a clear message and the session goes on.
print x
continue
break nosuch
break vec.c:9999
frobnicate
start
p nosuch
p 1 +
p points[
p points.x
p *points[0].x
x/4xw 0xfffffff0
frame 99
up 9
watch -l 0x10,100
watch 1 + 2
info nothing
condition 7 x
p/q 1
x/2s 0x30000
x/99999999999999999999xb 0
p *(int*)0xffffffff
p (char*)0x20000
p 1e-310
p 100000000000000000000.0
p 0x1e3
next
p sum
continue
