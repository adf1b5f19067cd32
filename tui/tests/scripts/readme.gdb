break scale
run
bt
p *v
finish
watch sum.x
continue
