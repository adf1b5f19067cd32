//! Where a breakpoint, `until` or `list` points: a source line, a function or a code offset,
//! parsed once from gdb's linespec text (`FILE:LINE[:COLUMN]`, `LINE`, `FUNCTION`, `*OFFSET`).

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A place in the program, as a front-end names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// A source line: in `file` (by its name or a path suffix), or without one in the selected
    /// frame's file (else `main`'s).
    Line {
        /// The source file.
        file: Option<String>,
        /// 1-based line; a line without code means the next one that has code.
        line: u32,
        /// 1-based column: the statement that starts there or after it on the line.
        column: Option<u32>,
    },
    /// A function's first line after its prologue, or an inlined function's entries.
    Function(String),
    /// A code offset (an offset into the code section, as DWARF counts).
    Address(u64),
}

impl Location {
    /// Reads gdb's text for a location. A line or column is decimal, as gdb reads it; one that
    /// does not fit in 32 bits is refused, and so is an offset past 32-bit code.
    pub fn parse(text: &str) -> Result<Location, Error> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::Usage("Argument required (a location).".into()));
        }
        if let Some(off) = text.strip_prefix('*') {
            let addr = crate::argument::integer(off, 0, u32::MAX.into())? as u64;
            return Ok(Location::Address(addr));
        }
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        let decimal = |s: &str| {
            s.parse::<u32>()
                .map_err(|_| Error::Usage(format!("`{s}` is too large: at most {}", u32::MAX)))
        };
        if digits(text) {
            return Ok(Location::Line {
                file: None,
                line: decimal(text)?,
                column: None,
            });
        }
        let Some((head, last)) = text.rsplit_once(':').filter(|(_, l)| digits(l)) else {
            return Ok(Location::Function(text.to_string()));
        };
        let (file, line, column) = match head.rsplit_once(':') {
            Some((file, line)) if digits(line) && !file.is_empty() => {
                (file, decimal(line)?, Some(decimal(last)?))
            }
            _ => (head, decimal(last)?, None),
        };
        Ok(Location::Line {
            file: Some(file.to_string()),
            line,
            column,
        })
    }
}

/// The location as gdb writes it, which [`Location::parse`] reads back.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line { file, line, column } => {
                if let Some(file) = file {
                    write!(f, "{file}:")?;
                }
                write!(f, "{line}")?;
                match column {
                    Some(c) => write!(f, ":{c}"),
                    None => Ok(()),
                }
            }
            Location::Function(name) => f.write_str(name),
            Location::Address(addr) => write!(f, "*{addr:#x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(file: Option<&str>, line: u32, column: Option<u32>) -> Location {
        Location::Line {
            file: file.map(str::to_string),
            line,
            column,
        }
    }

    #[test]
    fn every_linespec_form_reads_and_writes_back() {
        let cases = [
            ("vec.c:38", line(Some("vec.c"), 38, None)),
            ("src/vec.c:38:5", line(Some("src/vec.c"), 38, Some(5))),
            ("38", line(None, 38, None)),
            ("main", Location::Function("main".into())),
            ("ns::f", Location::Function("ns::f".into())),
            ("*0x1a", Location::Address(0x1a)),
            ("C:\\src\\vec.c:3", line(Some("C:\\src\\vec.c"), 3, None)),
        ];
        for (text, want) in cases {
            let got = Location::parse(text).unwrap();
            assert_eq!(got, want, "{text}");
            assert_eq!(Location::parse(&got.to_string()).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn numbers_past_their_bounds_are_refused_by_name() {
        let e = Location::parse("vec.c:99999999999")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("99999999999") && e.contains("at most 4294967295"),
            "{e}"
        );
        let e = Location::parse("*0x100000000").unwrap_err().to_string();
        assert!(e.contains("too large"), "{e}");
        assert!(Location::parse("  ").is_err());
    }
}
