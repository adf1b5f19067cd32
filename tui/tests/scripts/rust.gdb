# Rust values: enums with data, references, slices, Vec, String, &str, Option.
break Shape::area
run
p self
p *self
continue
continue
p *self
delete
break demo::largest
continue
info args
finish
delete
break demo.rs:74
continue
info locals
p inv.items
p inv.items.len
p text
