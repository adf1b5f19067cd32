//! The line prompt at a terminal (`--cli`): line editing and history kept between sessions
//! (rustyline), completion of commands, `info` words, functions and files, and an empty line that
//! repeats the last `next`, `step`, `continue`, `x` or `list`, as in gdb.

use std::borrow::Cow;
use std::path::PathBuf;

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

/// The prompt gdb users know.
pub const PROMPT: &str = "(wrt-dbg) ";

/// Completes from the command language and the module's names.
struct Names(Vec<String>);

impl Completer for Names {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        Ok(debugger::command::complete(line, pos, &self.0))
    }
}

impl Hinter for Names {
    type Hint = String;
}

impl Highlighter for Names {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(&'s self, prompt: &'p str, _: bool) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Validator for Names {}

impl Helper for Names {}

/// A line editor over the terminal.
pub struct Prompt {
    editor: Editor<Names, FileHistory>,
    history: Option<PathBuf>,
    last: Option<String>,
}

impl Prompt {
    /// A prompt completing `names`, its history in `history` when given. A history that cannot
    /// be used (not a regular file, too large, not text) is not kept, with a warning on stderr.
    pub fn new(names: Vec<String>, mut history: Option<PathBuf>) -> rustyline::Result<Prompt> {
        let mut editor = Editor::new()?;
        editor.set_helper(Some(Names(names)));
        if let Some(h) = &history {
            // Checked as every file we read is, then read by the editor in its own format.
            match debugger::input::read_text(h, debugger::input::MAX_HISTORY_BYTES) {
                Ok(_) => {
                    let _ = editor.load_history(h);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    eprintln!("wrt-dbg: warning: history {} not used: {e}", h.display());
                    history = None;
                }
            }
        }
        Ok(Prompt {
            editor,
            history,
            last: None,
        })
    }

    /// The next line to run: an empty line repeats the last repeatable one; Ctrl-C clears the
    /// line; `None` at the end of input.
    pub fn read(&mut self) -> Option<String> {
        loop {
            match self.editor.readline(PROMPT) {
                Ok(line) if line.trim().is_empty() => {
                    if let Some(last) = self.last.clone() {
                        return Some(last);
                    }
                }
                Ok(line) => {
                    let line = line.trim().to_string();
                    let _ = self.editor.add_history_entry(&line);
                    self.last = debugger::command::repeats(&line).then(|| line.clone());
                    return Some(line);
                }
                Err(ReadlineError::Interrupted) => {}
                Err(_) => return None,
            }
        }
    }
}

impl Drop for Prompt {
    fn drop(&mut self) {
        if let Some(h) = &self.history {
            if let Some(dir) = h.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = self.editor.save_history(h);
        }
    }
}
