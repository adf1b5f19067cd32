//! The memory pane: linear memory as hex and ASCII, 16 bytes a row, at an address or expression
//! (`m` on a variable, or `memory EXPR` typed on the command line); Up and Down scroll it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

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
        let lines: Vec<Line> = match &m.memory {
            None => vec![Line::raw("`m` on a variable, or `memory EXPR`")],
            Some((_, Err(e))) => vec![Line::styled(e.clone(), Style::new().fg(Color::Red))],
            Some((_, Ok(block))) => {
                let bytes: Vec<u8> = block
                    .units
                    .iter()
                    .map(|u| u8::from_str_radix(u.value.trim_start_matches("0x"), 16).unwrap_or(0))
                    .collect();
                let n = row_len(inner.width);
                let rows = bytes.len().div_ceil(n);
                self.top = self.top.min(rows.saturating_sub(1));
                bytes
                    .chunks(n)
                    .enumerate()
                    .skip(self.top)
                    .take(inner.height as usize)
                    .map(|(r, row)| Line::raw(hex_row(block.addr + (r * n) as u64, row)))
                    .collect()
            }
        };
        f.render_widget(Paragraph::new(lines), inner);
    }
}

/// `0x000112e0  01 00 00 00 02 00 ...  |................|`.
fn hex_row(addr: u64, row: &[u8]) -> String {
    let hex: Vec<String> = row.iter().map(|b| format!("{b:02x}")).collect();
    let ascii: String = row
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    format!(
        "{addr:#010x}  {:<w$}  |{ascii}|",
        hex.join(" "),
        w = row.len() * 3 - 1
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_row_shows_hex_and_printable_ascii() {
        assert_eq!(
            super::hex_row(0x10, b"AB\0\n"),
            "0x00000010  41 42 00 0a  |AB..|"
        );
    }
}
