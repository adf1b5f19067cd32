//! The source pane: the selected frame's file, its line marked, breakpoints in the gutter (● on,
//! ○ off, ◆ conditional), a cursor for F9 and `b`.

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use debugger::report::BreakpointKind;
use debugger::source::basename;

use super::model::Model;
use super::pane::{Cursor, block};

/// What the source pane shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum View {
    /// The source file.
    #[default]
    Source,
    /// The current function's Wasm code.
    Disassembly,
    /// The code with each source line above its instructions.
    Mixed,
}

/// The source pane's own state: the view, the cursor, and the stop it last followed.
#[derive(Default)]
pub struct SourcePane {
    /// The cursor line (0-based).
    pub cursor: Cursor,
    /// What it shows.
    pub view: View,
    /// The search being typed after `/`, while it is.
    pub search: Option<String>,
    /// The last text searched for.
    last_search: String,
    followed: Option<(String, u32, usize)>,
    /// A file and line to show once the file is loaded (a picker's choice).
    going: Option<(String, u32)>,
    height: usize,
}

impl SourcePane {
    /// The file, line and column (0 for none) the selected frame stands on.
    fn here(m: &Model) -> Option<(String, u32, u32)> {
        let f = m.frames.get(m.selected)?;
        Some((f.file.clone()?, f.line?, f.column.unwrap_or(0)))
    }

    /// Shows `line` of `file` once the file is loaded.
    pub fn go_to(&mut self, file: String, line: u32) {
        self.going = Some((file, line));
    }

    /// The file shown and the cursor's line (1-based), for a breakpoint.
    pub fn cursor_line<'m>(&self, m: &'m Model) -> Option<(&'m str, u32)> {
        let (file, _) = m.source.as_ref()?;
        Some((file, self.cursor.at as u32 + 1))
    }

    /// The first identifier on the cursor's line that names a variable of the selected frame.
    pub fn variable_on_cursor(&self, m: &Model) -> Option<String> {
        let (_, lines) = m.source.as_ref()?;
        let line = lines.get(self.cursor.at)?;
        line.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .find(|word| m.vars.iter().any(|v| v.name == *word))
            .map(str::to_string)
    }

    /// Moves the cursor.
    pub fn scroll(&mut self, delta: isize, m: &Model) {
        let len = m.source.as_ref().map_or(0, |(_, l)| l.len());
        self.cursor.move_by(delta, len);
    }

    /// The file line (0-based) shown on row `row` of the pane's inside, in the source view.
    pub fn line_at(&self, row: u16) -> Option<usize> {
        (self.view == View::Source && (row as usize) < self.height)
            .then(|| self.cursor.top + row as usize)
    }

    /// The page height last drawn.
    pub fn page(&self) -> isize {
        self.height.max(1) as isize
    }

    /// Handles a key while a search is typed: text, Backspace, Enter (find), Esc (cancel).
    /// `false` when no search is being typed.
    pub fn search_key(&mut self, code: KeyCode, m: &Model) -> bool {
        let Some(text) = self.search.as_mut() else {
            return false;
        };
        match code {
            KeyCode::Char(c) => text.push(c),
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Enter => {
                if !text.is_empty() {
                    self.last_search = text.clone();
                }
                self.search = None;
                self.find_next(m);
            }
            KeyCode::Esc => self.search = None,
            _ => {}
        }
        true
    }

    /// Moves the cursor to the next line holding the last text searched for, wrapping around.
    pub fn find_next(&mut self, m: &Model) {
        let Some((_, lines)) = &m.source else {
            return;
        };
        let n = lines.len();
        let want = &self.last_search;
        if want.is_empty() {
            return;
        }
        if let Some(i) = (1..=n)
            .map(|d| (self.cursor.at + d) % n)
            .find(|&i| lines[i].contains(want.as_str()))
        {
            self.cursor.show(i, self.height);
        }
    }

    /// Shows the next view: source, disassembly, mixed.
    pub fn next_view(&mut self) {
        self.view = match self.view {
            View::Source => View::Disassembly,
            View::Disassembly => View::Mixed,
            View::Mixed => View::Source,
        };
    }

    /// Draws the pane.
    pub fn draw(&mut self, m: &Model, f: &mut Frame, area: Rect, focused: bool) {
        if self.view != View::Source {
            return self.draw_code(m, f, area, focused);
        }
        let here = Self::here(m);
        let title = match (&self.search, &m.source) {
            (Some(text), _) => format!(" Search: /{text}█ "),
            (None, Some((file, _))) => format!(" Source: {} ", basename(file)),
            (None, None) => " Source ".to_string(),
        };
        let block = block(title, focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        self.height = inner.height as usize;
        let Some((file, lines)) = &m.source else {
            f.render_widget(
                Paragraph::new("No source: run the program, or `list` a location."),
                inner,
            );
            return;
        };
        if lines.is_empty() {
            let text = format!("Cannot read {file}: `directory DIR` says where to look.");
            f.render_widget(Paragraph::new(text), inner);
            return;
        }
        // Follow the program to each new stop and frame.
        let stop = (file.clone(), here.as_ref().map_or(0, |h| h.1), m.selected);
        if self.followed.as_ref() != Some(&stop) {
            if let Some((_, line, _)) = here.as_ref().filter(|h| h.0 == *file) {
                self.cursor.show(*line as usize - 1, self.height);
            }
            self.followed = Some(stop);
        }
        if let Some((_, line)) = self.going.take_if(|(f, _)| f == file) {
            self.cursor
                .show(line.saturating_sub(1) as usize, self.height);
        }
        let top = self.cursor.scroll(self.height);
        let current = here.filter(|h| h.0 == *file).map(|h| (h.1 as usize, h.2));
        let width = lines.len().to_string().len();
        let text: Vec<Line> = lines
            .iter()
            .enumerate()
            .skip(top)
            .take(self.height)
            .map(|(i, text)| {
                let n = i + 1;
                let column = current.filter(|c| c.0 == n).map(|c| c.1);
                let mut style = Style::new();
                if column.is_some() {
                    style = style.bg(Color::Blue).fg(Color::White);
                }
                if focused && i == self.cursor.at {
                    style = style.add_modifier(Modifier::UNDERLINED);
                }
                let mut spans = vec![
                    gutter(m, file, n as u32),
                    Span::styled(
                        if column.is_some() { "▶" } else { " " },
                        Style::new().fg(Color::Yellow),
                    ),
                    Span::styled(format!("{n:>width$} "), Style::new().fg(Color::DarkGray)),
                ];
                spans.extend(marked(text, column, style));
                Line::from(spans)
            })
            .collect();
        f.render_widget(Paragraph::new(text), inner);
    }
}

