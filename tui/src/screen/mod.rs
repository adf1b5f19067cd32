//! The interactive front-end: panes over the engine (`wrt-dbg debug` and `attach` at a terminal).

mod app;
mod breakpoints;
mod budget;
mod console;
mod keymap;
mod link;
mod memory;
pub mod model;
mod output;
mod pane;
mod picker;
mod profile;
mod source;
mod stack;
mod status;
mod variables;
mod watch;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use ratatui::crossterm::event;

pub use app::App;
#[cfg(test)]
pub use app::Focus;
pub use model::Model;

/// wrt-dbg's configuration directory: `$XDG_CONFIG_HOME/wrt-dbg`, else `~/.config/wrt-dbg`.
pub fn config_dir() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".config"))
        })?;
    Some(base.join("wrt-dbg"))
}

/// Where the watch expressions of the program `label` names are kept: one file per program
/// under the configuration directory's `watches/`.
pub fn watch_file(label: &str) -> Option<std::path::PathBuf> {
    let name: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Some(config_dir()?.join("watches").join(format!("{name}.txt")))
}

/// Runs the TUI on an engine until `quit`, Ctrl-Q or `stop` (a signal: SIGTERM, SIGHUP, or a
/// SIGINT from `kill`, since the screen reads Ctrl-C as a key); the terminal is restored then,
/// and on a panic.
pub fn main(model: Model, stop: Arc<AtomicBool>) -> ExitCode {
    // The user's key map and layout, checked before the screen is taken; one that cannot be
    // used ends the session with status 2, as unusable input does.
    let (keys, layout) = match config_dir().map(|d| d.join("tui.toml")) {
        Some(path) if path.exists() => {
            let parsed = debugger::input::read_text(&path, debugger::input::MAX_CONFIG_BYTES)
                .map_err(|e| e.to_string())
                .and_then(|text| keymap::Keymap::parse(&text));
            match parsed {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("wrt-dbg: {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
        }
        _ => Default::default(),
    };
    let mut terminal = ratatui::init();
    let _ = ratatui::crossterm::execute!(std::io::stdout(), event::EnableMouseCapture);
    // ratatui's hook restores the screen on a panic; the mouse is given back first.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = ratatui::crossterm::execute!(std::io::stdout(), event::DisableMouseCapture);
        hook(info);
    }));
    let mut app = App::new(model);
    app.configure(keys, layout);
    if let Some(dir) = config_dir()
        && let Err(e) = app.console.keep_history(dir.join("tui-history"))
    {
        app.model.push_log(format!("warning: {e}"));
    }
    // Terminal input is read on its own thread: crossterm's reader spins on a terminal that hung
    // up, and the loop must still see the signal that ends the session.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        while let Ok(ev) = event::read() {
            if tx.send(ev).is_err() {
                break;
            }
        }
    });
    let result = app.run(
        &mut terminal,
        |t| match rx.recv_timeout(t) {
            Ok(ev) => Ok(Some(ev)),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Ok(None),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                Err(std::io::Error::other("the terminal is gone"))
            }
        },
        &stop,
    );
    let _ = ratatui::crossterm::execute!(std::io::stdout(), event::DisableMouseCapture);
    ratatui::restore();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wrt-dbg: terminal: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests;
