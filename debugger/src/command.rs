//! The command language, gdb's where it can be: one line in, one [`Reply`] out, with the text a
//! user reads and a JSON object a tool reads.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use runtime_core::debug::{Inspector, WatchKind};
use serde_json::{Value as Json, json};

use crate::breakpoint::parse_number;
use crate::disasm::Listing;
use crate::dwarf::Place;
use crate::error::Error;
use crate::frame::FrameInfo;
use crate::session::{Session, State};
use crate::step::{Resume, Stop};
use crate::value::{Format, Printer, Value, c_string};

/// The result of one command.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The command line.
    pub command: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// What a user reads.
    pub text: String,
    /// What a tool reads: fields particular to the command.
    pub data: Json,
}

impl Reply {
    /// The reply as one JSON object: `command`, `ok`, `output` and the command's own fields.
    pub fn json(&self) -> Json {
        let mut obj = json!({ "command": self.command, "ok": self.ok, "output": self.text });
        if let (Some(o), Json::Object(d)) = (obj.as_object_mut(), &self.data) {
            o.extend(d.clone());
        }
        obj
    }
}

/// A debugger driven by command lines.
pub struct Debugger {
    /// The session the commands act on.
    pub session: Session,
    /// Directories searched for source files by name.
    pub source_dirs: Vec<PathBuf>,
    sources: HashMap<String, Option<Vec<String>>>,
    /// `display` expressions by their memory-inspector slot.
    displays: Vec<(u32, String, Format)>,
    listing: Option<Listing>,
    last_list: Option<(String, u32)>,
    /// Set by `quit`.
    pub quit: bool,
}

type Out = Result<(String, Json), Error>;

impl Debugger {
    /// A debugger on `session`.
    pub fn new(session: Session) -> Debugger {
        Debugger {
            session,
            source_dirs: Vec::new(),
            sources: HashMap::new(),
            displays: Vec::new(),
            listing: None,
            last_list: None,
            quit: false,
        }
    }

