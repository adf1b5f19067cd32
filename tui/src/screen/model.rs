//! What the screen knows of the session: the engine's typed results as they arrive, kept until
//! the next stop. Requests are sent without waiting; each reply is matched to what asked for it,
//! so the screen never blocks on the engine.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Instant;

use debugger::children::VarRef;
use debugger::dwarf::VarKind;
use debugger::engine::{Engine, Event, Stream};
use debugger::report::{
    Breakpoint, BreakpointKind, Budget, Disassembly, Frame, Link, Machine, MemoryBlock, Names,
    Profile, Stop, StopReason, Variable,
};
use debugger::request::{Request, Response};
use debugger::value::Format;
use runtime_core::limits::PlatformLimits;

/// Children fetched of each expanded value.
const CHILDREN_SHOWN: u64 = 200;

/// Lines of program output and of the command log kept for scrolling back.
pub const SCROLLBACK: usize = 5000;

/// Why a request was sent: what to do with its reply.
#[derive(Debug, Clone)]
pub(super) enum Pending {
    /// A command typed (or bound to a key): its reply is printed in the log.
    Command(Request),
    /// The stack.
    Frames,
    /// The selected frame's variables of a kind.
    Variables(VarKind),
    /// Breakpoints and watchpoints.
    Breakpoints,
    /// The debug budget.
    Budget,
    /// A source file's lines.
    Source(String),
    /// A value's children.
    Children(VarRef),
    /// Watch expression `i`.
    Watch(usize),
    /// The memory pane's block.
    Memory,
    /// The current function's code.
    Disassembly,
    /// The profile.
    Profile,
    /// The limits in force.
    Limits,
    /// Function and file names, for completion.
    Names,
    /// The operand stack and Wasm globals.
    Machine,
    /// The link's round trip.
    Link,
    /// A breakpoint set again after a reconnection, to be disabled when it was.
    Restored {
        /// Whether it was enabled.
        enabled: bool,
    },
}

/// A variable line in the tree, with whether its value changed since the last stop.
#[derive(Debug, Clone, PartialEq)]
pub struct VarLine {
    /// Its identity across stops: the function and the names down to it.
    pub key: String,
    /// Nesting depth, 0 for a frame's variable.
    pub depth: usize,
    /// The variable.
    pub var: Variable,
    /// Whether it is expanded.
    pub expanded: bool,
    /// Whether its value differs from the last stop's.
    pub changed: bool,
}

