//! Prints the internal code of one named function: `cargo run --example dump -- MODULE.wasm NAME`.
fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(name)) = (args.next(), args.next()) else {
        eprintln!("usage: dump MODULE.wasm FUNCTION");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let m = runtime_core::Module::new(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
    for i in 0..m.num_funcs() {
        if let (Some(n), Some(b)) = (m.func_name(i), m.body(i))
            && n == name
        {
            for pc in 0..b.len() as u32 {
                let instr = b.instr(pc).expect("pc below len");
                println!("{pc:4} {:#06x} {instr:?}", b.offsets[pc as usize]);
            }
        }
    }
}