    /// Runs one command line.
    pub fn execute(&mut self, line: &str) -> Reply {
        let line = line.trim();
        let (cmd, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let (cmd, fmt) = cmd.split_once('/').unwrap_or((cmd, ""));
        let rest = rest.trim();
        let result = self.dispatch(cmd, fmt, rest);
        let (ok, text, data) = match result {
            Ok((text, data)) => (true, text, data),
            Err(e) => (false, e.to_string(), json!({ "error": e.to_string() })),
        };
        Reply {
            command: line.to_string(),
            ok,
            text,
            data,
        }
    }

    fn dispatch(&mut self, cmd: &str, fmt: &str, rest: &str) -> Out {
        match cmd {
            "break" | "b" | "tbreak" => self.cmd_break(rest, cmd == "tbreak"),
            "delete" | "d" => {
                let n = if rest.is_empty() {
                    None
                } else {
                    Some(number(rest)?)
                };
                self.session.delete(n)?;
                Ok((String::new(), json!({})))
            }
            "disable" | "enable" => {
                self.session.set_enabled(number(rest)?, cmd == "enable")?;
                Ok((String::new(), json!({})))
            }
            "condition" => {
                let (n, cond) = rest.split_once(' ').unwrap_or((rest, ""));
                let n = number(n)?;
                let bp = self.session.breakpoints.iter_mut().find(|b| b.number == n);
                let bp = bp.ok_or_else(|| Error::Usage(format!("No breakpoint number {n}.")))?;
                bp.condition = (!cond.trim().is_empty()).then(|| cond.trim().to_string());
                Ok((String::new(), json!({})))
            }
            "ignore" => {
                let (n, count) = rest.split_once(' ').ok_or_else(|| {
                    Error::Usage("Argument required (a breakpoint number and a count).".into())
                })?;
                let (n, count) = (number(n)?, number(count)? as u64);
                self.session.set_ignore(n, count)?;
                Ok((
                    format!("Will ignore next {count} crossings of breakpoint {n}."),
                    json!({}),
                ))
            }
            "watch" | "rwatch" | "awatch" => {
                let kind = match cmd {
                    "watch" => WatchKind::Write,
                    "rwatch" => WatchKind::Read,
                    _ => WatchKind::Access,
                };
                self.cmd_watch(rest, kind)
            }
            "run" | "r" => {
                self.session.start()?;
                self.resume(Resume::Continue)
            }
            "start" => {
                self.session.start()?;
                let n = self.session.set_breakpoint("main", None, true)?;
                let _ = n;
                self.resume(Resume::Continue)
            }
            "continue" | "c" => {
                if let Ok(n) = number(rest) {
                    let bp = self.last_breakpoint();
                    if let Some(b) = bp {
                        self.session.set_ignore(b, n.saturating_sub(1) as u64)?;
                    }
                }
                self.resume(Resume::Continue)
            }
            "step" | "s" => self.repeat(rest, Resume::Step),
            "next" | "n" => self.repeat(rest, Resume::Next),
            "stepi" | "si" => self.repeat(rest, Resume::StepInstr),
            "nexti" | "ni" => self.repeat(rest, Resume::NextInstr),
            "finish" | "fin" => self.resume(Resume::Finish),
            "until" | "u" | "advance" => {
                if rest.is_empty() {
                    if cmd == "advance" {
                        return Err(Error::Usage("Argument required (a location).".into()));
                    }
                    return self.resume(Resume::Until);
                }
                let addrs = self.session.resolve(rest)?;
                self.resume(Resume::Advance(addrs))
            }
            "backtrace" | "bt" | "where" => self.cmd_backtrace(rest),
            "frame" | "f" => {
                if !rest.is_empty() {
                    self.select(number(rest)? as usize)?;
                }
                self.frame_report()
            }
            "up" | "down" => {
                let n = if rest.is_empty() {
                    1
                } else {
                    number(rest)? as i64
                };
                let n = if cmd == "up" { n } else { -n };
                let target = self.session.selected as i64 + n;
                let count = self.session.frames()?.len() as i64;
                if target < 0 {
                    return Err(Error::Usage(
                        "Bottom (innermost) frame selected; you cannot go down.".into(),
                    ));
                }
                if target >= count {
                    return Err(Error::Usage(
                        "Initial frame selected; you cannot go up.".into(),
                    ));
                }
                self.select(target as usize)?;
                self.frame_report()
            }
            "info" | "i" => self.cmd_info(rest),
            "print" | "p" | "output" | "call" => self.cmd_print(fmt, rest),
            "x" => self.cmd_examine(fmt, rest),
            "display" => {
                if rest.is_empty() {
                    return self.show_displays();
                }
                let format = letters(fmt)?.1;
                let v = self.session.evaluate(rest)?;
                let inspector = match v.place {
                    Place::Memory(addr) => Inspector {
                        addr: addr as u32,
                        len: self.session.dwarf.size_of(&v.ty)? as u32,
                    },
                    _ => Inspector { addr: 0, len: 0 },
                };
                let limits = self.session.limits().clone();
                let n = self.session.debug.inspectors.insert(inspector, &limits)?;
                self.displays.push((n, rest.to_string(), format));
                self.display_one(n, rest, format)
            }
            "undisplay" => {
                let n = number(rest)?;
                if self.session.debug.inspectors.remove(n).is_none() {
                    return Err(Error::Usage(format!("No display number {n}.")));
                }
                self.displays.retain(|d| d.0 != n);
                Ok((String::new(), json!({})))
            }
            "list" | "l" => self.cmd_list(rest),
            "disassemble" => self.cmd_disassemble(rest),
            "profile" => {
                match rest {
                    "on" | "off" => self.session.set_profiling(rest == "on")?,
                    "reset" => match &mut self.session.profile {
                        Some(p) => p.reset(),
                        None => {
                            return Err(Error::Usage(
                                "Profiling is off; `profile on` starts it.".into(),
                            ));
                        }
                    },
                    _ => return Err(Error::Usage("Usage: profile on|off|reset".into())),
                }
                Ok((format!("Profiling {rest}."), json!({})))
            }
            "directory" | "dir" => {
                self.source_dirs.push(rest.into());
                self.sources.clear();
                Ok((format!("Source directories searched: {rest}"), json!({})))
            }
            "kill" | "k" => {
                self.session.kill();
                Ok((
                    "[Inferior 1 (process 1) killed]".into(),
                    json!({ "state": "killed" }),
                ))
            }
            "detach" => {
                self.session.detach()?;
                Ok((
                    "[Inferior 1 (process 1) detached]".into(),
                    json!({ "state": "detached" }),
                ))
            }
            "quit" | "q" => {
                self.session.kill();
                self.quit = true;
                Ok((String::new(), json!({})))
            }
            "monitor" => {
                let text = self.session.monitor(rest)?;
                Ok((text.trim_end().to_string(), json!({ "monitor": text })))
            }
            "help" | "h" => Ok((HELP.trim().to_string(), json!({}))),
            "" => Ok((String::new(), json!({}))),
            other => Err(Error::Usage(format!(
                "Undefined command: \"{other}\".  Try \"help\"."
            ))),
        }
    }

    fn last_breakpoint(&self) -> Option<u32> {
        let f = self.session.frames().ok()?;
        let addr = f.first()?.addr;
        self.session
            .breakpoints
            .iter()
            .find(|b| b.addrs.contains(&addr))
            .map(|b| b.number)
    }

    fn select(&mut self, n: usize) -> Result<(), Error> {
        let count = self.session.frames()?.len();
        if n >= count {
            return Err(Error::Usage(format!("No frame at level {n}.")));
        }
        self.session.selected = n;
        Ok(())
    }

    fn cmd_break(&mut self, rest: &str, temporary: bool) -> Out {
        let (loc, cond) = match rest.split_once(" if ") {
            Some((l, c)) => (l.trim(), Some(c.trim().to_string())),
            None => (rest, None),
        };
        let loc = if loc.is_empty() {
            let f = self.session.selected_frame()?;
            format!("*{:#x}", f.addr)
        } else {
            loc.to_string()
        };
        let n = self.session.set_breakpoint(&loc, cond, temporary)?;
        let bp = self
            .session
            .breakpoints
            .iter()
            .find(|b| b.number == n)
            .cloned()
            .ok_or(Error::NotRunning)?;
        let kind = if temporary {
            "Temporary breakpoint"
        } else {
            "Breakpoint"
        };
        let text = match &bp.addrs[..] {
            [a] => format!("{kind} {n} at {a:#x}{}", self.where_is(*a)),
            many => format!("{kind} {n} at {} locations", many.len()),
        };
        Ok((
            text,
            json!({ "breakpoint": { "number": n, "addrs": bp.addrs, "temporary": temporary } }),
        ))
    }

    /// `: file vec.c, line 25.` for an address with a line.
    fn where_is(&self, addr: u64) -> String {
        match self.session.dwarf.lines.row_at(addr) {
            Some(r) if r.line != 0 => format!(
                ": file {}, line {}.",
                basename(self.session.dwarf.lines.file(r)),
                r.line
            ),
            _ => String::new(),
        }
    }

    fn cmd_watch(&mut self, rest: &str, kind: WatchKind) -> Out {
        let (expr, addr, len, ty) = if let Some(loc) = rest
            .strip_prefix("-l ")
            .or_else(|| rest.strip_prefix("-location "))
        {
            let (a, n) = loc.trim().split_once(',').unwrap_or((loc.trim(), "4"));
            match parse_number(a) {
                Some(addr) => {
                    let len = number(n)?;
                    let ty = crate::dwarf::Ty::Int {
                        signed: true,
                        size: len.min(8) as u8,
                    };
                    (loc.trim().to_string(), addr, len, ty)
                }
                None => {
                    let v = self.session.evaluate(a)?;
                    let Place::Memory(addr) = v.place else {
                        return Err(Error::Usage(format!("Cannot watch constant value `{a}`.")));
                    };
                    let len = self.session.dwarf.size_of(&v.ty)? as u32;
                    (format!("-location {a}"), addr, len, v.ty)
                }
            }
        } else {
            let v = self.session.evaluate(rest)?;
            let Place::Memory(addr) = v.place else {
                return Err(Error::Usage(format!(
                    "Cannot watch constant value `{rest}`."
                )));
            };
            let len = self.session.dwarf.size_of(&v.ty)? as u32;
            (rest.to_string(), addr, len, v.ty)
        };
        let n = self.session.set_watch(&expr, addr, len, ty, kind)?;
        let label = match kind {
            WatchKind::Write => "Hardware watchpoint",
            WatchKind::Read => "Hardware read watchpoint",
            WatchKind::Access => "Hardware access (read/write) watchpoint",
        };
        Ok((
            format!("{label} {n}: {expr}"),
            json!({ "watchpoint": { "number": n, "addr": addr, "len": len } }),
        ))
    }

    fn repeat(&mut self, rest: &str, how: Resume) -> Out {
        let n = if rest.is_empty() { 1 } else { number(rest)? };
        let mut last = (String::new(), json!({}));
        for _ in 0..n.max(1) {
            last = self.resume(how.clone())?;
            if !matches!(self.session.state(), State::Stopped) || last.1["stop"]["reason"] != "step"
            {
                break;
            }
        }
        Ok(last)
    }

    /// Resumes and reports the stop as gdb does, with the displays after it.
    fn resume(&mut self, how: Resume) -> Out {
        let before = self
            .session
            .frames()
            .ok()
            .and_then(|f| f.first().map(|f| (f.wasm, f.function.clone())));
        let mut text = String::new();
        if how == Resume::Finish {
            let f = self.session.selected_frame()?;
            let _ = writeln!(
                text,
                "Run till exit from #{:<2} {}",
                f.level,
                self.frame_line(&f, true)
            );
        }
        let stop = self.session.resume(how)?;
        if self.session.limits().debug_level >= runtime_core::limits::DebugLevel::BasicProfile {
            let frames = self.session.wasm_frames().to_vec();
            self.session.debug.traces.capture(&frames);
        }
        let (reason, mut data) = match &stop {
            Stop::Exited(code) => {
                let _ = write!(
                    text,
                    "[Inferior 1 (process 1) exited {}]",
                    if *code == 0 {
                        "normally".to_string()
                    } else {
                        format!("with code {code:02o}")
                    }
                );
                return Ok((
                    text,
                    json!({ "stop": { "reason": "exited", "code": code } }),
                ));
            }
            Stop::Breakpoint {
                number,
                temporary,
                condition_error,
            } => {
                let kind = if *temporary {
                    "Temporary breakpoint"
                } else {
                    "Breakpoint"
                };
                let mut fields = json!({ "number": number });
                if let Some(e) = condition_error {
                    let _ = write!(
                        text,
                        "\nError in testing condition for breakpoint {number}:\n{e}\n"
                    );
                    fields["condition_error"] = json!(e);
                }
                let _ = write!(text, "\n{kind} {number}, ");
                ("breakpoint", fields)
            }
            Stop::Watch {
                number,
                expr,
                old,
                new,
            } => {
                let label = self
                    .session
                    .watches
                    .iter()
                    .find(|w| w.number == *number)
                    .map_or(WatchKind::Write, |w| w.kind);
                let label = match label {
                    WatchKind::Write => "Hardware watchpoint",
                    WatchKind::Read => "Hardware read watchpoint",
                    WatchKind::Access => "Hardware access (read/write) watchpoint",
                };
                let _ = write!(text, "\n{label} {number}: {expr}\n\n");
                match old {
                    Some(o) => {
                        let _ = write!(text, "Old value = {o}\nNew value = {new}\n");
                    }
                    None => {
                        let _ = writeln!(text, "Value = {new}");
                    }
                }
                (
                    "watchpoint",
                    json!({ "number": number, "old": old, "new": new }),
                )
            }
            Stop::Trap(t) => {
                let _ = write!(text, "\nProgram stopped by a trap: {t}.\n");
                ("trap", json!({ "trap": t.to_string() }))
            }
            Stop::Interrupted => {
                text.push_str("\nProgram received signal SIGINT, Interrupt.\n");
                ("interrupt", json!({}))
            }
            Stop::Step => ("step", json!({})),
            Stop::Finish { .. } => ("finish", json!({})),
        };
        let frames = self.session.frames()?;
        let Some(top) = frames.first() else {
            return Ok((text, json!({ "stop": { "reason": reason } })));
        };
        let at_stmt = self.session.at_statement();
        let new_frame = before.as_ref() != Some(&(top.wasm, top.function.clone()));
        let header = !matches!(stop, Stop::Step) || new_frame;
        if header || matches!(stop, Stop::Finish { .. }) {
            let pc = if at_stmt {
                String::new()
            } else {
                format!("0x{:08x} in ", top.addr)
            };
            let _ = writeln!(text, "{pc}{}", self.frame_line(top, true));
        }
        if matches!(stop, Stop::Step) && !at_stmt && !header {
            let _ = write!(text, "0x{:08x}\t", top.addr);
        }
        text.push_str(&self.source_line(top));
        if let Stop::Finish { value: Some(v), .. } = &stop {
            let shown = self.session.show(v, Format::Natural)?;
            self.record(v.clone())?;
            let _ = write!(
                text,
                "\nValue returned is ${} = {shown}",
                self.session.history.len()
            );
            data["value"] = json!(shown);
        }
        for (n, expr, fmt) in self.displays.clone() {
            if let Ok((d, _)) = self.display_one(n, &expr, fmt) {
                let _ = write!(text, "\n{d}");
            }
        }
        data["reason"] = json!(reason);
        data["frame"] = frame_json(top);
        Ok((
            text.trim_start_matches('\n').to_string(),
            json!({ "stop": data }),
        ))
    }

    /// `scale (v=0x11c40, k=3) at vec.c:25`.
    fn frame_line(&self, f: &FrameInfo, args: bool) -> String {
        let mut s = f.function.clone();
        if f.inlined {
            s.push_str(" [inlined]");
        }
        if args {
            let shown = self.args_of(f).unwrap_or_default();
            let _ = write!(s, " ({})", shown.join(", "));
        }
        if let Some(loc) = &f.loc
            && loc.line != 0
        {
            let _ = write!(
                s,
                " at {}:{}",
                basename(loc.file.as_deref().unwrap_or("??")),
                loc.line
            );
        }
        s
    }

    fn args_of(&self, f: &FrameInfo) -> Result<Vec<String>, Error> {
        let state = self.session.wasm_state(f.wasm).ok_or(Error::NotRunning)?;
        let p = Printer {
            dwarf: &self.session.dwarf,
            state: &state,
            format: Format::Natural,
        };
        Ok(self
            .session
            .frame_vars(f)?
            .into_iter()
            .filter(|(v, _)| v.kind == crate::dwarf::VarKind::Param)
            .map(|(v, place)| {
                let shown =
                    match self.session.dwarf.shape(&v.ty) {
                        Ok(
                            crate::dwarf::Shape::Struct { .. } | crate::dwarf::Shape::Array { .. },
                        ) if !self.is_rust_type(&v.ty) => "...".to_string(),
                        _ => p.show(
                            &Value {
                                ty: v.ty.clone(),
                                place,
                            },
                            1,
                        ),
                    };
                let name = if v.name.is_empty() { "_" } else { &v.name };
                format!("{name}={shown}")
            })
            .collect())
    }

    fn is_rust_type(&self, ty: &crate::dwarf::Ty) -> bool {
        matches!(ty, crate::dwarf::Ty::Dwarf((u, _)) if self.session.dwarf.is_rust(*u))
    }

    /// `25\t    struct vec r = ...;` for a frame's line.
    fn source_line(&mut self, f: &FrameInfo) -> String {
        let Some(loc) = f.loc.clone().filter(|l| l.line != 0) else {
            return String::new();
        };
        let file = loc.file.unwrap_or_default();
        self.last_list = Some((file.clone(), loc.line));
        match self
            .source(&file)
            .and_then(|lines| lines.get(loc.line as usize - 1).cloned())
        {
            Some(text) => format!("{}\t{text}", loc.line),
            None => format!("{}\tin {file}", loc.line),
        }
    }

    /// The lines of a source file, found as named or by name in the source directories.
    fn source(&mut self, file: &str) -> Option<Vec<String>> {
        if let Some(cached) = self.sources.get(file) {
            return cached.clone();
        }
        let name = basename(file).to_string();
        let candidates = std::iter::once(PathBuf::from(file))
            .chain(self.source_dirs.iter().map(|d| d.join(&name)));
        let lines = candidates
            .filter_map(|p| crate::input::read_text(&p, crate::input::MAX_SOURCE_BYTES).ok())
            .next()
            .map(|t| t.lines().map(str::to_string).collect::<Vec<_>>());
        self.sources.insert(file.to_string(), lines.clone());
        lines
    }

    fn cmd_backtrace(&mut self, rest: &str) -> Out {
        let frames = self.session.frames()?;
        let limit = if rest.is_empty() {
            usize::MAX
        } else {
            number(rest)? as usize
        };
        let mut text = String::new();
        for f in frames.iter().take(limit) {
            let pc = if f.level == 0 || f.inlined {
                String::new()
            } else {
                format!("0x{:08x} in ", f.addr)
            };
            let _ = writeln!(text, "#{:<2} {pc}{}", f.level, self.frame_line(f, true));
        }
        if frames.len() > limit {
            text.push_str("(More stack frames follow...)\n");
        }
        let data: Vec<Json> = frames.iter().take(limit).map(frame_json).collect();
        Ok((text.trim_end().to_string(), json!({ "frames": data })))
    }

    fn frame_report(&mut self) -> Out {
        let f = self.session.selected_frame()?;
        let pc = if f.level == 0 || f.inlined {
            String::new()
        } else {
            format!("0x{:08x} in ", f.addr)
        };
        let text = format!(
            "#{:<2} {pc}{}\n{}",
            f.level,
            self.frame_line(&f, true),
            self.source_line(&f)
        );
        Ok((
            text.trim_end().to_string(),
            json!({ "frame": frame_json(&f) }),
        ))
    }

    fn cmd_info(&mut self, rest: &str) -> Out {
        let (what, _) = rest.split_once(' ').unwrap_or((rest, ""));
        match what {
            "locals" | "args" => {
                let f = self.session.selected_frame()?;
                let want = if what == "args" {
                    crate::dwarf::VarKind::Param
                } else {
                    crate::dwarf::VarKind::Local
                };
                let vars: Vec<_> = self
                    .session
                    .frame_vars(&f)?
                    .into_iter()
                    .filter(|(v, _)| v.kind == want)
                    .collect();
                self.show_vars(
                    &f,
                    vars,
                    if what == "args" {
                        "No arguments."
                    } else {
                        "No locals."
                    },
                )
            }
            "globals" | "variables" => {
                let f = self.session.selected_frame()?;
                let globals = self.session.dwarf.globals()?;
                let state = self.session.wasm_state(f.wasm).ok_or(Error::NotRunning)?;
                let mut vars = Vec::new();
                for g in globals {
                    let place = self.session.dwarf.place(&g, f.addr, None, &state)?;
                    vars.push((g, place));
                }
                self.show_vars(&f, vars, "No globals.")
            }
            "breakpoints" | "break" | "b" | "watchpoints" => self.info_breakpoints(),
            "frame" => {
                let f = self.session.selected_frame()?;
                let mut text = format!(
                    "Stack level {}, code offset 0x{:08x}:\n {}",
                    f.level,
                    f.addr,
                    self.frame_line(&f, false)
                );
                let frames = self.session.frames()?;
                if let Some(caller) = frames.get(f.level + 1) {
                    let _ = write!(
                        text,
                        "\n called by frame at level {} ({})",
                        caller.level, caller.function
                    );
                }
                if f.level > 0 {
                    let _ = write!(text, "\n caller of frame at level {}", f.level - 1);
                }
                if f.inlined {
                    text.push_str("\n inlined into the frame above");
                }
                Ok((text, json!({ "frame": frame_json(&f) })))
            }
            "limits" => {
                let l = self.session.limits();
                let data: serde_json::Map<String, Json> =
                    runtime_core::limits::PlatformLimits::KEYS
                        .iter()
                        .map(|k| ((*k).to_string(), json!(l.get(k).unwrap_or(0))))
                        .collect();
                Ok((l.report(), json!({ "limits": data })))
            }
            "budget" => self.info_budget(),
            "profile" => self.info_profile(rest.split_once(' ').map(|x| x.1)),
            "display" => self.show_displays(),
            "source" => {
                let f = self.session.selected_frame()?;
                let file = f
                    .loc
                    .and_then(|l| l.file)
                    .unwrap_or_else(|| "(none)".into());
                Ok((
                    format!("Current source file is {file}"),
                    json!({ "file": file }),
                ))
            }
            other => Err(Error::Usage(format!(
                "Undefined info command: \"{other}\". Try locals, args, globals, breakpoints, frame, limits, budget, display."
            ))),
        }
    }

    fn show_vars(
        &mut self,
        f: &FrameInfo,
        vars: Vec<(crate::dwarf::Variable, Place)>,
        none: &str,
    ) -> Out {
        if vars.is_empty() {
            return Ok((none.into(), json!({ "variables": [] })));
        }
        let state = self.session.wasm_state(f.wasm).ok_or(Error::NotRunning)?;
        let p = Printer {
            dwarf: &self.session.dwarf,
            state: &state,
            format: Format::Natural,
        };
        let mut text = String::new();
        let mut data = Vec::new();
        for (v, place) in vars {
            let shown = p.top(&Value {
                ty: v.ty.clone(),
                place,
            });
            let _ = writeln!(text, "{} = {shown}", v.name);
            data.push(json!({ "name": v.name, "type": self.session.dwarf.type_name(&v.ty), "value": shown }));
        }
        Ok((text.trim_end().to_string(), json!({ "variables": data })))
    }

    fn info_breakpoints(&mut self) -> Out {
        let s = &self.session;
        if s.breakpoints.is_empty() && s.watches.is_empty() {
            return Ok((
                "No breakpoints or watchpoints.".into(),
                json!({ "breakpoints": [] }),
            ));
        }
        let mut text = String::from("Num     Type           Disp Enb Address    What\n");
        let mut data = Vec::new();
        for b in &s.breakpoints {
            let what = match &b.addrs[..] {
                [a] => {
                    let f = s
                        .dwarf
                        .function_at(*a)
                        .map(|f| f.name.clone())
                        .unwrap_or_default();
                    let at = self.where_is(*a);
                    format!(
                        "0x{a:08x} in {f}{}",
                        at.trim_end_matches('.')
                            .replacen(": file", " at", 1)
                            .replacen(", line", ":", 1)
                            .replace(": ", ":")
                    )
                }
                many => format!("<{} locations>", many.len()),
            };
            let _ = writeln!(
                text,
                "{:<7} {:<14} {:<4} {:<3} {what}",
                b.number,
                "breakpoint",
                if b.temporary { "del" } else { "keep" },
                if b.enabled { "y" } else { "n" },
            );
            if let Some(c) = &b.condition {
                let _ = writeln!(text, "\tstop only if {c}");
            }
            text.push_str(&hits_line(b.hits));
            if b.ignore > 0 {
                let _ = writeln!(
                    text,
                    "\tWill ignore next {} crossings of breakpoint.",
                    b.ignore
                );
            }
            data.push(json!({ "number": b.number, "type": "breakpoint", "location": b.location, "addrs": b.addrs,
                "enabled": b.enabled, "temporary": b.temporary, "condition": b.condition, "hits": b.hits, "ignore": b.ignore }));
        }
        for w in &s.watches {
            let kind = match w.kind {
                WatchKind::Write => "hw watchpoint",
                WatchKind::Read => "read watchpoint",
                WatchKind::Access => "acc watchpoint",
            };
            let _ = writeln!(
                text,
                "{:<7} {kind:<14} keep y              {}",
                w.number, w.expr
            );
            text.push_str(&hits_line(w.hits));
            data.push(json!({ "number": w.number, "type": kind, "expr": w.expr, "addr": w.addr, "len": w.len, "hits": w.hits }));
        }
        Ok((text.trim_end().to_string(), json!({ "breakpoints": data })))
    }

    fn info_budget(&mut self) -> Out {
        let s = &self.session;
        let l = s.limits();
        let source = runtime_core::debug::TableUse {
            what: "source breakpoints",
            limit: "max_source_breakpoints",
            used: s.breakpoints.len(),
            capacity: l.max_source_breakpoints as usize,
        };
        let mut text = format!(
            "Debug budget ({} at debug level {}):\n",
            l.platform, l.debug_level
        );
        let mut data = Vec::new();
        for row in std::iter::once(source).chain(s.debug.usage()) {
            let _ = writeln!(text, "{}", row.line());
            data.push(json!({ "table": row.what, "limit": row.limit, "used": row.used, "capacity": row.capacity }));
        }
        let _ = writeln!(
            text,
            "  table memory reserved: {} bytes",
            runtime_core::debug::reserved_bytes(l)
        );
        for r in &s.dwarf.refused {
            let _ = writeln!(text, "  DWARF section {} refused: {}", r.section, r.reason);
        }
        if s.is_attached() {
            let _ = writeln!(
                text,
                "  the program's breakpoints and watchpoints are in the remote stub's tables: `monitor budget`"
            );
        }
        Ok((text.trim_end().to_string(), json!({ "budget": data })))
    }

    fn info_profile(&self, n: Option<&str>) -> Out {
        let p = self
            .session
            .profile
            .as_ref()
            .ok_or_else(|| Error::Usage("Profiling is off; `profile on` starts it.".into()))?;
        let n = n.map(number).transpose()?.unwrap_or(10) as usize;
        let rows: Vec<Json> = p
            .top(n)
            .iter()
            .map(|c| json!({ "function": self.function_name(c.func), "instructions": c.instructions, "calls": c.calls }))
            .collect();
        let text = p.report(n, |f| self.function_name(f));
        Ok((text, json!({ "profile": rows, "total": p.total() })))
    }

    /// A function's source name (from DWARF at its entry), else the module's name for it.
    fn function_name(&self, func: u32) -> String {
        self.session
            .addr_of(func, 0)
            .and_then(|a| self.session.dwarf.function_at(a))
            .map_or_else(|| self.session.func_label(func), |f| f.qualified.clone())
    }

    /// Keeps a printed value as `$N`, its bytes copied as gdb's history is.
    fn record(&mut self, v: Value) -> Result<(), Error> {
        let f = self.session.selected_frame()?;
        let state = self.session.wasm_state(f.wasm).ok_or(Error::NotRunning)?;
        let p = Printer {
            dwarf: &self.session.dwarf,
            state: &state,
            format: Format::Natural,
        };
        let size = self.session.dwarf.size_of(&v.ty)?;
        let kept = match &v.place {
            // A value that cannot be read is an error, as in gdb, not a history entry.
            Place::Memory(_) => Place::Bytes(p.bytes(&v.place, size)?),
            other => other.clone(),
        };
        self.session.history.push(Value {
            ty: v.ty,
            place: kept,
        });
        Ok(())
    }

    fn cmd_print(&mut self, fmt: &str, rest: &str) -> Out {
        let format = letters(fmt)?.1;
        let v = self.session.evaluate(rest)?;
        let shown = self.session.show(&v, format)?;
        let ty = self.session.dwarf.type_name(&v.ty);
        self.record(v)?;
        let n = self.session.history.len();
        Ok((
            format!("${n} = {shown}"),
            json!({ "value": shown, "type": ty, "history": n }),
        ))
    }

    fn cmd_examine(&mut self, fmt: &str, rest: &str) -> Out {
        let (count, format, unit) = letters(fmt)?;
        let v = self.session.evaluate(rest)?;
        let f = self.session.selected_frame()?;
        let state = self.session.wasm_state(f.wasm).ok_or(Error::NotRunning)?;
        let p = Printer {
            dwarf: &self.session.dwarf,
            state: &state,
            format: Format::Natural,
        };
        let addr = match (&v.place, self.session.dwarf.shape(&v.ty)?) {
            (Place::Memory(a), crate::dwarf::Shape::Array { .. }) => *a,
            _ => p.integer(&v)?.0,
        };
        let count = count.unwrap_or(1) as u64;
        let mut text = String::new();
        let mut values = Vec::new();
        if format == Format::Str {
            let mut at = addr;
            for _ in 0..count {
                let s = p.c_str(at)?;
                let _ = writeln!(text, "{at:#x}:\t{}", c_string(&s));
                values.push(json!(String::from_utf8_lossy(&s)));
                at += s.len() as u64 + 1;
            }
            return Ok((
                text.trim_end().to_string(),
                json!({ "addr": addr, "values": values }),
            ));
        }
        let size = unit.unwrap_or(if format == Format::Char { 1 } else { 4 });
        let per_line = match size {
            1 => 8,
            2 => 8,
            4 => 4,
            _ => 2,
        };
        let bytes = self
            .session
            .read_memory(addr, (count * size) as usize)?
            .to_vec();
        let fmt = if format == Format::Natural {
            Format::Hex
        } else {
            format
        };
        let p = Printer {
            dwarf: &self.session.dwarf,
            state: &state,
            format: fmt,
        };
        for (i, chunk) in bytes.chunks(size as usize).enumerate() {
            if (i as u64).is_multiple_of(per_line) {
                let _ = write!(
                    text,
                    "{}{:#x}:",
                    if i == 0 { "" } else { "\n" },
                    addr + i as u64 * size
                );
            }
            let ty = crate::dwarf::Ty::Int {
                signed: fmt == Format::Decimal,
                size: size as u8,
            };
            let shown = p.show(
                &Value {
                    ty,
                    place: Place::Bytes(chunk.to_vec()),
                },
                0,
            );
            let _ = write!(text, "\t{shown}");
            values.push(json!(shown));
        }
        Ok((text, json!({ "addr": addr, "values": values })))
    }

    fn display_one(&mut self, n: u32, expr: &str, format: Format) -> Out {
        let v = self.session.evaluate(expr)?;
        let shown = self.session.show(&v, format)?;
        Ok((
            format!("{n}: {expr} = {shown}"),
            json!({ "display": n, "value": shown }),
        ))
    }

    fn show_displays(&mut self) -> Out {
        let mut text = String::new();
        for (n, expr, fmt) in self.displays.clone() {
            match self.display_one(n, &expr, fmt) {
                Ok((t, _)) => {
                    let _ = writeln!(text, "{t}");
                }
                Err(e) => {
                    let _ = writeln!(text, "{n}: {expr} = <error: {e}>");
                }
            }
        }
        Ok((text.trim_end().to_string(), json!({})))
    }

    fn cmd_list(&mut self, rest: &str) -> Out {
        let (file, center) =
            if rest.is_empty() {
                match &self.last_list {
                    Some((f, l)) => (f.clone(), *l),
                    None => {
                        let main = self.session.resolve("main")?;
                        let row =
                            self.session.dwarf.lines.row_at(main[0]).ok_or_else(|| {
                                Error::Usage("No line information for main.".into())
                            })?;
                        (self.session.dwarf.lines.file(row).to_string(), row.line)
                    }
                }
            } else {
                let addrs = self.session.resolve(rest)?;
                let row = addrs
                    .first()
                    .and_then(|a| self.session.dwarf.lines.row_at(*a))
                    .ok_or_else(|| Error::Usage(format!("No line information for \"{rest}\".")))?;
                (self.session.dwarf.lines.file(row).to_string(), row.line)
            };
        let lines = self
            .source(&file)
            .ok_or_else(|| Error::Usage(format!("cannot read source file {file}")))?;
        let first = center.saturating_sub(5).max(1);
        let last = (first + 9).min(lines.len() as u32);
        let mut text = String::new();
        for n in first..=last {
            let _ = writeln!(text, "{n}\t{}", lines[n as usize - 1]);
        }
        self.last_list = Some((file.clone(), last + 6));
        Ok((
            text.trim_end().to_string(),
            json!({ "file": file, "first": first, "last": last }),
        ))
    }

    fn cmd_disassemble(&mut self, rest: &str) -> Out {
        let (range, name, pc) = if rest.is_empty() {
            let f = self.session.selected_frame()?;
            let func =
                self.session.dwarf.function_at(f.addr).ok_or_else(|| {
                    Error::Usage("No function contains the program counter.".into())
                })?;
            ((func.low..func.high), func.name.clone(), Some(f.addr))
        } else {
            let funcs = self.session.dwarf.functions_named(rest);
            let func = funcs
                .first()
                .ok_or_else(|| Error::NoSymbol { name: rest.into() })?;
            let pc = self.session.selected_frame().ok().map(|f| f.addr);
            ((func.low..func.high), func.name.clone(), pc)
        };
        if self.listing.is_none() {
            self.listing = Some(Listing::new(&self.session.bytes, self.session.code_start)?);
        }
        let listing = self.listing.as_ref().ok_or(Error::NotRunning)?;
        let mut text = format!("Dump of assembler code for function {name}:\n");
        let mut lines = Vec::new();
        for (off, line) in listing.range(range) {
            let mark = if Some(*off) == pc { "=> " } else { "   " };
            let _ = writeln!(text, "{mark}0x{off:08x}:\t{}", line.trim());
            lines.push(json!({ "offset": off, "text": line.trim() }));
        }
        text.push_str("End of assembler dump.");
        Ok((text, json!({ "function": name, "lines": lines })))
    }
}

const HELP: &str = "
Running:      run (r), start, continue (c) [N], kill (k), quit (q)
Stepping:     step (s) [N], next (n) [N], finish, stepi (si), nexti (ni), until (u) [LOC], advance LOC
Breakpoints:  break (b) LOC [if COND], tbreak LOC, delete (d) [N], disable N, enable N,
              condition N [COND], ignore N COUNT, info breakpoints
Watchpoints:  watch EXPR, rwatch EXPR, awatch EXPR, watch -l ADDR[,LEN]
Stack:        backtrace (bt) [N], frame (f) [N], up [N], down [N], info frame
Data:         print (p)[/FMT] EXPR, x/NFU ADDR, display[/FMT] EXPR, undisplay N,
              info locals|args|globals|display
Source:       list (l) [LOC], disassemble [FUNCTION], directory DIR, info source
Limits:       info limits, info budget
Profile:      profile on|off|reset, info profile [N]
Remote:       monitor CMD (the stub's: limits, budget, profile [N], trap), detach
LOC is FILE:LINE, LINE, FUNCTION or *OFFSET; FMT is x d u o t c s; U is b h w g.
";

/// `\tbreakpoint already hit 2 times` (nothing before the first hit), as `info breakpoints` says.
fn hits_line(hits: u64) -> String {
    match hits {
        0 => String::new(),
        1 => "\tbreakpoint already hit 1 time\n".into(),
        n => format!("\tbreakpoint already hit {n} times\n"),
    }
}

fn frame_json(f: &FrameInfo) -> Json {
    json!({
        "level": f.level,
        "function": f.function,
        "addr": f.addr,
        "inlined": f.inlined,
        "file": f.loc.as_ref().and_then(|l| l.file.clone()),
        "line": f.loc.as_ref().map(|l| l.line),
        "column": f.loc.as_ref().map(|l| l.column),
    })
}

fn number(s: &str) -> Result<u32, Error> {
    parse_number(s.trim())
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| Error::Usage(format!("`{}` is not a number", s.trim())))
}

/// The count, format and unit of `x/NFU` or `print/F`.
/// The most units one `x` command shows: a bound on what one command reads and prints.
const MAX_EXAMINE: u32 = 1 << 20;

fn letters(fmt: &str) -> Result<(Option<u32>, Format, Option<u64>), Error> {
    let digits: String = fmt.chars().take_while(char::is_ascii_digit).collect();
    let count = match digits.parse::<u32>() {
        _ if digits.is_empty() => None,
        Ok(n) if n <= MAX_EXAMINE => Some(n),
        _ => {
            return Err(Error::Usage(format!(
                "Count {digits} is too large: `x` shows at most {MAX_EXAMINE} units at a time."
            )));
        }
    };
    let mut format = Format::Natural;
    let mut unit = None;
    for c in fmt[digits.len()..].chars() {
        match c {
            'b' => unit = Some(1),
            'h' => unit = Some(2),
            'w' => unit = Some(4),
            'g' => unit = Some(8),
            c => {
                format = Format::from_letter(c)
                    .ok_or_else(|| Error::Usage(format!("Undefined output format \"{c}\".")))?
            }
        }
    }
    Ok((count, format, unit))
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
