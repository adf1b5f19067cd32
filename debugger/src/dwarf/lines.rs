//! The line table: every row of every unit's line program, sorted by address. It answers
//! file:line to breakpoint addresses, whether an address starts a statement (for stepping), and
//! where a function's prologue ends.

use gimli::{Dwarf, Reader as _};

use super::{Damage, Reader, tidy_path};

/// Addresses at or past this are tombstones lld writes for code it dropped.
const TOMBSTONE: u64 = 0xffff_fff0;

/// One row of a line program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRow {
    /// Code offset the row starts at.
    pub addr: u64,
    /// Index into [`LineTable::files`].
    pub file: u32,
    /// 1-based line; 0 for compiler-generated code.
    pub line: u32,
    /// 1-based column; 0 for none.
    pub column: u32,
    /// A recommended breakpoint location: the start of a statement.
    pub is_stmt: bool,
    /// The first address after the function's prologue.
    pub prologue_end: bool,
    /// The first address past a sequence: no code of this sequence is here.
    pub end: bool,
}

/// All line rows of a module.
#[derive(Debug, Default)]
pub struct LineTable {
    /// File paths, as the compiler named them.
    pub files: Vec<String>,
    rows: Vec<LineRow>,
}

impl LineTable {
    /// Reads the line programs of `units`. A program that turns out malformed keeps the
    /// sequences it ended before the bad bytes; the rest of it goes in `damage`.
    pub fn read(
        dwarf: &Dwarf<Reader>,
        units: &[gimli::Unit<Reader>],
        damage: &mut Vec<Damage>,
    ) -> LineTable {
        let mut table = LineTable::default();
        let mut sequences: Vec<Vec<LineRow>> = Vec::new();
        for unit in units {
            let Some(program) = unit.line_program.clone() else {
                continue;
            };
            let at = program.header().offset().0 as u64;
            // By the row's file index, which malformed DWARF may make huge: a map, not a table.
            let mut file_ids = std::collections::HashMap::new();
            let mut rows = program.rows();
            let mut seq = Vec::new();
            loop {
                let (header, row) = match rows.next_row() {
                    Ok(Some(next)) => next,
                    Ok(None) => break,
                    Err(e) => {
                        damage.push(Damage::new(".debug_line", at, e));
                        break;
                    }
                };
                let id = *file_ids.entry(row.file_index()).or_insert_with(|| {
                    let name = header
                        .file(row.file_index())
                        .map(|f| file_path(dwarf, unit, header, f))
                        .unwrap_or_default();
                    table.file_id(name)
                });
                seq.push(LineRow {
                    addr: row.address(),
                    file: id,
                    line: row.line().map_or(0, |l| l.get() as u32),
                    column: match row.column() {
                        gimli::ColumnType::LeftEdge => 0,
                        gimli::ColumnType::Column(c) => c.get() as u32,
                    },
                    is_stmt: row.is_stmt(),
                    prologue_end: row.prologue_end(),
                    end: row.end_sequence(),
                });
                if row.end_sequence() {
                    let start = seq[0].addr;
                    if start != 0 && start < TOMBSTONE {
                        sequences.push(std::mem::take(&mut seq));
                    }
                    seq.clear();
                }
            }
        }
        sequences.sort_by_key(|s| s[0].addr);
        table.rows = sequences.into_iter().flatten().collect();
        table
    }

    fn file_id(&mut self, name: String) -> u32 {
        match self.files.iter().position(|f| *f == name) {
            Some(i) => i as u32,
            None => {
                self.files.push(name);
                self.files.len() as u32 - 1
            }
        }
    }

    /// The row whose code covers `addr`.
    pub fn row_at(&self, addr: u64) -> Option<&LineRow> {
        let i = self.rows.partition_point(|r| r.addr <= addr);
        let row = self.rows.get(i.checked_sub(1)?)?;
        (!row.end).then_some(row)
    }