/// The session as the screen shows it.
pub struct Model {
    pub(super) engine: Engine,
    pub(super) pending: HashMap<u64, Pending>,
    /// The last stop, until the program runs again.
    pub stop: Option<Stop>,
    /// When the program was set running, while it runs.
    pub running: Option<Instant>,
    /// The stack, innermost first.
    pub frames: Vec<Frame>,
    /// The selected frame's level.
    pub selected: usize,
    /// Arguments and locals of the selected frame.
    pub vars: Vec<Variable>,
    /// Children fetched, by the reference of their parent.
    pub children: HashMap<VarRef, Vec<Variable>>,
    /// The values the tree expands, kept across steps.
    pub expanded: HashSet<VarRef>,
    /// Values shown at the previous stop, by name path, to mark changes.
    previous: HashMap<String, String>,
    /// Values shown at this stop.
    current: HashMap<String, String>,
    /// Breakpoints and watchpoints.
    pub breakpoints: Vec<Breakpoint>,
    /// The debug budget.
    pub budget: Option<Budget>,
    /// The file shown in the source pane and its lines.
    pub source: Option<(String, Vec<String>)>,
    /// The program's output, line by line, with its stream.
    pub output: VecDeque<(Stream, String)>,
    /// Commands and what they printed.
    pub log: VecDeque<String>,
    /// A message for the status bar (a refusal, a table full).
    pub message: Option<String>,
    /// The last refusal by a full breakpoint or watch table, with its limit, platform and level.
    pub table_full: Option<String>,
    /// Watch expressions and their values at this stop (or why they have none).
    pub watches: Vec<(String, Result<String, String>)>,
    /// Where watch expressions are kept between sessions.
    pub watch_file: Option<std::path::PathBuf>,
    /// The memory pane's expression and what it shows.
    pub memory: Option<(String, Result<MemoryBlock, String>)>,
    /// What the memory pane showed at the previous stop, to mark the bytes written since.
    pub memory_before: Option<MemoryBlock>,
    /// The selected frame's operand stack and the Wasm globals, or why there are none.
    pub machine: Option<Result<Machine, String>>,
    /// Whether `machine` is from before the last stop or frame change: asked for again only when
    /// the memory pane shows it (a remote target answers it with a request per global).
    machine_stale: bool,
    /// The current function's code.
    pub disassembly: Option<Disassembly>,
    /// The profile, or why there is none.
    pub profile: Option<Result<Profile, String>>,
    /// The limits in force.
    pub limits: Option<PlatformLimits>,
    /// Functions and files, for the picker and completion.
    pub names: Names,
    /// The format the variables pane shows its values in.
    pub format: Format,
    /// The link to a remote target, as last timed.
    pub link: Option<Link>,
    /// When the link was last timed.
    pub(super) pinged: Option<Instant>,
    /// Why the link to a remote target was lost, until `reconnect` makes a new one.
    pub link_lost: Option<String>,
    /// Makes a new engine on the same remote target after the link dropped.
    pub reconnect: Option<Reconnect>,
    /// Whether the session has ended (`quit`).
    pub quit: bool,
}

/// Makes a new engine on the same remote target, after its link dropped.
pub type Reconnect = Box<dyn Fn() -> Result<Engine, String>>;

impl Model {
    /// A model over `engine`.
    pub fn new(engine: Engine) -> Model {
        let mut m = Model {
            engine,
            pending: HashMap::new(),
            stop: None,
            running: None,
            frames: Vec::new(),
            selected: 0,
            vars: Vec::new(),
            children: HashMap::new(),
            expanded: HashSet::new(),
            previous: HashMap::new(),
            current: HashMap::new(),
            breakpoints: Vec::new(),
            budget: None,
            source: None,
            output: VecDeque::new(),
            log: VecDeque::new(),
            message: None,
            table_full: None,
            watches: Vec::new(),
            watch_file: None,
            memory: None,
            memory_before: None,
            machine: None,
            machine_stale: true,
            disassembly: None,
            profile: None,
            limits: None,
            names: Names::default(),
            format: Format::Natural,
            link: None,
            pinged: None,
            link_lost: None,
            reconnect: None,
            quit: false,
        };
        m.start();
        m
    }

    /// Asks what a new session shows before its first stop.
    pub(super) fn start(&mut self) {
        self.ask(Request::Names, Pending::Names);
        self.ask(Request::Budget, Pending::Budget);
        self.ask(Request::Limits, Pending::Limits);
        self.ping();
    }

    /// Instructions the program has run since it was resumed (local programs; 0 otherwise).
    pub fn executed(&self) -> u64 {
        self.engine.executed()
    }

