//! The application: the panes, which one has the focus, the keys, and the layout. It draws from
//! the model and turns keys into requests; the loop that feeds it input and engine events is
//! generic over ratatui's `Backend`, so tests draw to `TestBackend`.

use std::io;
use std::time::Duration;

use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::{Frame, Terminal};

use debugger::location::Location;
use debugger::request::Request;

use super::breakpoints::BreakpointsPane;
use super::console::Console;
use super::keymap::{Action, Keymap, Layout as Sizes};
use super::memory::MemoryPane;
use super::model::Model;
use super::output::OutputPane;
use super::picker::{Kind, Outcome, Picker};
use super::source::SourcePane;
use super::stack::StackPane;
use super::variables::VariablesPane;
use super::watch::WatchPane;

/// Which pane has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The command line (the focus at start, as in gdb's TUI).
    Console,
    /// Source.
    Source,
    /// Call stack.
    Stack,
    /// Variables.
    Variables,
    /// Breakpoints.
    Breakpoints,
    /// Program output.
    Output,
    /// Watch expressions.
    Watch,
    /// Linear memory.
    Memory,
    /// The debug budget.
    Budget,
    /// The profile.
    Profile,
}

/// The panes in Tab order.
pub(super) const CYCLE: [Focus; 9] = [
    Focus::Source,
    Focus::Stack,
    Focus::Variables,
    Focus::Breakpoints,
    Focus::Watch,
    Focus::Memory,
    Focus::Budget,
    Focus::Profile,
    Focus::Output,
];

/// The panes that share the side column's lower slot: the last focused is shown.
const TABS: [Focus; 5] = [
    Focus::Breakpoints,
    Focus::Watch,
    Focus::Memory,
    Focus::Budget,
    Focus::Profile,
];

/// The TUI.
pub struct App {
    /// What the session shows.
    pub model: Model,
    /// The focused pane.
    pub focus: Focus,
    /// Whether the focused pane fills the screen.
    pub zoom: bool,
    /// The command line.
    pub console: Console,
    /// Source.
    pub source: SourcePane,
    stack: StackPane,
    vars: VariablesPane,
    bps: BreakpointsPane,
    output: OutputPane,
    watch: WatchPane,
    memory: MemoryPane,
    /// The file or function picker, while it is open.
    pub picker: Option<Picker>,
    /// Which of [`TABS`] the lower side slot shows.
    tab: Focus,
    /// Where each pane was drawn last, for the mouse.
    areas: Vec<(Focus, Rect)>,
    /// The key map.
    keys: Keymap,
    /// Pane sizes.
    layout: Sizes,
}

impl App {
    /// The app on a session's model.
    pub fn new(model: Model) -> App {
        App {
            model,
            focus: Focus::Console,
            zoom: false,
            console: Console::default(),
            source: SourcePane::default(),
            stack: StackPane::default(),
            vars: VariablesPane::default(),
            bps: BreakpointsPane::default(),
            output: OutputPane::default(),
            watch: WatchPane::default(),
            memory: MemoryPane::default(),
            picker: None,
            tab: Focus::Breakpoints,
            areas: Vec::new(),
            keys: Keymap::default(),
            layout: Sizes::default(),
        }
    }

    /// Uses a key map and layout (from the user's configuration).
    pub fn configure(&mut self, keys: Keymap, layout: Sizes) {
        self.keys = keys;
        self.layout = layout;
    }

    /// Runs a command as if typed: echoed in the log, kept in the history (so an empty line
    /// repeats a `next` given by F10).
    fn cmd(&mut self, line: &str) {
        self.console.remember(line);
        self.model.command(line);
    }