    /// The statement-starting row that begins exactly at `addr`, if one does.
    pub fn stmt_at(&self, addr: u64) -> Option<&LineRow> {
        let i = self.rows.partition_point(|r| r.addr < addr);
        self.rows[i..]
            .iter()
            .take_while(|r| r.addr == addr)
            .find(|r| r.is_stmt && !r.end)
    }

    /// Every statement start in `range`, in address order.
    pub fn stmts_in(&self, range: std::ops::Range<u64>) -> impl Iterator<Item = &LineRow> {
        let i = self.rows.partition_point(|r| r.addr < range.start);
        self.rows[i..]
            .iter()
            .take_while(move |r| r.addr < range.end)
            .filter(|r| r.is_stmt && !r.end)
    }

    /// The files a user's `name` means: the same path, or a path ending in `/name`.
    pub fn files_named(&self, name: &str) -> Vec<u32> {
        let suffix = format!("/{}", name.trim_start_matches("./"));
        (0..self.files.len() as u32)
            .filter(|&i| {
                let f = &self.files[i as usize];
                f == name || f.ends_with(&suffix)
            })
            .collect()
    }

    /// Where a breakpoint on `line` of `files` goes: the first line at or after it that has code,
    /// and the addresses where that line begins a statement (not its continuations within a run
    /// of rows of the same line).
    pub fn line_addresses(&self, files: &[u32], line: u32) -> Option<(u32, Vec<u64>)> {
        let in_files = |r: &LineRow| files.contains(&r.file) && r.is_stmt && !r.end;
        let target = self
            .rows
            .iter()
            .filter(|r| in_files(r) && r.line >= line)
            .map(|r| r.line)
            .min()?;
        let mut addrs = Vec::new();
        for (i, r) in self.rows.iter().enumerate() {
            if !in_files(r) || r.line != target {
                continue;
            }
            let continues = i > 0 && {
                let p = &self.rows[i - 1];
                !p.end && p.file == r.file && p.line == r.line
            };
            if !continues {
                addrs.push(r.addr);
            }
        }
        Some((target, addrs))
    }

    /// The file path of a row.
    pub fn file(&self, row: &LineRow) -> &str {
        &self.files[row.file as usize]
    }

    /// The module-file offset of every statement start and prologue end (the code starting at
    /// `code_start`), sorted, once each: where the code must have an instruction for a debugger
    /// to stop on each statement.
    pub fn boundaries(&self, code_start: u64) -> Vec<u32> {
        let mut at: Vec<u32> = self
            .rows
            .iter()
            .filter(|r| (r.is_stmt || r.prologue_end) && !r.end)
            .filter_map(|r| u32::try_from(r.addr + code_start).ok())
            .collect();
        at.sort_unstable();
        at.dedup();
        at
    }

    /// Every source file the line table names.
    pub fn files(&self) -> &[String] {
        &self.files
    }
}

/// A file entry's full path: directory joined with name, unless the name is already absolute.
fn file_path(
    dwarf: &Dwarf<Reader>,
    unit: &gimli::Unit<Reader>,
    header: &gimli::LineProgramHeader<Reader>,
    file: &gimli::FileEntry<Reader>,
) -> String {
    let text = |v: gimli::AttributeValue<Reader>| {
        dwarf
            .attr_string(unit, v)
            .ok()
            .and_then(|s| s.to_string_lossy().ok().map(|c| c.into_owned()))
    };
    let comp_dir = unit
        .comp_dir
        .as_ref()
        .and_then(|d| d.to_string_lossy().ok().map(|c| c.into_owned()));
    let mut path = text(file.path_name()).unwrap_or_default();
    for dir in [file.directory(header).and_then(text), comp_dir] {
        if path.starts_with('/') || path.contains("://") {
            break;
        }
        if let Some(dir) = dir.filter(|d| !d.is_empty()) {
            path = format!("{}/{path}", dir.trim_end_matches('/'));
        }
    }
    tidy_path(&path).to_string()
}
