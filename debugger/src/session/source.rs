//! The session's sources: the file and line a stop shows, read through the image's sources.

use crate::error::Error;
use crate::location::Location;
use crate::report::{FunctionName, Names, SourceLines};
use crate::session::Session;

impl Session {
    /// Ten lines around a location (`list LOC`), or the ten after the last listed.
    pub fn list(&mut self, location: Option<&Location>) -> Result<SourceLines, Error> {
        let (file, center) = match (location, &self.image.sources.last) {
            (None, Some((f, l))) => (f.clone(), *l),
            (loc, _) => {
                let main = Location::Function("main".into());
                let loc = loc.unwrap_or(&main);
                let addrs = self.resolve(loc)?;
                let row = addrs
                    .first()
                    .and_then(|a| self.image.dwarf.lines.row_at(*a))
                    .ok_or_else(|| Error::NoLocation(loc.to_string()))?;
                (self.image.dwarf.lines.file(row).to_string(), row.line)
            }
        };
        let text = self.image.sources.get(&file).map_err(Error::File)?;
        let first = center.saturating_sub(5).max(1);
        let last = (first + 9).min(text.len());
        let lines = (first..=last)
            .filter_map(|n| text.line(n).map(str::to_string))
            .collect();
        self.image.sources.last = Some((file.clone(), last + 6));
        Ok(SourceLines { file, first, lines })
    }

    /// Every function with the line its code starts at, and every source file.
    pub fn names(&self) -> Names {
        let lines = &self.image.dwarf.lines;
        let mut functions: Vec<FunctionName> = self
            .image
            .dwarf
            .functions
            .iter()
            .map(|f| {
                let row = lines.row_at(f.low);
                FunctionName {
                    name: f.name.clone(),
                    file: row.map(|r| lines.file(r).to_string()),
                    line: row.map(|r| r.line),
                }
            })
            .collect();
        functions.sort_by(|a, b| a.name.cmp(&b.name));
        functions.dedup_by(|a, b| a.name == b.name);
        Names {
            functions,
            files: lines.files().to_vec(),
        }
    }
}
