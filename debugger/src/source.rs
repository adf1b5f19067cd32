//! Source files: found where DWARF names them or by name in the source directories, read once
//! (within [`crate::input::MAX_SOURCE_BYTES`]) and kept; lines are handed out from the kept text.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::Error;
pub use crate::report::basename;
use crate::report::{SourceLine, SourceLines};

/// A source file's text and where each line starts.
#[derive(Debug)]
pub(crate) struct SourceFile {
    text: String,
    starts: Vec<usize>,
}

impl SourceFile {
    fn new(text: String) -> SourceFile {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&i| i < text.len())
            .collect();
        SourceFile { text, starts }
    }

    /// The number of lines.
    pub(crate) fn len(&self) -> u32 {
        self.starts.len() as u32
    }

    /// Line `n` (1-based) without its line ending.
    pub(crate) fn line(&self, n: u32) -> Option<&str> {
        let i = (n as usize).checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
        let line = &self.text[start..end];
        let line = line.strip_suffix('\n').unwrap_or(line);
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// The source files read so far (or why each could not be), and the directories searched for
/// them by name.
#[derive(Debug, Default)]
pub struct Sources {
    /// Directories searched for a file by its name when the path DWARF gives cannot be read.
    pub dirs: Vec<PathBuf>,
    files: HashMap<String, Result<Arc<SourceFile>, String>>,
    /// Where the next bare `list` goes on: the file and the line it centres on.
    pub(crate) last: Option<(String, u32)>,
}

impl Sources {
    /// The file DWARF names `file`, read on first use; or why it cannot be shown: the first
    /// reason other than absence, among the path DWARF gives and the source directories.
    pub(crate) fn get(&mut self, file: &str) -> Result<Arc<SourceFile>, String> {
        if let Some(cached) = self.files.get(file) {
            return cached.clone();
        }
        let name = basename(file).to_string();
        let mut why = None;
        let mut found = None;
        for path in
            std::iter::once(PathBuf::from(file)).chain(self.dirs.iter().map(|d| d.join(&name)))
        {
            match crate::input::read_text(&path, crate::input::MAX_SOURCE_BYTES) {
                Ok(text) => {
                    found = Some(Arc::new(SourceFile::new(text)));
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    why.get_or_insert_with(|| format!("cannot show {}: {e}", path.display()));
                }
            }
        }
        let read = found
            .ok_or_else(|| why.unwrap_or_else(|| format!("{file}: No such file or directory.")));
        self.files.insert(file.to_string(), read.clone());
        read
    }

    /// Adds a directory to search; files not found before are looked for again.
    pub fn add_dir(&mut self, dir: PathBuf) {
        self.dirs.push(dir);
        self.files.retain(|_, f| f.is_ok());
    }

    /// Every line of `file`.
    pub fn whole(&mut self, file: &str) -> Result<SourceLines, Error> {
        let text = self.get(file).map_err(Error::File)?;
        Ok(SourceLines {
            file: file.to_string(),
            first: 1,
            lines: (1..=text.len())
                .filter_map(|n| text.line(n).map(str::to_string))
                .collect(),
        })
    }

    /// Line `line` of `file`; a later bare `list` centres on it.
    pub fn line(&mut self, file: &str, line: u32) -> SourceLine {
        self.last = Some((file.to_string(), line));
        SourceLine {
            file: file.to_string(),
            line,
            text: self
                .get(file)
                .ok()
                .and_then(|f| f.line(line).map(str::to_string)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SourceFile;

    #[test]
    fn lines_come_from_the_kept_text_without_their_endings() {
        let f = SourceFile::new("a\r\nb\n\nlast".into());
        assert_eq!(f.len(), 4);
        assert_eq!(f.line(1), Some("a"));
        assert_eq!(f.line(2), Some("b"));
        assert_eq!(f.line(3), Some(""));
        assert_eq!(f.line(4), Some("last"));
        assert_eq!(f.line(0), None);
        assert_eq!(f.line(5), None);
        assert_eq!(SourceFile::new("x\n".into()).len(), 1);
    }
}
