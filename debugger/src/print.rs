//! The text front-end: each [`Response`] printed as gdb prints it. It only renders the typed
//! values the session returned, so the text and the JSON of a reply say the same thing.

use std::fmt::Write as _;

use crate::dwarf::VarKind;
use crate::report::{
    Breakpoint, BreakpointKind, Frame, Machine, SourceLine, Stop, StopReason, Variable, WatchKind,
};
use crate::request::{ProfileSwitch, Request, Response};
use crate::source::basename;

/// The text of a response to `req`.
pub fn text(req: &Request, resp: &Response) -> String {
    match resp {
        Response::Done => match req {
            Request::Ignore { number, count } => {
                format!("Will ignore next {count} crossings of breakpoint {number}.")
            }
            Request::Profiling(s) => format!(
                "Profiling {}.",
                match s {
                    ProfileSwitch::On => "on",
                    ProfileSwitch::Off => "off",
                    ProfileSwitch::Reset => "reset",
                }
            ),
            Request::StartProfile(_) => "Profiling on.".to_string(),
            Request::Directory(d) => format!("Source directories searched: {}", d.display()),
            Request::SaveProfile { path, .. } => format!("Profile written to {}.", path.display()),
            _ => String::new(),
        },
        Response::Breakpoint(b) => breakpoint_set(b),
        Response::Bytes(b) => b
            .bytes
            .chunks(16)
            .enumerate()
            .map(|(i, row)| {
                let hex: Vec<String> = row.iter().map(|x| format!("{x:02x}")).collect();
                format!("{:#x}:\t{}", b.addr + 16 * i as u64, hex.join(" "))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Response::CallTree(tree) => crate::profile::format::folded::lines(tree).join("\n"),
        Response::Stop(s) => stop(s),
        Response::Backtrace(bt) => {
            let mut text = String::new();
            for f in &bt.frames {
                let _ = writeln!(
                    text,
                    "#{:<2} {}{}",
                    f.level,
                    caller_pc(f),
                    frame_line(f, true)
                );
            }
            if bt.more {
                text.push_str("(More stack frames follow...)\n");
            }
            text.trim_end().to_string()
        }
        Response::Frame(s) => format!(
            "#{:<2} {}{}\n{}",
            s.frame.level,
            caller_pc(&s.frame),
            frame_line(&s.frame, true),
            source_line(s.source.as_ref())
        )
        .trim_end()
        .to_string(),
        Response::FrameDetail(d) => {
            let f = &d.frame;
            let mut text = format!(
                "Stack level {}, code offset 0x{:08x}:\n {}",
                f.level,
                f.addr,
                frame_line(f, false)
            );
            if let Some(c) = &d.caller {
                let _ = write!(
                    text,
                    "\n called by frame at level {} ({})",
                    c.level, c.function
                );
            }
            if f.level > 0 {
                let _ = write!(text, "\n caller of frame at level {}", f.level - 1);
            }
            if f.inlined {
                text.push_str("\n inlined into the frame above");
            }
            text
        }
        Response::Variables(vars) if vars.is_empty() => match req {
            Request::Variables {
                kind: VarKind::Param,
                ..
            } => "No arguments.",
            Request::Variables {
                kind: VarKind::Global,
                ..
            } => "No globals.",
            _ => "No locals.",
        }
        .into(),
        Response::Variables(vars) => {
            lines(vars.iter().map(|v| format!("{} = {}", v.name, v.value)))
        }
        Response::Breakpoints(all) => breakpoints(all),
        Response::Limits(l) => l.report(),
        Response::Budget(b) => {
            let mut text = format!(
                "Debug budget ({} at debug level {}):\n",
                b.platform, b.debug_level
            );
            for t in &b.tables {
                let _ = writeln!(
                    text,
                    "{}",
                    runtime_core::debug::table_line(&t.table, t.used, t.capacity, &t.limit)
                );
            }
            let _ = writeln!(text, "  table memory reserved: {} bytes", b.reserved_bytes);
            for r in &b.refused_dwarf {
                let _ = writeln!(text, "  DWARF section {} refused: {}", r.section, r.reason);
            }
            for d in &b.damaged_dwarf {
                let _ = writeln!(text, "  {}", damaged(d));
            }
            if !b.memory.is_empty() {
                text.push_str("Memory budget:\n");
            }
            for p in &b.memory {
                let _ = write!(text, "  {:<20} {:>12} bytes", p.part, p.bytes);
                if let (Some(limit), Some(allowed)) = (&p.limit, p.allowed) {
                    let _ = write!(text, "  of {allowed} ({limit})");
                }
                text.push('\n');
            }
            if b.remote {
                text.push_str("  the program's breakpoints and watchpoints are in the remote stub's tables: `monitor budget`\n");
            }
            text.trim_end().to_string()
        }
        Response::Profile(p) => runtime_core::debug::profile::report_table(
            p.total,
            p.entries
                .iter()
                .map(|e| (e.instructions, e.calls, e.function.clone())),
        ),
        Response::Displays(ds) => lines(ds.iter().map(|d| match (&d.value, &d.error) {
            (Some(v), _) => format!("{}: {} = {v}", d.number, d.expr),
            (None, e) => format!(
                "{}: {} = <error: {}>",
                d.number,
                d.expr,
                e.as_deref().unwrap_or_default()
            ),
        })),
        Response::Display(d) => format!(
            "{}: {} = {}",
            d.number,
            d.expr,
            d.value.as_deref().unwrap_or_default()
        ),
        Response::SourceFile(f) => format!(
            "Current source file is {}",
            f.as_deref().unwrap_or("(none)")
        ),
        Response::Printed(p) => format!("${} = {}", p.history, p.value.value),
        Response::Variable(v) => format!("{} = {}", v.name, v.value),
        Response::Memory(m) if m.unit == 0 => lines(
            m.units
                .iter()
                .map(|u| format!("{:#x}:\t{}", u.addr, u.value)),
        ),
        Response::Memory(m) => {
            let per_line = if m.unit >= 8 {
                2
            } else if m.unit == 4 {
                4
            } else {
                8
            };
            let mut text = String::new();
            for (i, u) in m.units.iter().enumerate() {
                if i % per_line == 0 {
                    let sep = if i == 0 { "" } else { "\n" };
                    let _ = write!(text, "{sep}{:#x}:", u.addr);
                }
                let _ = write!(text, "\t{}", u.value);
            }
            text
        }
        Response::SourceLines(s) => lines(
            s.lines
                .iter()
                .zip(s.first..)
                .map(|(l, n)| format!("{n}\t{l}")),
        ),
        Response::Disassembly(d) => {
            let mut text = format!("Dump of assembler code for function {}:\n", d.function);
            for l in &d.lines {
                let mark = if l.current { "=> " } else { "   " };
                let _ = writeln!(text, "{mark}0x{:08x}:\t{}", l.offset, l.text);
            }
            text.push_str("End of assembler dump.");
            text
        }
        Response::Monitor(m) => m.trim_end().to_string(),
        Response::Type(t) => format!("type = {t}"),
        Response::Names(n) => n.words().join("\n"),
        Response::Machine(m) => machine(m),
        Response::Link(l) => match l.round_trip_us {
            Some(us) => format!("Remote link: round trip {:.2} ms.", us as f64 / 1000.0),
            None if l.remote => "Remote link: not connected.".into(),
            None => "The program runs in this process: no link.".into(),
        },
        Response::Children(c) => lines(c.items.iter().map(|v| format!("{} = {}", v.name, v.value))),
    }
}

/// `info wasm`: the operand stack, top last, then the globals.
fn machine(m: &Machine) -> String {
    let mut text = format!("Operand stack of {} ({}):", m.function, m.operands.len());
    for (i, v) in m.operands.iter().enumerate() {
        let _ = write!(text, "\n  [{i}] {v:#x}");
    }
    text.push_str("\nGlobals:");
    for g in &m.globals {
        let name = g.name.as_deref().unwrap_or("");
        let _ = write!(text, "\n  {} {name} ({}) = {}", g.index, g.ty, g.value);
    }
    text
}

/// Lines joined, without a trailing newline.
fn lines(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join("\n")
}

/// `Breakpoint 1 at 0x2a: file vec.c, line 25.` or `Hardware watchpoint 2: v.x`.
fn breakpoint_set(b: &Breakpoint) -> String {
    match &b.kind {
        BreakpointKind::Breakpoint { locations, .. } => {
            let kind = if b.temporary {
                "Temporary breakpoint"
            } else {
                "Breakpoint"
            };
            match &locations[..] {
                [l] => {
                    let at = match (&l.file, l.line) {
                        (Some(f), Some(line)) => format!(": file {}, line {line}.", basename(f)),
                        _ => String::new(),
                    };
                    format!("{kind} {} at {:#x}{at}", b.number, l.addr)
                }
                many => format!("{kind} {} at {} locations", b.number, many.len()),
            }
        }
        BreakpointKind::Watchpoint { access, expr, .. } => {
            format!("{} {}: {expr}", watch_label(*access), b.number)
        }
    }
}

fn watch_label(kind: WatchKind) -> &'static str {
    match kind {
        WatchKind::Write => "Hardware watchpoint",
        WatchKind::Read => "Hardware read watchpoint",
        WatchKind::Access => "Hardware access (read/write) watchpoint",
    }
}

/// `info breakpoints`.
fn breakpoints(all: &[Breakpoint]) -> String {
    if all.is_empty() {
        return "No breakpoints or watchpoints.".into();
    }
    let mut text = String::from("Num     Type           Disp Enb Address    What\n");
    for b in all {
        match &b.kind {
            BreakpointKind::Breakpoint { locations, .. } => {
                let what = match &locations[..] {
                    [l] => {
                        let at = match (&l.file, l.line) {
                            (Some(f), Some(line)) => format!(" at {}:{line}", basename(f)),
                            _ => String::new(),
                        };
                        let f = l.function.as_deref().unwrap_or_default();
                        format!("0x{:08x} in {f}{at}", l.addr)
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
            }
            BreakpointKind::Watchpoint { access, expr, .. } => {
                let kind = match access {
                    WatchKind::Write => "hw watchpoint",
                    WatchKind::Read => "read watchpoint",
                    WatchKind::Access => "acc watchpoint",
                };
                let _ = writeln!(
                    text,
                    "{:<7} {kind:<14} keep y              {expr}",
                    b.number
                );
                text.push_str(&hits_line(b.hits));
            }
        }
    }
    text.trim_end().to_string()
}

/// `\tbreakpoint already hit 2 times` (nothing before the first hit), as `info breakpoints` says.
fn hits_line(hits: u64) -> String {
    match hits {
        0 => String::new(),
        1 => "\tbreakpoint already hit 1 time\n".into(),
        n => format!("\tbreakpoint already hit {n} times\n"),
    }
}

/// A stop as gdb reports it: why, where, the line, a finished function's value and the displays.
fn stop(s: &Stop) -> String {
    let mut text = String::new();
    match &s.reason {
        StopReason::Finish { from, .. } => {
            let _ = writeln!(
                text,
                "Run till exit from #{:<2} {}",
                from.level,
                frame_line(from, true)
            );
        }
        StopReason::Exited { code } => {
            return format!(
                "[Inferior 1 (process 1) exited {}]",
                if *code == 0 {
                    "normally".to_string()
                } else {
                    format!("with code {code:02o}")
                }
            );
        }
        StopReason::Killed => return "[Inferior 1 (process 1) killed]".into(),
        StopReason::Detached => return "[Inferior 1 (process 1) detached]".into(),
        StopReason::Breakpoint {
            number,
            temporary,
            condition_error,
        } => {
            if let Some(e) = condition_error {
                let _ = write!(
                    text,
                    "\nError in testing condition for breakpoint {number}:\n{e}\n"
                );
            }
            let kind = if *temporary {
                "Temporary breakpoint"
            } else {
                "Breakpoint"
            };
            let _ = write!(text, "\n{kind} {number}, ");
        }
        StopReason::Watchpoint {
            number,
            kind,
            expr,
            old,
            new,
        } => {
            let _ = write!(text, "\n{} {number}: {expr}\n\n", watch_label(*kind));
            let _ = match old {
                Some(o) => write!(text, "Old value = {o}\nNew value = {new}\n"),
                None => writeln!(text, "Value = {new}"),
            };
        }
        StopReason::Trap { message, .. } => {
            let _ = write!(text, "\nProgram stopped by a trap: {message}.\n");
        }
        StopReason::Interrupt => text.push_str("\nProgram received signal SIGINT, Interrupt.\n"),
        StopReason::WatchpointScope { number } => {
            let _ = write!(
                text,
                "\nWatchpoint {number} deleted because the program has left the block in\n\
                 which its expression is valid.\n"
            );
        }
        StopReason::Step | StopReason::Until => {}
    }
    let Some(top) = &s.frame else {
        return text;
    };
    let stepped = matches!(s.reason, StopReason::Step | StopReason::Until);
    let header = !stepped || s.new_function;
    if header {
        let pc = if s.at_statement {
            String::new()
        } else {
            format!("0x{:08x} in ", top.addr)
        };
        let _ = writeln!(text, "{pc}{}", frame_line(top, true));
    }
    if stepped && !s.at_statement && !header {
        let _ = write!(text, "0x{:08x}\t", top.addr);
    }
    text.push_str(&source_line(s.source.as_ref()));
    if let StopReason::Finish { value: Some(v), .. } = &s.reason {
        let _ = write!(
            text,
            "\nValue returned is ${} = {}",
            v.history, v.value.value
        );
    }
    for d in &s.displays {
        if let Some(v) = &d.value {
            let _ = write!(text, "\n{}: {} = {v}", d.number, d.expr);
        }
    }
    text.trim_start_matches('\n').to_string()
}

/// `0x0000002a in ` before the frame line of a caller that returns there (not for frames
/// execution stands in, nor inlined ones).
fn caller_pc(f: &Frame) -> String {
    if f.exact || f.inlined {
        String::new()
    } else {
        format!("0x{:08x} in ", f.addr)
    }
}

/// `scale (v=0x11c40, k=3) at vec.c:25`.
pub fn frame_line(f: &Frame, args: bool) -> String {
    let mut s = f.function.clone();
    if f.inlined {
        s.push_str(" [inlined]");
    }
    if args {
        let shown: Vec<String> = f.args.iter().map(arg).collect();
        let _ = write!(s, " ({})", shown.join(", "));
    }
    if let Some(line) = f.line.filter(|&l| l != 0) {
        let _ = write!(
            s,
            " at {}:{line}",
            basename(f.file.as_deref().unwrap_or("??"))
        );
    }
    s
}

fn arg(v: &Variable) -> String {
    format!("{}={}", v.name, v.value)
}

/// `25\t    struct vec r = ...;`, or `25\tin vec.c` when the file cannot be read.
fn source_line(l: Option<&SourceLine>) -> String {
    match l {
        None => String::new(),
        Some(SourceLine {
            line,
            text: Some(t),
            ..
        }) => format!("{line}\t{t}"),
        Some(SourceLine { line, file, .. }) => format!("{line}\tin {file}"),
    }
}

/// `malformed DWARF in .debug_line at offset 0x0: ...; skipped`, for `info budget` and the
/// warning a session opens with.
pub fn damaged(d: &crate::report::DamagedDwarf) -> String {
    format!(
        "malformed DWARF in {} at offset {:#x}: {}; skipped, the rest is used",
        d.section, d.offset, d.error
    )
}

/// `text` with every control character but newline and tab written as an escape (`\x1b`,
/// `\u{9b}`), for a terminal: names from a module, a target or a script cannot move the cursor,
/// clear the screen or retitle the window.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x80 && c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod terminal_tests {
    use super::terminal_safe;

    #[test]
    fn control_characters_are_escaped_and_lines_kept() {
        assert_eq!(terminal_safe("a\tb\nc"), "a\tb\nc");
        assert_eq!(
            terminal_safe("x\u{1b}]0;owned\u{7}y"),
            "x\\x1b]0;owned\\x07y"
        );
        assert_eq!(terminal_safe("\u{9b}2J\r"), "\\u{9b}2J\\x0d");
    }
}
