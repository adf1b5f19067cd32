//! The memory pane: linear memory as hex and ASCII, 16 bytes a row, at an address or expression
//! (`m` on a variable, or `memory EXPR` typed on the command line), with the bytes written since
//! the last stop in yellow, watched ranges underlined and the range of the watchpoint that
//! stopped the program in red; below, the Wasm operand stack and globals. Up and Down scroll.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use debugger::report::{BreakpointKind, Machine, MemoryBlock, StopReason};

use super::model::Model;
use super::pane::block;

/// Bytes per row: 16, or 8 or 4 when the pane is narrow.
fn row_len(width: u16) -> usize {
    [16, 8, 4]
        .into_iter()
        .find(|n| 16 + 4 * n <= width as usize)
        .unwrap_or(4)
}

/// The memory pane's scroll, in rows.
#[derive(Default)]
pub struct MemoryPane {
    /// The first row shown.
    pub top: usize,
}

/// How one byte is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Plain,
    /// Written since the last stop.
    Changed,
    /// In a watched range.
    Watched,
    /// In the range of the watchpoint that stopped the program.
    Hit,
}

impl Mark {
    fn style(self) -> Style {
        match self {
            Mark::Plain => Style::new(),
            Mark::Changed => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Mark::Watched => Style::new().add_modifier(Modifier::UNDERLINED),
            Mark::Hit => Style::new().fg(Color::White).bg(Color::Red),
        }
    }
}

impl MemoryPane {
    /// Draws the pane.
    pub fn draw(&mut self, m: &Model, f: &mut Frame, area: Rect, focused: bool) {
        let title = match &m.memory {
            Some((expr, _)) => format!(" Memory: {expr} "),
            None => " Memory ".into(),
        };
        let block = block(title, focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let machine = machine_lines(m);
        let [hex, wasm] = Layout::vertical([
            Constraint::Min(2),
            Constraint::Length((machine.len() as u16).min(inner.height / 2)),
        ])
        .areas(inner);
        f.render_widget(Paragraph::new(machine), wasm);
        let lines: Vec<Line> = match &m.memory {
            None => vec![Line::raw("`m` on a variable, or `memory EXPR`")],
            Some((_, Err(e))) => vec![Line::styled(e.clone(), Style::new().fg(Color::Red))],
            Some((_, Ok(block))) => {
                let bytes = block_bytes(block);
                let marks = marks(m, block, &bytes);
                let n = row_len(hex.width);
                let rows = bytes.len().div_ceil(n);
                self.top = self.top.min(rows.saturating_sub(1));
                (self.top..rows)
                    .take(hex.height as usize)
                    .map(|r| {
                        let span = r * n..((r + 1) * n).min(bytes.len());
                        hex_row(
                            block.addr + span.start as u64,
                            &bytes[span.clone()],
                            &marks[span],
                            n,
                        )
                    })
                    .collect()
            }
        };
        f.render_widget(Paragraph::new(lines), hex);
    }
}

/// A block's bytes (its units are one byte each, in hex).
fn block_bytes(block: &MemoryBlock) -> Vec<u8> {
    block
        .units
        .iter()
        .map(|u| u8::from_str_radix(u.value.trim_start_matches("0x"), 16).unwrap_or(0))
        .collect()
}

/// Each byte's mark: the watchpoint hit first, then other watched ranges, then changed bytes.
fn marks(m: &Model, block: &MemoryBlock, bytes: &[u8]) -> Vec<Mark> {
    let hit = match m.stop.as_ref().map(|s| &s.reason) {
        Some(StopReason::Watchpoint { number, .. }) => Some(*number),
        _ => None,
    };
    let ranges: Vec<(u64, u64, bool)> = m
        .breakpoints
        .iter()
        .filter_map(|b| match &b.kind {
            BreakpointKind::Watchpoint { addr, len, .. } => {
                Some((*addr, *addr + u64::from(*len), hit == Some(b.number)))
            }
            BreakpointKind::Breakpoint { .. } => None,
        })
        .collect();
    let before = m
        .memory_before
        .as_ref()
        .filter(|b| b.addr == block.addr)
        .map(block_bytes);
    (0..bytes.len())
        .map(|i| {
            let addr = block.addr + i as u64;
            let watched = ranges.iter().find(|(lo, hi, _)| (*lo..*hi).contains(&addr));
            match watched {
                Some((_, _, true)) => Mark::Hit,
                Some(_) => Mark::Watched,
                None if before
                    .as_ref()
                    .is_some_and(|b| b.get(i).is_some_and(|old| *old != bytes[i])) =>
                {
                    Mark::Changed
                }
                None => Mark::Plain,
            }
        })
        .collect()
}

/// `0x000112e0  01 00 00 00 02 00 ...  |................|`, each byte styled by its mark, a
/// short last row padded to `width` bytes.
fn hex_row(addr: u64, row: &[u8], marks: &[Mark], width: usize) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!("{addr:#010x} "),
        Style::new().fg(Color::DarkGray),
    )];
    for (b, mark) in row.iter().zip(marks) {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(format!("{b:02x}"), mark.style()));
    }
    spans.push(Span::raw(
        " ".repeat(3 * width.saturating_sub(row.len()) + 2),
    ));
    spans.push(Span::raw("|"));
    for (&b, mark) in row.iter().zip(marks) {
        let c = if b.is_ascii_graphic() || b == b' ' {
            b as char
        } else {
            '.'
        };
        spans.push(Span::styled(c.to_string(), mark.style()));
    }
    spans.push(Span::raw("|"));
    Line::from(spans)
}

/// The operand stack (top last) and the globals, a line each.
fn machine_lines(m: &Model) -> Vec<Line<'static>> {
    let heading = |t: String| Line::styled(t, Style::new().fg(Color::Cyan));
    match &m.machine {
        None => Vec::new(),
        Some(Err(e)) => vec![Line::styled(e.clone(), Style::new().fg(Color::Red))],
        Some(Ok(Machine {
            function,
            operands,
            globals,
        })) => {
            let stack: Vec<String> = operands.iter().map(|v| format!("{v:#x}")).collect();
            let mut lines = vec![
                heading(format!("Operand stack of {function} ({})", operands.len())),
                Line::raw(format!(" [{}]", stack.join(", "))),
                heading("Globals".into()),
            ];
            lines.extend(globals.iter().map(|g| {
                let name = g.name.as_deref().unwrap_or("");
                Line::raw(format!(" {} {name} {} = {}", g.index, g.ty, g.value))
            }));
            lines
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Mark, hex_row};

    #[test]
    fn a_row_shows_hex_and_printable_ascii() {
        let text = |row: ratatui::text::Line| -> String {
            row.spans.iter().map(|s| s.content.as_ref()).collect()
        };
        let row = hex_row(0x10, b"AB\0\n", &[Mark::Plain; 4], 4);
        assert_eq!(text(row), "0x00000010  41 42 00 0a  |AB..|");
        let short = hex_row(0x14, b"C", &[Mark::Changed], 4);
        assert_eq!(text(short), "0x00000014  43           |C|");
    }
}