impl SourcePane {
    /// The disassembly or mixed view: the pc marked, breakpoints in the gutter.
    fn draw_code(&mut self, m: &Model, f: &mut Frame, area: Rect, focused: bool) {
        let title = match &m.disassembly {
            Some(d) => format!(" Disassembly: {} ", d.function),
            None => " Disassembly ".into(),
        };
        let block = block(title, focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        self.height = inner.height as usize;
        let Some(d) = &m.disassembly else {
            return;
        };
        let source = m.source.as_ref().map(|(_, l)| l);
        let mut lines: Vec<Line> = Vec::new();
        let mut at_pc = 0;
        let mut last_line = None;
        for l in &d.lines {
            if self.view == View::Mixed && l.line.is_some() && l.line != last_line {
                let n = l.line.unwrap_or(0);
                let text = source
                    .and_then(|s| s.get(n as usize - 1))
                    .map_or("", String::as_str);
                lines.push(Line::styled(
                    format!("{n:>6}  {}", text.replace('\t', "    ")),
                    Style::new().fg(Color::Cyan),
                ));
                last_line = l.line;
            }
            if l.current {
                at_pc = lines.len();
            }
            let bp = m.breakpoints.iter().any(|b| match &b.kind {
                BreakpointKind::Breakpoint { locations, .. } => {
                    locations.iter().any(|x| x.addr == l.offset)
                }
                BreakpointKind::Watchpoint { .. } => false,
            });
            let mut style = Style::new();
            if l.current {
                style = style.bg(Color::Blue).fg(Color::White);
            }
            lines.push(Line::from(vec![
                Span::styled(if bp { "●" } else { " " }, Style::new().fg(Color::Red)),
                Span::styled(
                    if l.current { "▶" } else { " " },
                    Style::new().fg(Color::Yellow),
                ),
                Span::styled(
                    format!("{:08x}  ", l.offset),
                    Style::new().fg(Color::DarkGray),
                ),
                Span::styled(l.text.clone(), style),
            ]));
        }
        let top = at_pc.saturating_sub(self.height / 2);
        let shown: Vec<Line> = lines.into_iter().skip(top).take(self.height).collect();
        f.render_widget(Paragraph::new(shown), inner);
    }
}

/// A line's text in `style` (tabs as four spaces), the character at `column` (1-based, as DWARF
/// counts it, a tab one; 0 or `None` for none) marked as the place the program stands.
fn marked(text: &str, column: Option<u32>, style: Style) -> Vec<Span<'static>> {
    let shown = |s: &str| s.replace('\t', "    ");
    let at = column.unwrap_or(0) as usize;
    let Some((start, c)) = at.checked_sub(1).and_then(|i| text.char_indices().nth(i)) else {
        return vec![Span::styled(shown(text), style)];
    };
    let end = start + c.len_utf8();
    let mark = style
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    vec![
        Span::styled(shown(&text[..start]), style),
        Span::styled(shown(&text[start..end]), mark),
        Span::styled(shown(&text[end..]), style),
    ]
}

/// The breakpoint mark of a line.
fn gutter(m: &Model, file: &str, line: u32) -> Span<'static> {
    match m.breakpoint_at(file, line) {
        None => Span::raw(" "),
        Some(b) if !b.enabled => Span::styled("○", Style::new().fg(Color::Red)),
        Some(b) if b.condition.is_some() => Span::styled("◆", Style::new().fg(Color::Red)),
        Some(_) => Span::styled("●", Style::new().fg(Color::Red)),
    }
}