    /// Handles one key.
    pub fn key(&mut self, k: KeyEvent) {
        if k.kind == KeyEventKind::Release {
            return;
        }
        if let Some(p) = &mut self.picker {
            match p.key(k.code) {
                Outcome::Open => return,
                Outcome::Closed => {}
                Outcome::Chosen(item) => {
                    self.source.go_to(item.file.clone(), item.line.unwrap_or(1));
                    self.model.open_source(item.file);
                    self.source.view = super::source::View::Source;
                    self.focus = Focus::Source;
                }
            }
            self.picker = None;
            return;
        }
        if let Some(a) = self.keys.global(&k) {
            return self.act(a);
        }
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Char('c') if ctrl && self.model.running.is_some() => {
                return self.model.interrupt();
            }
            KeyCode::Char('c') if ctrl && self.focus == Focus::Console => {
                self.console.input.clear();
                return;
            }
            KeyCode::Esc => {
                self.focus = Focus::Source;
                return;
            }
            _ => {}
        }
        if self.focus == Focus::Console {
            self.console.key(k, &mut self.model);
            return;
        }
        if self.focus == Focus::Source && self.source.search_key(k.code, &self.model) {
            return;
        }
        if self.pane_key(k) {
            return;
        }
        if let Some(a) = self.keys.pane(&k) {
            return self.act(a);
        }
        match k.code {
            KeyCode::Char(':') => self.focus = Focus::Console,
            KeyCode::Tab => self.cycle(1),
            KeyCode::BackTab => self.cycle(-1),
            _ => {}
        }
    }

    /// Does what a bound key asks.
    fn act(&mut self, a: Action) {
        match a {
            Action::Continue if self.model.running.is_some() => self.model.interrupt(),
            Action::Continue if self.model.frames.is_empty() => self.cmd("run"),
            Action::Continue => self.cmd("continue"),
            Action::Next => self.cmd("next"),
            Action::Step => self.cmd("step"),
            Action::Finish => self.cmd("finish"),
            Action::Up => self.cmd("up"),
            Action::Down => self.cmd("down"),
            Action::Run => self.cmd("run"),
            Action::Breakpoint => self.toggle_breakpoint(),
            Action::Zoom => self.zoom = !self.zoom,
            Action::OpenFile => self.picker = Some(Picker::new(Kind::Files, &self.model.names)),
            Action::Functions => {
                self.picker = Some(Picker::new(Kind::Functions, &self.model.names))
            }
            Action::Quit => self.model.command("quit"),
        }
    }

    fn cycle(&mut self, delta: isize) {
        let at = CYCLE.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        let n = CYCLE.len() as isize;
        self.focus = CYCLE[((at + delta).rem_euclid(n)) as usize];
        if TABS.contains(&self.focus) {
            self.tab = self.focus;
        }
    }

    /// The focused pane's own keys; `true` when the key was one.
    fn pane_key(&mut self, k: KeyEvent) -> bool {
        let step: isize = match k.code {
            KeyCode::Up | KeyCode::Char('k') => -1,
            KeyCode::Down | KeyCode::Char('j') => 1,
            // A page: the source pane's height there, ten lines elsewhere.
            KeyCode::PageUp | KeyCode::PageDown if self.focus == Focus::Source => {
                self.source.page()
            }
            KeyCode::PageUp | KeyCode::PageDown => 10,
            _ => 0,
        };
        let step = if k.code == KeyCode::PageUp {
            -step
        } else {
            step
        };
        if step != 0 {
            return self.scroll(self.focus, step);
        }
        let m = &mut self.model;
        match self.focus {
            Focus::Stack if k.code == KeyCode::Enter => self.stack.select(m),
            Focus::Variables
                if matches!(k.code, KeyCode::Enter | KeyCode::Right | KeyCode::Left) =>
            {
                self.vars.toggle(m)
            }
            Focus::Variables if k.code == KeyCode::Char('x') => m.cycle_format(),
            Focus::Variables if k.code == KeyCode::Char('w') => {
                if let Some(e) = self.vars.expression(m) {
                    m.add_watch(&e);
                    self.tab = Focus::Watch;
                }
            }
            Focus::Variables if k.code == KeyCode::Char('m') => {
                if let Some(e) = self.vars.address(m) {
                    m.show_memory(&e);
                    self.focus = Focus::Memory;
                    self.tab = Focus::Memory;
                }
            }
            Focus::Source if k.code == KeyCode::Char('v') => self.source.next_view(),
            Focus::Source if k.code == KeyCode::Char('w') => {
                match self.source.variable_on_cursor(m) {
                    Some(name) => {
                        m.add_watch(&name);
                        self.tab = Focus::Watch;
                    }
                    None => {
                        self.console.set("watch-expr ".into());
                        self.focus = Focus::Console;
                    }
                }
            }
            Focus::Source if k.code == KeyCode::Char('/') => {
                self.source.search = Some(String::new())
            }
            Focus::Source if k.code == KeyCode::Char('N') => self.source.find_next(m),
            Focus::Watch if matches!(k.code, KeyCode::Delete | KeyCode::Char('x')) => {
                self.watch.delete(m)
            }
            Focus::Breakpoints if k.code == KeyCode::Char(' ') => self.bps.toggle(m),
            Focus::Breakpoints if matches!(k.code, KeyCode::Delete | KeyCode::Char('x')) => {
                self.bps.delete(m)
            }
            _ => return false,
        }
        true
    }

    /// Moves `pane`'s cursor (or its view) by `step` lines; `false` for a pane that has none.
    fn scroll(&mut self, pane: Focus, step: isize) -> bool {
        let m = &self.model;
        match pane {
            Focus::Source => self.source.scroll(step, m),
            Focus::Stack => self.stack.cursor.move_by(step, m.frames.len()),
            Focus::Variables => self.vars.cursor.move_by(step, m.var_lines().len()),
            Focus::Watch => self.watch.cursor.move_by(step, m.watches.len()),
            Focus::Breakpoints => self.bps.cursor.move_by(step, m.breakpoints.len()),
            Focus::Memory => self.memory.top = self.memory.top.saturating_add_signed(step),
            Focus::Output => self.output.scroll(-step, m),
            Focus::Console | Focus::Budget | Focus::Profile => return false,
        }
        true
    }

    /// Sets a breakpoint on the source cursor's line, or deletes the one there.
    fn toggle_breakpoint(&mut self) {
        let Some((file, line)) = self.source.cursor_line(&self.model) else {
            return;
        };
        let req = match self.model.breakpoint_at(file, line) {
            Some(b) => Request::Delete(Some(b.number)),
            None => Request::Break {
                location: Some(Location::Line {
                    file: Some(debugger::source::basename(file).to_string()),
                    line,
                    column: None,
                }),
                condition: None,
                temporary: false,
                frame: None,
            },
        };
        self.model.request(req);
    }

    /// The keys of the focused pane, for the status bar.
    fn keys(&self) -> &'static str {
        match self.focus {
            Focus::Console => {
                "Esc panes  F5 run/cont  F10 next  F11 step  S-F11 finish  F9 break  C-o file"
            }
            Focus::Stack => "Enter select  : command  Tab next pane  z zoom",
            Focus::Variables => "Enter expand  w watch  m memory  x format  : command  Tab",
            Focus::Breakpoints => "Space on/off  x delete  : command  Tab next pane",
            Focus::Watch => "x delete  watch-expr EXPR  : command  Tab next pane",
            Focus::Source => "/ search  o file  t function  v view  w watch  b break  c n s f u d",
            _ => "c n s f u d b  : command  Tab next pane  z zoom  q quit",
        }
    }

    /// Handles the mouse: a click focuses the pane under it (in the source gutter it sets or
    /// deletes a breakpoint on that line), the wheel scrolls the pane under it.
    pub fn mouse(&mut self, ev: MouseEvent) {
        let Some((pane, area)) = self
            .areas
            .iter()
            .copied()
            .find(|(_, a)| a.contains(Position::new(ev.column, ev.row)))
        else {
            return;
        };
        match ev.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = pane;
                if TABS.contains(&pane) {
                    self.tab = pane;
                }
                if pane == Focus::Source
                    && ev.column <= area.x + 2
                    && let Some(line) = self.source.line_at(ev.row.saturating_sub(area.y + 1))
                {
                    self.source.cursor.at = line;
                    self.toggle_breakpoint();
                }
            }
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
                let step = if ev.kind == MouseEventKind::ScrollUp {
                    -3
                } else {
                    3
                };
                self.scroll(pane, step);
            }
            _ => {}
        }
    }

    /// Draws the whole screen.
    pub fn draw(&mut self, f: &mut Frame) {
        self.areas.clear();
        let [main, bottom, status] = Layout::vertical([
            Constraint::Min(6),
            Constraint::Length((f.area().height * self.layout.bottom / 100).clamp(8, 16)),
            Constraint::Length(1),
        ])
        .areas(f.area());
        super::status::draw(&self.model, f, status, self.keys());
        if self.zoom && self.focus != Focus::Console {
            // The zoomed pane takes the screen but the command line, which is always shown.
            let [pane, console] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(bottom.height.min(4))])
                    .areas(Rect::new(
                        main.x,
                        main.y,
                        main.width,
                        main.height + bottom.height,
                    ));
            self.draw_pane(self.focus, f, pane);
            self.draw_pane(Focus::Console, f, console);
        } else {
            self.draw_panes(f, main, bottom);
        }
        if let Some(p) = &mut self.picker {
            let [_, middle, _] = Layout::horizontal([
                Constraint::Percentage(10),
                Constraint::Percentage(80),
                Constraint::Percentage(10),
            ])
            .areas(main);
            p.draw(f, middle);
        }
    }

    /// Draws the default layout: source and the side column above, command line and output below.
    fn draw_panes(&mut self, f: &mut Frame, main: Rect, bottom: Rect) {
        let [console, output] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                .areas(bottom);
        let side_width = self.layout.side.clamp(10, 90);
        let [source, side] = Layout::horizontal([
            Constraint::Percentage(100 - side_width),
            Constraint::Percentage(side_width),
        ])
        .areas(main);
        let [stack, vars, bps] = Layout::vertical([
            Constraint::Percentage(30),
            Constraint::Percentage(45),
            Constraint::Percentage(25),
        ])
        .areas(side);
        for (pane, area) in [
            (Focus::Source, source),
            (Focus::Stack, stack),
            (Focus::Variables, vars),
            (self.tab, bps),
            (Focus::Output, output),
            (Focus::Console, console),
        ] {
            self.draw_pane(pane, f, area);
        }
    }

    fn draw_pane(&mut self, pane: Focus, f: &mut Frame, area: Rect) {
        self.areas.push((pane, area));
        if pane == Focus::Memory {
            self.model.want_machine();
        }
        let focused = self.focus == pane;
        let m = &self.model;
        match pane {
            Focus::Console => self.console.draw(m, f, area, focused),
            Focus::Source => self.source.draw(m, f, area, focused),
            Focus::Stack => self.stack.draw(m, f, area, focused),
            Focus::Variables => self.vars.draw(m, f, area, focused),
            Focus::Breakpoints => self.bps.draw(m, f, area, focused),
            Focus::Output => self.output.draw(m, f, area, focused),
            Focus::Watch => self.watch.draw(m, f, area, focused),
            Focus::Memory => self.memory.draw(m, f, area, focused),
            Focus::Budget => super::budget::draw(m, f, area, focused),
            Focus::Profile => super::profile::draw(m, f, area, focused),
        }
    }

    /// Draws, takes input and engine events until the session ends. `input` waits up to the
    /// given time for a terminal event.
    pub fn run<B: ratatui::backend::Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        mut input: impl FnMut(Duration) -> io::Result<Option<Event>>,
        stop: &std::sync::atomic::AtomicBool,
    ) -> io::Result<()>
    where
        io::Error: From<B::Error>,
    {
        while !self.model.quit && !stop.load(std::sync::atomic::Ordering::Relaxed) {
            terminal.draw(|f| self.draw(f))?;
            if let Some(ev) = input(Duration::from_millis(16))? {
                match ev {
                    Event::Key(k) => self.key(k),
                    Event::Mouse(m) => self.mouse(m),
                    _ => {}
                }
            }
            self.model.poll();
        }
        Ok(())
    }
}
