# The board's breakpoint table holds max_breakpoints (10 at debug level full in 64 KiB); the
# eleventh is refused by name, and the ten still stop the program.
break filter
break checksum
break put
break put_int
break board.c:50
break board.c:51
break board.c:57
break board.c:64
break board.c:70
break board.c:73
break board.c:75
monitor budget
run
delete
monitor limits
continue
