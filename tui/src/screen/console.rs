//! The command line: gdb's command language with its log, line editing, history and completion
//! (commands, `info` words, functions, files, variables); an empty line repeats the last `next`,
//! `step`, `continue`, `x` or `list`.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::model::Model;
use super::pane::block;

/// The command line's state.
#[derive(Default)]
pub struct Console {
    /// The line being typed.
    pub input: String,
    /// The cursor, in characters.
    cursor: usize,
    /// Lines run, oldest first.
    pub history: Vec<String>,
    /// Where Up/Down stand in the history.
    browsing: Option<usize>,
    /// Log lines scrolled back.
    back: usize,
    /// Where the history is kept between sessions.
    history_file: Option<std::path::PathBuf>,
}

impl Console {
    /// Handles a key; `true` when it was the console's.
    pub fn key(&mut self, k: KeyEvent, m: &mut Model) -> bool {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Char('u') if ctrl => self.set(String::new()),
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.input.chars().count(),
            KeyCode::Char(c) if !ctrl => {
                let at = self.byte(self.cursor);
                self.input.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte(self.cursor);
                self.input.remove(at);
            }
            KeyCode::Delete if self.cursor < self.input.chars().count() => {
                let at = self.byte(self.cursor);
                self.input.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.input.chars().count()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.input.chars().count(),
            KeyCode::Char('p') if ctrl => self.browse(-1),
            KeyCode::Char('n') if ctrl => self.browse(1),
            KeyCode::Up => self.browse(-1),
            KeyCode::Down => self.browse(1),
            KeyCode::PageUp => self.back = (self.back + 5).min(m.log.len()),
            KeyCode::PageDown => self.back = self.back.saturating_sub(5),
            KeyCode::Tab => self.complete(m),
            KeyCode::Enter => self.enter(m),
            _ => return false,
        }
        true
    }

    fn byte(&self, chars: usize) -> usize {
        self.input
            .char_indices()
            .nth(chars)
            .map_or(self.input.len(), |(i, _)| i)
    }

    /// Replaces the line being typed, the cursor at its end.
    pub fn set(&mut self, line: String) {
        self.cursor = line.chars().count();
        self.input = line;
    }

    fn browse(&mut self, delta: isize) {
        if self.history.is_empty() {
            return;
        }
        let last = self.history.len() as isize;
        let at = self.browsing.map_or(last, |b| b as isize) + delta;
        if at >= last {
            self.browsing = None;
            self.set(String::new());
        } else {
            let at = at.max(0) as usize;
            self.browsing = Some(at);
            self.set(self.history[at].clone());
        }
    }

    /// Completes the word before the cursor: a command, an `info` word, a function, file or
    /// variable. One match is taken; several are completed to what they share and listed.
    fn complete(&mut self, m: &mut Model) {
        let names = m.completion_names();
        let pos = self.byte(self.cursor);
        let (start, found) = debugger::command::complete(&self.input, pos, &names);
        let Some(first) = found.first() else {
            return;
        };
        let shared = found.iter().fold(first.as_str(), |acc, f| {
            let n = acc
                .chars()
                .zip(f.chars())
                .take_while(|(a, b)| a == b)
                .count();
            &acc[..acc.char_indices().nth(n).map_or(acc.len(), |(i, _)| i)]
        });
        let done = if found.len() == 1 { " " } else { "" };
        let line = format!(
            "{}{shared}{done}{}",
            &self.input[..start],
            &self.input[pos..]
        );
        let cursor = self.input[..start].chars().count() + shared.chars().count() + done.len();
        self.input = line;
        self.cursor = cursor;
        if found.len() > 1 {
            m.note(found.join("  "));
        }
    }

    /// Runs the line; an empty one repeats the last repeatable command.
    fn enter(&mut self, m: &mut Model) {
        let line = std::mem::take(&mut self.input).trim().to_string();
        self.cursor = 0;
        self.browsing = None;
        self.back = 0;
        let line = if line.is_empty() {
            match self.history.last() {
                Some(last) if debugger::command::repeats(last) => last.clone(),
                _ => return,
            }
        } else {
            self.remember(&line);
            line
        };
        m.command(&line);
    }

    /// Keeps a line run in the history (once when repeated), and in the history file.
    pub fn remember(&mut self, line: &str) {
        if self.history.last().map(String::as_str) == Some(line) {
            return;
        }
        self.history.push(line.to_string());
        if let Some(file) = &self.history_file {
            use std::io::Write;
            let appended = debugger::input::append(file).and_then(|mut f| writeln!(f, "{line}"));
            if appended.is_err() {
                self.history_file = None;
            }
        }
    }

    /// Keeps the history in `file` (one line a command), starting from the last 1000 it holds.
    /// A history that cannot be used (not a regular file, too large, not text) is not kept: the
    /// reason is returned for the log, and the session goes on without it.
    pub fn keep_history(&mut self, file: std::path::PathBuf) -> Result<(), String> {
        match debugger::input::read_text(&file, debugger::input::MAX_HISTORY_BYTES) {
            Ok(text) => {
                let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
                let from = lines.len().saturating_sub(1000);
                self.history = lines[from..].iter().map(|l| l.to_string()).collect();
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("history {} not used: {e}", file.display())),
        }
        if let Some(dir) = file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        self.history_file = Some(file);
        Ok(())
    }

    /// Draws the log and the line being typed.
    pub fn draw(&self, m: &Model, f: &mut Frame, area: Rect, focused: bool) {
        let block = block(" Command ".into(), focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let height = inner.height.saturating_sub(1) as usize;
        let end = m.log.len().saturating_sub(self.back);
        let mut lines: Vec<Line> = m
            .log
            .iter()
            .take(end)
            .skip(end.saturating_sub(height))
            .map(|l| Line::raw(l.replace('\t', "    ")))
            .collect();
        while lines.len() < height {
            lines.insert(0, Line::raw(""));
        }
        let prompt = "(wrt-dbg) ";
        lines.push(Line::styled(
            format!("{prompt}{}", self.input),
            Style::new().fg(Color::Green),
        ));
        f.render_widget(Paragraph::new(lines), inner);
        if focused {
            let x = inner.x + (prompt.len() + self.cursor) as u16;
            f.set_cursor_position(Position::new(
                x.min(inner.right().saturating_sub(1)),
                inner.bottom().saturating_sub(1),
            ));
        }
    }
}
