# One command: run (a test interrupts it).
run
bt
