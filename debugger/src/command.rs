//! The command language, gdb's where it can be: a line is parsed into a [`Request`], answered by
//! whatever serves requests (a [`Session`], or an [`crate::engine::Engine`] on another thread),
//! and the typed [`Response`] is printed as text ([`crate::print`]) and as JSON (its serde form).

use crate::location::Location;
use crate::report::WatchKind;
use serde_json::{Value as Json, json};

use crate::argument::{integer, number};
use crate::breakpoint::parse_number;
use crate::dwarf::VarKind;
use crate::error::Error;
use crate::request::{ProfileSwitch, Request, Response, WatchTarget};
use crate::session::Session;
use crate::step::Resume;
use crate::value::Format;

/// The result of one command.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The command line.
    pub command: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// What a user reads.
    pub text: String,
    /// What a tool reads: the typed response (`{"stop": {...}}`), or the error.
    pub data: Json,
}

impl Reply {
    /// The reply as one JSON object: `command`, `ok`, `output` and the response's own field.
    pub fn json(&self) -> Json {
        let mut obj = json!({ "command": self.command, "ok": self.ok, "output": self.text });
        if let (Some(o), Json::Object(d)) = (obj.as_object_mut(), &self.data) {
            o.extend(d.clone());
        }
        obj
    }
}

/// What answers requests: a session in this thread, or an engine's worker.
pub trait Serve {
    /// Answers one request.
    fn call(&mut self, req: Request) -> Result<Response, Error>;
}

impl Serve for Session {
    fn call(&mut self, req: Request) -> Result<Response, Error> {
        self.handle(req)
    }
}

/// What a command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// A request of the session.
    Request(Request),
    /// The command list.
    Help,
    /// End the session (the program is killed).
    Quit,
    /// An empty line.
    Nothing,
}

/// A debugger driven by command lines.
pub struct Debugger<S: Serve = Session> {
    /// What answers the requests.
    pub session: S,
    /// Set by `quit`.
    pub quit: bool,
}

impl<S: Serve> Debugger<S> {
    /// A debugger on `session`.
    pub fn new(session: S) -> Debugger<S> {
        Debugger {
            session,
            quit: false,
        }
    }

    /// Runs one command line.
    pub fn execute(&mut self, line: &str) -> Reply {
        let line = line.trim();
        let result = parse(line).and_then(|cmd| match cmd {
            Command::Request(req) => {
                let resp = self.session.call(req.clone())?;
                let data = match serde_json::to_value(&resp) {
                    Ok(Json::Object(o)) => Json::Object(o),
                    _ => json!({}),
                };
                Ok((crate::print::text(&req, &resp), data))
            }
            Command::Help => Ok((HELP.trim().to_string(), json!({}))),
            Command::Quit => {
                match self.session.call(Request::Kill) {
                    Ok(_) | Err(Error::NotRunning) => {}
                    Err(e) => return Err(e),
                }
                self.quit = true;
                Ok((String::new(), json!({})))
            }
            Command::Nothing => Ok((String::new(), json!({}))),
        });
        let (ok, text, data) = match result {
            Ok((text, data)) => (true, text, data),
            Err(e) => (
                false,
                e.to_string(),
                json!({ "error": e.to_string(), "error_kind": e.kind() }),
            ),
        };
        Reply {
            command: line.to_string(),
            ok,
            text,
            data,
        }
    }
}