    /// Keeps the watch expressions in `file`, starting from those it holds.
    pub fn keep_watches(&mut self, file: std::path::PathBuf) {
        if let Ok(text) = debugger::input::read_text(&file, debugger::input::MAX_CONFIG_BYTES) {
            self.watches = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| (l.to_string(), Err("not evaluated yet".into())))
                .collect();
        }
        self.watch_file = Some(file);
    }

    /// Adds a watch expression, evaluated at every stop and kept for the next session.
    pub fn add_watch(&mut self, expr: &str) {
        self.watches
            .push((expr.to_string(), Err("not evaluated yet".into())));
        self.save_watches();
        if !self.frames.is_empty() {
            self.evaluate_watch(self.watches.len() - 1);
        }
    }

    /// Removes watch expression `i`.
    pub fn remove_watch(&mut self, i: usize) {
        if i < self.watches.len() {
            let _ = self.watches.remove(i);
            self.save_watches();
        }
    }

    fn save_watches(&mut self) {
        let Some(file) = &self.watch_file else {
            return;
        };
        let text: String = self.watches.iter().map(|(e, _)| format!("{e}\n")).collect();
        let saved = file
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| debugger::input::write(file, text.as_bytes()));
        if let Err(e) = saved {
            self.message = Some(format!("cannot save watches to {}: {e}", file.display()));
        }
    }

    fn evaluate_watch(&mut self, i: usize) {
        let expr = self.watches[i].0.clone();
        let req = Request::Evaluate {
            expr,
            format: Format::Natural,
            frame: None,
        };
        self.ask(req, Pending::Watch(i));
    }

    /// Shows linear memory at an expression's value (an address, a pointer or an array).
    pub fn show_memory(&mut self, expr: &str) {
        self.memory = Some((expr.to_string(), Err("reading".into())));
        self.memory_before = None;
        self.read_memory();
    }

    fn read_memory(&mut self) {
        let Some((expr, _)) = &self.memory else {
            return;
        };
        let req = Request::Examine {
            expr: expr.clone(),
            frame: None,
            count: 256,
            format: Format::Hex,
            unit: Some(1),
        };
        self.ask(req, Pending::Memory);
    }

    /// The engine's interrupter, for a signal handler.
    pub fn interrupter(&self) -> debugger::engine::Interrupter {
        self.engine.interrupter()
    }

    /// Whether replies are still awaited.
    pub fn busy(&self) -> bool {
        !self.pending.is_empty() || self.running.is_some()
    }

    pub(super) fn ask(&mut self, req: Request, why: Pending) {
        match self.engine.send(req) {
            Ok(id) => {
                self.pending.insert(id, why);
            }
            Err(e) => self.message = Some(e.to_string()),
        }
    }

    /// Runs a command line as the prompt does: parsed, sent, its reply printed in the log. Two
    /// commands are the screen's own: `memory EXPR` and `watch-expr EXPR`.
    pub fn command(&mut self, line: &str) {
        self.push_log(format!("(wrt-dbg) {line}"));
        if let Some(expr) = line.strip_prefix("memory ") {
            return self.show_memory(expr.trim());
        }
        if let Some(expr) = line.strip_prefix("watch-expr ") {
            return self.add_watch(expr.trim());
        }
        if line.trim() == "reconnect" {
            return self.reconnect();
        }
        match debugger::command::parse(line) {
            Ok(debugger::command::Command::Request(req)) => self.request(req),
            Ok(debugger::command::Command::Help) => {
                self.push_log(debugger::command::HELP.trim().to_string());
            }
            Ok(debugger::command::Command::Quit) => {
                self.interrupter().interrupt();
                self.quit = true;
            }
            Ok(debugger::command::Command::Nothing) => {}
            Err(e) => self.push_log(e.to_string()),
        }
    }

    /// Sends a request whose reply is printed in the log.
    pub fn request(&mut self, req: Request) {
        if let Request::Frame(Some(n)) = req {
            self.selected = n;
        }
        self.ask(req.clone(), Pending::Command(req));
    }

    /// Interrupts the running program.
    pub fn interrupt(&mut self) {
        self.interrupter().interrupt();
    }

    /// Expands or collapses a value of the tree.
    pub fn toggle(&mut self, at: &VarRef) {
        if !self.expanded.remove(at) {
            self.expanded.insert(at.clone());
            self.ask_children(at.clone());
        }
    }

    /// Asks for the first children of an expanded value.
    fn ask_children(&mut self, at: VarRef) {
        let req = Request::Children {
            var: at.clone(),
            start: 0,
            count: CHILDREN_SHOWN,
            format: self.format,
        };
        self.ask(req, Pending::Children(at));
    }

    /// Takes the engine's events that have arrived, without waiting; times a stopped remote
    /// target's link now and then, so a dropped link is noticed.
    pub fn poll(&mut self) {
        while let Some(ev) = self.engine.next_event(std::time::Duration::ZERO) {
            self.apply(ev);
        }
        self.ping_when_due();
    }

    /// Waits up to `timeout` for the engine to answer everything asked and stop (scripts given
    /// at start, tests).
    pub fn settle(&mut self, timeout: std::time::Duration) {
        let end = Instant::now() + timeout;
        while self.busy() {
            let left = end.saturating_duration_since(Instant::now());
            match self.engine.next_event(left) {
                Some(ev) => self.apply(ev),
                None => return,
            }
        }
    }

    /// Applies one engine event.
    pub fn apply(&mut self, ev: Event) {
        match ev {
            Event::Running => {
                self.running = Some(Instant::now());
                self.stop = None;
            }
            Event::Stopped(stop) => {
                self.running = None;
                let gone = matches!(stop.reason, StopReason::Killed | StopReason::Detached);
                self.stop = Some(stop);
                if gone {
                    self.clear_program();
                } else {
                    self.selected = 0;
                    self.refresh();
                }
            }
            Event::Exited(code) => {
                self.running = None;
                self.message = Some(format!("exited with code {code}"));
                self.clear_program();
            }
            Event::Output { stream, bytes } => {
                for line in String::from_utf8_lossy(&bytes).split_inclusive('\n') {
                    match self.output.back_mut() {
                        Some((s, last)) if *s == stream && !last.ends_with('\n') => {
                            last.push_str(line)
                        }
                        _ => self.output.push_back((stream, line.to_string())),
                    }
                }
                while self.output.len() > SCROLLBACK {
                    self.output.pop_front();
                }
            }
            Event::BreakpointsChanged => self.ask(Request::Breakpoints, Pending::Breakpoints),
            Event::TableFull { table, capacity } => {
                self.message = Some(format!("table full: `{table}` holds {capacity}"));
                self.ask(Request::Budget, Pending::Budget);
            }
            Event::Reply { id, response } => {
                if let Some(why) = self.pending.remove(&id) {
                    self.reply(why, response);
                }
            }
            Event::Error { id, error } => match self.pending.remove(&id) {
                _ if matches!(error, debugger::Error::TargetIo { .. }) => {
                    let lost = format!("link lost: {error}");
                    self.push_log(format!("{lost}; `reconnect` connects again."));
                    self.running = None;
                    self.link_lost = Some(lost);
                }
                Some(Pending::Command(_)) => {
                    if let debugger::Error::TableFull { .. } = error {
                        self.table_full = Some(error.to_string());
                    }
                    self.push_log(error.to_string());
                    self.message = Some(error.to_string());
                }
                Some(Pending::Watch(i)) => {
                    if let Some(w) = self.watches.get_mut(i) {
                        w.1 = Err(error.to_string());
                    }
                }
                Some(Pending::Memory) => {
                    if let Some(m) = &mut self.memory {
                        m.1 = Err(error.to_string());
                    }
                }
                Some(Pending::Profile) => self.profile = Some(Err(error.to_string())),
                Some(Pending::Machine) => self.machine = Some(Err(error.to_string())),
                // The pane says the file cannot be read rather than show another.
                Some(Pending::Source(file)) => self.source = Some((file, Vec::new())),
                _ => {}
            },
        }
    }

    fn reply(&mut self, why: Pending, response: Response) {
        match (why, response) {
            (Pending::Command(req), resp) => {
                let text = debugger::print::text(&req, &resp);
                if !text.is_empty() {
                    self.push_log(text);
                }
                if let Response::Frame(f) = &resp {
                    self.selected = f.frame.level;
                    self.refresh_frame();
                }
                if let Response::Breakpoint(_) = resp {
                    self.ask(Request::Budget, Pending::Budget);
                }
                if let Request::Profiling(_) = req {
                    self.ask(Request::Profile(20), Pending::Profile);
                }
            }
            (Pending::Frames, Response::Backtrace(bt)) => {
                self.frames = bt.frames;
                self.show_source();
            }
            (Pending::Variables(kind), Response::Variables(vars)) => {
                if kind == VarKind::Param {
                    self.vars.splice(0..0, vars);
                } else {
                    self.vars.extend(vars);
                }
                self.note_values();
            }
            (Pending::Breakpoints, Response::Breakpoints(b)) => {
                if b.len() < self.breakpoints.len() {
                    self.table_full = None;
                }
                self.breakpoints = b;
            }
            (Pending::Budget, Response::Budget(b)) => self.budget = Some(b),
            (Pending::Limits, Response::Limits(l)) => self.limits = Some(l),
            (Pending::Names, Response::Names(n)) => self.names = n,
            (Pending::Watch(i), Response::Variable(v)) => {
                if let Some(w) = self.watches.get_mut(i) {
                    w.1 = Ok(v.value);
                }
            }
            (Pending::Memory, Response::Memory(block)) => {
                if let Some(m) = &mut self.memory {
                    m.1 = Ok(block);
                }
            }
            (Pending::Disassembly, Response::Disassembly(d)) => self.disassembly = Some(d),
            (Pending::Profile, Response::Profile(p)) => self.profile = Some(Ok(p)),
            (Pending::Machine, Response::Machine(w)) => self.machine = Some(Ok(w)),
            (Pending::Link, Response::Link(l)) => self.link = Some(l),
            (Pending::Restored { enabled }, Response::Breakpoint(b)) if !enabled => {
                let req = Request::Enable {
                    number: b.number,
                    enabled,
                };
                self.ask(req, Pending::Breakpoints);
            }
            (Pending::Source(file), Response::SourceLines(s)) => {
                self.source = Some((file, s.lines))
            }
            (Pending::Children(at), Response::Children(c)) => {
                let expanded: Vec<VarRef> = c
                    .items
                    .iter()
                    .filter_map(|v| v.children.clone())
                    .filter(|r| self.expanded.contains(r))
                    .collect();
                for r in expanded {
                    self.ask_children(r);
                }
                self.children.insert(at, c.items);
                self.note_values();
            }
            _ => {}
        }
    }

    /// Asks for everything a stop changes.
    pub(super) fn refresh(&mut self) {
        self.previous = std::mem::take(&mut self.current);
        if let Some((_, Ok(block))) = &self.memory {
            self.memory_before = Some(block.clone());
        }
        self.ask(Request::Backtrace { limit: None }, Pending::Frames);
        self.ask(Request::Breakpoints, Pending::Breakpoints);
        self.ask(Request::Budget, Pending::Budget);
        self.ask(Request::Profile(20), Pending::Profile);
        self.refresh_frame();
    }

    /// Asks for the selected frame's variables and the children of every expanded value.
    fn refresh_frame(&mut self) {
        self.vars.clear();
        self.children.clear();
        for kind in [VarKind::Param, VarKind::Local] {
            let format = self.format;
            self.ask(
                Request::Variables {
                    kind,
                    format,
                    frame: None,
                },
                Pending::Variables(kind),
            );
        }
        let roots: Vec<VarRef> = self
            .expanded
            .iter()
            .filter(|r| r.path.is_empty() && r.frame == self.selected)
            .cloned()
            .collect();
        for r in roots {
            self.ask_children(r);
        }
        for i in 0..self.watches.len() {
            self.evaluate_watch(i);
        }
        self.read_memory();
        self.machine_stale = true;
        self.ask(
            Request::Disassemble {
                function: None,
                frame: None,
            },
            Pending::Disassembly,
        );
        self.show_source();
    }

    /// Loads the selected frame's file into the source pane when another is shown.
    fn show_source(&mut self) {
        if let Some(file) = self.frames.get(self.selected).and_then(|f| f.file.clone()) {
            self.open_source(file);
        }
    }

    /// Asks for the operand stack and globals when what is held is from before the last stop.
    pub fn want_machine(&mut self) {
        if self.machine_stale && !self.frames.is_empty() {
            self.machine_stale = false;
            self.ask(Request::Machine { frame: None }, Pending::Machine);
        }
    }

    /// Loads `file` into the source pane unless it is shown or asked for already.
    pub fn open_source(&mut self, file: String) {
        let loaded = self.source.as_ref().is_some_and(|(f, _)| *f == file);
        let asked = self
            .pending
            .values()
            .any(|p| matches!(p, Pending::Source(f) if *f == file));
        if !loaded && !asked {
            self.ask(Request::Source(file.clone()), Pending::Source(file));
        }
    }

    fn clear_program(&mut self) {
        self.frames.clear();
        self.vars.clear();
        self.children.clear();
        self.ask(Request::Breakpoints, Pending::Breakpoints);
    }

    /// Shows the variables in the next format: natural, hex, decimal.
    pub fn cycle_format(&mut self) {
        self.format = match self.format {
            Format::Natural => Format::Hex,
            Format::Hex => Format::Decimal,
            _ => Format::Natural,
        };
        self.refresh_frame();
    }

    /// Records the values shown now, by name path, to mark what changed.
    fn note_values(&mut self) {
        for l in self.var_lines() {
            self.current.insert(l.key, l.var.value);
        }
    }

    /// The variable tree as lines: each variable, then its children when expanded.
    pub fn var_lines(&self) -> Vec<VarLine> {
        let function = self
            .frames
            .get(self.selected)
            .map_or("", |f| f.function.as_str());
        let mut out = Vec::new();
        for v in &self.vars {
            self.push_var(&mut out, v, 0, function);
        }
        out
    }

    fn push_var(&self, out: &mut Vec<VarLine>, v: &Variable, depth: usize, parent: &str) {
        let expanded = v
            .children
            .as_ref()
            .is_some_and(|r| self.expanded.contains(r));
        let key = format!("{parent}/{}", v.name);
        out.push(VarLine {
            changed: self.previous.get(&key).is_some_and(|old| *old != v.value),
            key: key.clone(),
            depth,
            var: v.clone(),
            expanded,
        });
        if expanded
            && let Some(kids) = v.children.as_ref().and_then(|r| self.children.get(r))
            && depth < 16
        {
            for c in kids {
                self.push_var(out, c, depth + 1, &key);
            }
        }
    }

    /// The breakpoint on `line` of `file` (files compared by name), if one is there.
    pub fn breakpoint_at(&self, file: &str, line: u32) -> Option<&Breakpoint> {
        let name = debugger::source::basename(file);
        self.breakpoints.iter().find(|b| match &b.kind {
            BreakpointKind::Breakpoint { locations, .. } => locations.iter().any(|l| {
                l.line == Some(line)
                    && l.file.as_deref().map(debugger::source::basename) == Some(name)
            }),
            BreakpointKind::Watchpoint { .. } => false,
        })
    }

    /// What completion offers beyond commands: functions, files and the frame's variables.
    pub fn completion_names(&self) -> Vec<String> {
        let mut names = self.names.words();
        names.extend(self.vars.iter().map(|v| v.name.clone()));
        names
    }

    /// Adds a line to the log (completion candidates, notes).
    pub fn note(&mut self, text: String) {
        self.push_log(text);
    }

    pub(super) fn push_log(&mut self, text: String) {
        let text = debugger::print::terminal_safe(&text);
        self.log.extend(text.lines().map(str::to_string));
        while self.log.len() > SCROLLBACK {
            self.log.pop_front();
        }
    }
}
