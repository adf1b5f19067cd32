//! The picker: a box over the source pane that lists the module's source files or its functions,
//! narrowed by a fuzzy query as it is typed (nucleo, the matcher of helix); Enter opens the file,
//! or the function's first line, in the source pane.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use debugger::report::Names;
use debugger::source::basename;

use super::pane::{Cursor, block};

/// What the picker lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Source files.
    Files,
    /// Functions.
    Functions,
}

/// One thing to pick: what is shown and matched, and where it leads.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The text shown and matched.
    pub label: String,
    /// The file it opens.
    pub file: String,
    /// The line the cursor goes to (1-based), if known.
    pub line: Option<u32>,
}

impl AsRef<str> for Item {
    fn as_ref(&self) -> &str {
        &self.label
    }
}

/// What a key did to the picker.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It is still open.
    Open,
    /// It was closed without a choice.
    Closed,
    /// This was chosen.
    Chosen(Item),
}

/// The picker's state: every item, the query and the items matching it, best first.
pub struct Picker {
    /// What it lists.
    pub kind: Kind,
    items: Vec<Item>,
    /// The query typed.
    pub query: String,
    /// The items that match the query, best first.
    pub shown: Vec<Item>,
    cursor: Cursor,
    matcher: Matcher,
}

impl Picker {
    /// A picker over the files or the functions of `names`.
    pub fn new(kind: Kind, names: &Names) -> Picker {
        let items = match kind {
            Kind::Files => names
                .files
                .iter()
                .map(|f| Item {
                    label: f.clone(),
                    file: f.clone(),
                    line: None,
                })
                .collect(),
            Kind::Functions => names
                .functions
                .iter()
                .filter_map(|f| {
                    let file = f.file.clone()?;
                    let at = f.line.map_or(String::new(), |l| format!(":{l}"));
                    Some(Item {
                        label: format!("{}  {}{at}", f.name, basename(&file)),
                        file,
                        line: f.line,
                    })
                })
                .collect(),
        };
        let mut p = Picker {
            kind,
            items,
            query: String::new(),
            shown: Vec::new(),
            cursor: Cursor::default(),
            matcher: Matcher::new(Config::DEFAULT.match_paths()),
        };
        p.narrow();
        p
    }

    /// Matches the query against every item again.
    fn narrow(&mut self) {
        let pattern = Pattern::parse(&self.query, CaseMatching::Smart, Normalization::Smart);
        self.shown = pattern
            .match_list(self.items.iter(), &mut self.matcher)
            .into_iter()
            .map(|(item, _)| item.clone())
            .collect();
        self.cursor = Cursor::default();
    }

    /// Handles a key: text narrows, Up/Down move, Enter chooses, Esc closes.
    pub fn key(&mut self, code: KeyCode) -> Outcome {
        match code {
            KeyCode::Esc => return Outcome::Closed,
            KeyCode::Enter => {
                return match self.shown.get(self.cursor.at) {
                    Some(item) => Outcome::Chosen(item.clone()),
                    None => Outcome::Closed,
                };
            }
            KeyCode::Up => self.cursor.move_by(-1, self.shown.len()),
            KeyCode::Down => self.cursor.move_by(1, self.shown.len()),
            KeyCode::PageUp => self.cursor.move_by(-10, self.shown.len()),
            KeyCode::PageDown => self.cursor.move_by(10, self.shown.len()),
            KeyCode::Backspace => {
                self.query.pop();
                self.narrow();
            }
            KeyCode::Char(c) => {
                self.query.push(c);
                self.narrow();
            }
            _ => {}
        }
        Outcome::Open
    }

    /// Draws the picker as a box over `area`.
    pub fn draw(&mut self, f: &mut Frame, area: Rect) {
        let title = match self.kind {
            Kind::Files => " Open file ",
            Kind::Functions => " Functions ",
        };
        let title = format!("{title}({}/{}) ", self.shown.len(), self.items.len());
        let block = block(title, true);
        let inner = block.inner(area);
        f.render_widget(Clear, area);
        f.render_widget(block, area);
        let height = inner.height.saturating_sub(1) as usize;
        let top = self.cursor.scroll(height);
        let mut lines = vec![Line::raw(format!("> {}█", self.query))];
        lines.extend(
            self.shown
                .iter()
                .enumerate()
                .skip(top)
                .take(height)
                .map(|(i, item)| {
                    let style = if i == self.cursor.at {
                        Style::new().add_modifier(Modifier::REVERSED)
                    } else {
                        Style::new()
                    };
                    Line::styled(item.label.clone(), style)
                }),
        );
        f.render_widget(Paragraph::new(lines), inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use debugger::report::FunctionName;

    fn names() -> Names {
        let f = |name: &str, line| FunctionName {
            name: name.into(),
            file: Some("/src/demo/structs.c".into()),
            line: Some(line),
        };
        Names {
            functions: vec![f("area", 10), f("main", 30), f("make_rect", 20)],
            files: vec!["/src/demo/structs.c".into(), "/usr/include/stdio.h".into()],
        }
    }

    #[test]
    fn a_query_narrows_to_fuzzy_matches_best_first() {
        let mut p = Picker::new(Kind::Functions, &names());
        assert_eq!(p.shown.len(), 3);
        for c in "mkr".chars() {
            p.key(KeyCode::Char(c));
        }
        let labels: Vec<&str> = p.shown.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["make_rect  structs.c:20"]);
        assert_eq!(
            p.key(KeyCode::Enter),
            Outcome::Chosen(Item {
                label: "make_rect  structs.c:20".into(),
                file: "/src/demo/structs.c".into(),
                line: Some(20),
            })
        );
    }

    #[test]
    fn files_match_by_path_and_backspace_widens() {
        let mut p = Picker::new(Kind::Files, &names());
        for c in "stdio".chars() {
            p.key(KeyCode::Char(c));
        }
        assert_eq!(p.shown.len(), 1);
        assert_eq!(p.shown[0].file, "/usr/include/stdio.h");
        for _ in 0..5 {
            p.key(KeyCode::Backspace);
        }
        assert_eq!(p.shown.len(), 2);
        p.key(KeyCode::Char('q'));
        p.key(KeyCode::Char('q'));
        assert!(p.shown.is_empty());
        assert_eq!(p.key(KeyCode::Enter), Outcome::Closed);
    }
}