/// Parses one command line.
pub fn parse(line: &str) -> Result<Command, Error> {
    let line = line.trim();
    let (cmd, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let (cmd, fmt) = cmd.split_once('/').unwrap_or((cmd, ""));
    let rest = rest.trim();
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let location = |s: &str| opt(s).map(|l| Location::parse(&l)).transpose();
    let count = |s: &str| if s.is_empty() { Ok(1) } else { number(s) };
    let level = |s: String| integer(&s, 0, usize::MAX as i128).map(|n| n as usize);
    let req = match cmd {
        "break" | "b" | "tbreak" => {
            let (loc, cond) = match rest.split_once(" if ") {
                Some((l, c)) => (l.trim(), Some(c.trim().to_string())),
                None => (rest, None),
            };
            Request::Break {
                location: location(loc)?,
                condition: cond,
                temporary: cmd == "tbreak",
                frame: None,
            }
        }
        "delete" | "d" => Request::Delete(opt(rest).map(|n| number(&n)).transpose()?),
        "disable" | "enable" => Request::Enable {
            number: number(rest)?,
            enabled: cmd == "enable",
        },
        "condition" => {
            let (n, cond) = rest.split_once(' ').unwrap_or((rest, ""));
            Request::Condition {
                number: number(n)?,
                condition: opt(cond.trim()),
            }
        }
        "ignore" => {
            let (n, c) = rest.split_once(' ').ok_or_else(|| {
                Error::Usage("Argument required (a breakpoint number and a count).".into())
            })?;
            Request::Ignore {
                number: number(n)?,
                count: integer(c, 0, u64::MAX.into())? as u64,
            }
        }
        "watch" | "rwatch" | "awatch" => Request::Watch {
            target: watch_target(rest)?,
            kind: match cmd {
                "watch" => WatchKind::Write,
                "rwatch" => WatchKind::Read,
                _ => WatchKind::Access,
            },
        },
        "run" | "r" => Request::Run,
        "start" => Request::Start,
        "continue" | "c" => Request::Continue {
            ignore: opt(rest)
                .map(|n| integer(&n, 0, u64::MAX.into()).map(|n| n as u64))
                .transpose()?,
        },
        "step" | "s" | "next" | "n" | "stepi" | "si" | "nexti" | "ni" => Request::Resume {
            how: match cmd {
                "step" | "s" => Resume::Step,
                "next" | "n" => Resume::Next,
                "stepi" | "si" => Resume::StepInstr,
                _ => Resume::NextInstr,
            },
            count: count(rest)?.max(1),
        },
        "finish" | "fin" if rest.is_empty() => resume(Resume::Finish),
        "finish" | "fin" => {
            return Err(Error::Usage(
                "The \"finish\" command does not take any arguments.".into(),
            ));
        }
        "advance" if rest.is_empty() => {
            return Err(Error::Usage("Argument required (a location).".into()));
        }
        "until" | "u" | "advance" => Request::Until(location(rest)?),
        "backtrace" | "bt" | "where" => Request::Backtrace {
            limit: opt(rest).map(level).transpose()?,
        },
        "frame" | "f" => Request::Frame(opt(rest).map(level).transpose()?),
        "up" | "down" => {
            // `up -1` is `down 1`, as in gdb.
            let n = match rest {
                "" => 1,
                n => integer(n, -i128::from(i64::MAX), i64::MAX.into())? as i64,
            };
            Request::Up(if cmd == "up" { n } else { -n })
        }
        "info" | "i" => info(rest)?,
        "set" => assignment(rest)?,
        "whatis" | "ptype" => Request::Type {
            expr: rest.to_string(),
            expand: cmd == "ptype",
            frame: None,
        },
        "print" | "p" | "output" | "call" => Request::Print {
            expr: rest.to_string(),
            format: value_format(cmd, fmt)?,
            frame: None,
        },
        "x" => {
            let (count, format, unit) = letters(fmt)?;
            Request::Examine {
                expr: rest.to_string(),
                frame: None,
                count: count.unwrap_or(1),
                format,
                unit,
            }
        }
        "display" if rest.is_empty() => Request::Displays,
        "display" => Request::Display {
            expr: rest.to_string(),
            format: value_format(cmd, fmt)?,
        },
        "undisplay" => Request::Undisplay(number(rest)?),
        "list" | "l" => Request::List(location(rest)?),
        "disassemble" => Request::Disassemble {
            function: opt(rest),
            frame: None,
        },
        "profile" => match rest.split_once(' ') {
            Some(("save", args)) => save_profile(args)?,
            _ => Request::Profiling(match rest {
                "on" => ProfileSwitch::On,
                "off" => ProfileSwitch::Off,
                "reset" => ProfileSwitch::Reset,
                _ => return Err(Error::Usage(PROFILE_USAGE.into())),
            }),
        },
        "directory" | "dir" => Request::Directory(rest.into()),
        "kill" | "k" => Request::Kill,
        "detach" => Request::Detach,
        "monitor" => Request::Monitor(rest.to_string()),
        "quit" | "q" => return Ok(Command::Quit),
        "help" | "h" => return Ok(Command::Help),
        "" => return Ok(Command::Nothing),
        other => {
            return Err(Error::Usage(format!(
                "Undefined command: \"{other}\".  Try \"help\"."
            )));
        }
    };
    Ok(Command::Request(req))
}

fn resume(how: Resume) -> Request {
    Request::Resume { how, count: 1 }
}

/// `watch EXPR`, `watch -l EXPR` or `watch -l ADDR[,LEN]`.
fn watch_target(rest: &str) -> Result<WatchTarget, Error> {
    let Some(loc) = rest
        .strip_prefix("-l ")
        .or_else(|| rest.strip_prefix("-location "))
    else {
        return Ok(WatchTarget::Expr(rest.to_string()));
    };
    let (a, n) = loc.trim().split_once(',').unwrap_or((loc.trim(), "4"));
    Ok(match parse_number(a) {
        Some(addr) => WatchTarget::Address {
            addr,
            len: number(n)?,
        },
        None => WatchTarget::Location(a.to_string()),
    })
}

/// `info WHAT`.
/// What `profile` takes.
const PROFILE_USAGE: &str = "Usage: profile on|off|reset, or profile save FILE [text|folded|svg|speedscope|callgrind|firefox] [line]";

/// `profile save FILE [FORMAT] [line]`: the format by name, `text` unless given.
fn save_profile(args: &str) -> Result<Request, Error> {
    let mut words = args.split_whitespace();
    let path = words
        .next()
        .ok_or_else(|| Error::Usage(PROFILE_USAGE.into()))?;
    let (mut format, mut by) = (
        crate::profile::format::Format::Text,
        crate::profile::By::Function,
    );
    for w in words {
        match (w, crate::profile::format::Format::named(w)) {
            ("line", _) => by = crate::profile::By::Line,
            (_, Some(f)) => format = f,
            _ => {
                return Err(Error::Usage(format!(
                    "`{w}` is no profile format. {PROFILE_USAGE}"
                )));
            }
        }
    }
    Ok(Request::SaveProfile {
        path: path.into(),
        format,
        by,
    })
}

fn info(rest: &str) -> Result<Request, Error> {
    let (what, arg) = rest.split_once(' ').unwrap_or((rest, ""));
    Ok(match what {
        "locals" => variables(VarKind::Local),
        "args" => variables(VarKind::Param),
        "globals" | "variables" => variables(VarKind::Global),
        "breakpoints" | "break" | "b" | "watchpoints" => Request::Breakpoints,
        "frame" => Request::FrameDetail { frame: None },
        "limits" => Request::Limits,
        "budget" => Request::Budget,
        "profile" => Request::Profile(if arg.is_empty() {
            10
        } else {
            integer(arg, 0, usize::MAX as i128)? as usize
        }),
        "display" => Request::Displays,
        "source" => Request::SourceFile { frame: None },
        "wasm" => Request::Machine { frame: None },
        "link" => Request::Link,
        other => {
            return Err(Error::Usage(format!(
                "Undefined info command: \"{other}\". Try locals, args, globals, breakpoints, frame, limits, budget, display, wasm, link."
            )));
        }
    })
}

/// `info locals`, `info args`, `info globals`: shown naturally, as gdb shows them.
fn variables(kind: VarKind) -> Request {
    Request::Variables {
        kind,
        format: Format::Natural,
        frame: None,
    }
}

/// Every command's name, for completion.
pub const NAMES: &[&str] = &[
    "advance",
    "awatch",
    "backtrace",
    "break",
    "condition",
    "continue",
    "delete",
    "detach",
    "directory",
    "disable",
    "disassemble",
    "display",
    "down",
    "enable",
    "finish",
    "frame",
    "help",
    "ignore",
    "info",
    "kill",
    "list",
    "monitor",
    "next",
    "nexti",
    "print",
    "profile",
    "ptype",
    "quit",
    "run",
    "rwatch",
    "set",
    "start",
    "step",
    "stepi",
    "tbreak",
    "undisplay",
    "until",
    "up",
    "watch",
    "whatis",
    "x",
];

/// `info` subcommands, for completion.
pub const INFO: &[&str] = &[
    "args",
    "breakpoints",
    "budget",
    "display",
    "frame",
    "globals",
    "limits",
    "link",
    "locals",
    "profile",
    "source",
    "wasm",
];

/// Whether an empty line repeats `line`, as gdb repeats `next`, `step`, `continue`, `x` and `list`.
pub fn repeats(line: &str) -> bool {
    let cmd = line.split_whitespace().next().unwrap_or("");
    let cmd = cmd.split('/').next().unwrap_or(cmd);
    matches!(
        cmd,
        "next"
            | "n"
            | "step"
            | "s"
            | "stepi"
            | "si"
            | "nexti"
            | "ni"
            | "continue"
            | "c"
            | "x"
            | "list"
            | "l"
    )
}

/// Completions of the word before `pos` in `line`: command names first, then `info`
/// subcommands, then any of `names` (functions, files, variables). Returns where the word starts.
pub fn complete(line: &str, pos: usize, names: &[String]) -> (usize, Vec<String>) {
    let before = &line[..pos.min(line.len())];
    let start = before.rfind([' ', '*', '&', '(']).map_or(0, |i| i + 1);
    let word = &before[start..];
    let first = before[..start].split_whitespace().next();
    let pool: Vec<&str> = match first {
        None => NAMES.to_vec(),
        Some("info" | "i") => INFO.to_vec(),
        Some(_) => names.iter().map(String::as_str).collect(),
    };
    let found = pool
        .into_iter()
        .filter(|c| c.starts_with(word))
        .map(str::to_string)
        .collect();
    (start, found)
}

/// The command list `help` prints.
pub const HELP: &str = "
Running:      run (r), start, continue (c) [N], kill (k), quit (q)
Stepping:     step (s) [N], next (n) [N], finish, stepi (si), nexti (ni), until (u) [LOC], advance LOC
Breakpoints:  break (b) LOC [if COND], tbreak LOC, delete (d) [N], disable N, enable N,
              condition N [COND], ignore N COUNT, info breakpoints
Watchpoints:  watch EXPR, rwatch EXPR, awatch EXPR, watch -l ADDR[,LEN]
Stack:        backtrace (bt) [N], frame (f) [N], up [N], down [N], info frame
Data:         print (p)[/FMT] EXPR, whatis EXPR, ptype EXPR, set var VAR = EXPR, x/NFU ADDR,
              display[/FMT] EXPR, undisplay N, info locals|args|globals|display,
              info wasm (operand stack, Wasm globals)
Source:       list (l) [LOC], disassemble [FUNCTION], directory DIR, info source
Limits:       info limits, info budget
Profile:      profile on|off|reset, info profile [N],
              profile save FILE [text|folded|svg|speedscope|callgrind|firefox] [line]
Remote:       monitor CMD (the stub's: limits, budget, profile [N], operands [N], trap), detach,
              info link (round trip)
LOC is FILE:LINE[:COLUMN], LINE, FUNCTION or *OFFSET; FMT is x d u o t c s; U is b h w g.
";

/// The most units one `x` command shows: a bound on what one command reads and prints.
const MAX_EXAMINE: u32 = 1 << 20;

/// The format of `print/F` or `display/F`: a count or a unit letter means nothing there, as gdb
/// says.
fn value_format(cmd: &str, fmt: &str) -> Result<Format, Error> {
    let (count, format, unit) = letters(fmt)?;
    let cmd = if cmd.starts_with('d') {
        "display"
    } else {
        "print"
    };
    if count.is_some_and(|n| n != 1) {
        return Err(Error::Usage(format!(
            "Item count other than 1 is meaningless in \"{cmd}\" command."
        )));
    }
    if unit.is_some() {
        return Err(Error::Usage(format!(
            "Size letters are meaningless in \"{cmd}\" command."
        )));
    }
    Ok(format)
}

/// The count, format and unit of `x/NFU` or `print/F`.
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

/// `set var LVALUE = EXPR` (also `set variable`): the assignment split at its first `=` that is
/// no part of `==`, `!=`, `<=` or `>=`.
fn assignment(rest: &str) -> Result<Request, Error> {
    let usage = || Error::Usage("Usage: set var VARIABLE = EXPRESSION".into());
    let (word, text) = rest.split_once(char::is_whitespace).ok_or_else(usage)?;
    if !matches!(word, "var" | "variable") {
        return Err(Error::Usage(format!(
            "`set {word}`: only `set var VARIABLE = EXPRESSION` is known"
        )));
    }
    let b = text.as_bytes();
    let at = (0..b.len())
        .find(|&i| {
            b[i] == b'='
                && b.get(i + 1) != Some(&b'=')
                && !matches!(
                    i.checked_sub(1).map(|j| b[j]),
                    Some(b'=' | b'!' | b'<' | b'>')
                )
        })
        .ok_or_else(usage)?;
    let (var, value) = (text[..at].trim(), text[at + 1..].trim());
    if var.is_empty() || value.is_empty() {
        return Err(usage());
    }
    Ok(Request::SetVariable {
        var: var.to_string(),
        value: value.to_string(),
        frame: None,
    })
}

#[cfg(test)]
mod tests {
    use super::{Command, Request, complete, parse, repeats};

    #[test]
    fn set_var_splits_at_the_assignment_not_at_a_comparison() {
        let set = |line: &str| match parse(line) {
            Ok(Command::Request(Request::SetVariable { var, value, .. })) => Ok((var, value)),
            Ok(other) => panic!("{line}: {other:?}"),
            Err(e) => Err(e.to_string()),
        };
        assert_eq!(
            set("set var v->x = 40 + 2"),
            Ok(("v->x".into(), "40 + 2".into()))
        );
        assert_eq!(
            set("set variable a[1]=b == c"),
            Ok(("a[1]".into(), "b == c".into()))
        );
        assert_eq!(
            set("set var x <= 1"),
            Err("Usage: set var VARIABLE = EXPRESSION".into())
        );
        assert!(set("set width 80").unwrap_err().contains("`set width`"));
    }

    #[test]
    fn completion_takes_commands_then_info_words_then_names() {
        let names = vec!["main".to_string(), "scale".to_string(), "vec.c".to_string()];
        assert_eq!(complete("br", 2, &names), (0, vec!["break".to_string()]));
        assert_eq!(
            complete("info lo", 7, &names),
            (5, vec!["locals".to_string()])
        );
        assert_eq!(
            complete("break sc", 8, &names),
            (6, vec!["scale".to_string()])
        );
        assert_eq!(
            complete("print *ma", 9, &names),
            (7, vec!["main".to_string()])
        );
        assert_eq!(complete("break v", 7, &names).1, ["vec.c"]);
    }

    #[test]
    fn an_empty_line_repeats_what_gdb_repeats() {
        for line in ["next", "n 3", "step", "continue", "x/4xw &v", "list", "si"] {
            assert!(repeats(line), "{line}");
        }
        for line in ["run", "break main", "print x", "finish", "quit", ""] {
            assert!(!repeats(line), "{line}");
        }
    }
}
