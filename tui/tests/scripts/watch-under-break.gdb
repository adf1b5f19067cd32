# A watched write made by the very instruction a breakpoint sits on is reported, not stepped past.
break *0x543
run
watch -l 0x112f0,4
continue
continue
