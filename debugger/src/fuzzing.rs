//! The bodies of the fuzz targets in `debugger/fuzz`, here so that a stable test
//! (`debugger/tests/fuzz_corpus.rs`) replays their committed seeds: whatever the input, the
//! debugger answers with values or errors, never a panic or a hang.

use std::cell::RefCell;
use std::rc::Rc;

use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB};

use crate::command::{Command, parse};
use crate::dwarf::{DwarfInfo, Place, SECTIONS, Ty, WasmState};
use crate::error::Error;
use crate::request::Request;
use crate::session::{Program, Session, SharedOutput};
use crate::step::Resume;
use crate::value::{Format, Printer, Value};

/// A stopped program whose every local, global, slot and byte reads as a small number.
struct Zeros;

impl WasmState for Zeros {
    fn local(&self, index: u32) -> Result<Option<u64>, Error> {
        Ok(Some(u64::from(index) * 16))
    }
    fn global(&self, _: u32) -> Result<Option<u64>, Error> {
        Ok(Some(0x1000))
    }
    fn stack(&self, index: u32) -> Result<Option<u64>, Error> {
        Ok((index < 4).then_some(8))
    }
    fn memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, Error> {
        (addr < 0x10000 && len <= 4096)
            .then(|| vec![1; len])
            .ok_or(Error::Memory {
                addr,
                len,
                size: 0x10000,
            })
    }
}

/// Splits the input into sections: a byte choosing the section, two bytes of length, the bytes.
fn sections(mut data: &[u8]) -> Vec<(&'static str, Rc<[u8]>)> {
    let mut out = Vec::new();
    while let [which, lo, hi, rest @ ..] = data {
        let len = usize::from(u16::from_le_bytes([*lo, *hi])).min(rest.len());
        out.push((
            SECTIONS[usize::from(*which) % SECTIONS.len()],
            Rc::from(&rest[..len]),
        ));
        data = &rest[len..];
    }
    out
}

/// The `dwarf` target: any bytes as the `.debug_*` sections of a module (in the format
/// `debugger/fuzz/seeds/make.py` writes) go through loading and every query the debugger makes.
pub fn dwarf(data: &[u8]) {
    let parts = sections(data);
    let Ok(dwarf) = DwarfInfo::from_sections(
        |id| {
            parts
                .iter()
                .find(|(n, _)| *n == id.name())
                .map(|(_, b)| b.clone())
        },
        Vec::new(),
    ) else {
        return;
    };
    let state = Zeros;
    let printer = Printer {
        dwarf: &dwarf,
        state: &state,
        format: Format::Natural,
    };
    for f in dwarf.functions.iter().take(64) {
        let _ = dwarf.frames(f.low);
        let _ = dwarf.after_prologue(f);
        let Ok(scopes) = dwarf.scopes(f.low) else {
            continue;
        };
        let base = scopes
            .first()
            .and_then(|s| dwarf.frame_base(s, f.low, &state).ok().flatten());
        for v in scopes.iter().flat_map(|s| &s.vars).take(64) {
            let place = dwarf
                .place(v, f.low, base, &state)
                .unwrap_or(Place::OptimizedOut);
            let _ = dwarf.type_name(&v.ty);
            let _ = printer.top(&Value {
                ty: v.ty.clone(),
                place,
            });
        }
    }
    if let Ok(globals) = dwarf.globals() {
        for g in globals.iter().take(64) {
            let place = dwarf
                .place(g, 0, None, &state)
                .unwrap_or(Place::OptimizedOut);
            let _ = printer.top(&Value {
                ty: g.ty.clone(),
                place,
            });
        }
    }
    let files: Vec<u32> = (0..dwarf.lines.files.len() as u32).collect();
    let _ = dwarf.lines.line_addresses(&files, 1);
    let _ = printer.top(&Value {
        ty: Ty::Void,
        place: Place::Memory(0),
    });
}

/// The sessions the `command` target works on: one module before `run`, and the same module run
/// to a breakpoint.
pub struct Fixture {
    sessions: [Session; 2],
}

/// Lines of one input the `command` target reads; the rest is not looked at.
const MAX_LINES: usize = 16;
/// Units of an `x` command the `command` target shows: a long dump costs time, not coverage.
const MAX_UNITS: u32 = 64;

impl Fixture {
    /// Opens `bytes` twice under a Linux host's limits: as it is before `run`, and run to the
    /// first stop at function `stop_at`.
    pub fn open(bytes: &[u8], stop_at: &str) -> Result<Fixture, Error> {
        let open = || {
            let program = Program {
                output: Some(SharedOutput(Rc::new(RefCell::new(std::io::sink())))),
                ..Program::default()
            };
            let limits = linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
            Session::open(bytes.to_vec(), &limits, program)
        };
        let fresh = open()?;
        let mut stopped = open()?;
        stopped.set_breakpoint(stop_at, None, false)?;
        stopped.start()?;
        stopped.resume(Resume::Continue)?;
        Ok(Fixture {
            sessions: [fresh, stopped],
        })
    }
}

/// The `command` target: each line of `data` (at most `MAX_LINES`) is parsed as a command,
/// evaluated as an expression and checked as a condition, in both sessions of the fixture; the
/// commands that only read run there too. An expression that evaluates must check, and every
/// expression error's column must fall within its text (1 to one past its last character).
pub fn command(fixture: &mut Fixture, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.lines().take(MAX_LINES) {
        let parsed = parse(line);
        for s in &mut fixture.sessions {
            let evaluated = s.evaluate(line);
            let checked = s.check_expression(line);
            if let Ok(v) = &evaluated {
                let _ = s.show(v, Format::Natural);
                assert!(
                    checked.is_ok(),
                    "`{line}` evaluates but does not check: {checked:?}"
                );
            }
            for e in [evaluated.err(), checked.err()].iter().flatten() {
                column_within(e);
            }
            if let Ok(Command::Request(req)) = &parsed
                && let Some(req) = read_only(req)
            {
                match s.handle(req.clone()) {
                    Ok(resp) => {
                        let _ = crate::print::text(&req, &resp);
                    }
                    Err(e) => column_within(&e),
                }
            }
            s.forget_values();
        }
    }
}

/// The request as the `command` target runs it, when it only reads the session (an `x` at
/// most [`MAX_UNITS`] long); `None` for one that runs the program or changes the session.
fn read_only(req: &Request) -> Option<Request> {
    Some(match req {
        Request::Examine {
            expr,
            frame,
            count,
            format,
            unit,
        } => Request::Examine {
            expr: expr.clone(),
            frame: *frame,
            count: (*count).min(MAX_UNITS),
            format: *format,
            unit: *unit,
        },
        Request::Print { .. }
        | Request::Evaluate { .. }
        | Request::Backtrace { .. }
        | Request::Frame(_)
        | Request::Up(_)
        | Request::Variables { .. }
        | Request::Breakpoints
        | Request::FrameDetail { .. }
        | Request::Displays
        | Request::Machine { .. }
        | Request::Names => req.clone(),
        _ => return None,
    })
}

/// Panics unless an expression error's column is within its expression.
fn column_within(e: &Error) {
    if let Error::Expr { expr, column, .. } = e {
        let end = expr.chars().count() + 1;
        assert!(
            (1..=end).contains(column),
            "column {column} outside `{expr}` (1..={end}): {e}"
        );
    }
}
