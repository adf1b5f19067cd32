//! The key map: which keys run, step and set breakpoints, from a preset and the user's
//! `~/.config/wrt-dbg/tui.toml`. Global keys work everywhere, the command line included; pane keys
//! only while a pane has the focus (gdb's single-key mode).

use std::collections::HashMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

/// What a bound key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Run, or continue; interrupt while running.
    Continue,
    /// `next`.
    Next,
    /// `step`.
    Step,
    /// `finish`.
    Finish,
    /// Set or delete a breakpoint on the source cursor's line.
    Breakpoint,
    /// `up`.
    Up,
    /// `down`.
    Down,
    /// `run`.
    Run,
    /// Zoom the focused pane.
    Zoom,
    /// Open a source file by name (fuzzy).
    OpenFile,
    /// Go to a function from the list of all (fuzzy).
    Functions,
    /// Quit.
    Quit,
}

/// Key bindings: global ones and those of pane mode.
#[derive(Debug, Clone)]
pub struct Keymap {
    global: HashMap<(KeyCode, KeyModifiers), Action>,
    pane: HashMap<(KeyCode, KeyModifiers), Action>,
}

/// `~/.config/wrt-dbg/tui.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `fkeys` (F5 continue, F9 breakpoint, F10 next, F11 step, Shift-F11 finish, as in Visual
    /// Studio and WinDbg) or `gdb` (c n s f b u d r z q in pane mode only).
    pub preset: Option<String>,
    /// Keys for actions, beside the preset's: `next = "F8"`, `finish = "S-F8"`.
    #[serde(default)]
    pub keys: HashMap<Action, String>,
    /// Keys for actions in pane mode.
    #[serde(default)]
    pub pane_keys: HashMap<Action, String>,
    /// The layout.
    #[serde(default)]
    pub layout: Layout,
}

/// Pane sizes, in percent of the screen.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Layout {
    /// The side column's width (stack, variables, breakpoints...).
    pub side: u16,
    /// The command line and output's height (8 to 16 rows).
    pub bottom: u16,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            side: 38,
            bottom: 33,
        }
    }
}

const FKEYS: &[(&str, Action)] = &[
    ("F5", Action::Continue),
    ("F9", Action::Breakpoint),
    ("F10", Action::Next),
    ("F11", Action::Step),
    ("S-F11", Action::Finish),
    ("C-o", Action::OpenFile),
    ("C-t", Action::Functions),
    ("C-q", Action::Quit),
];

const LETTERS: &[(&str, Action)] = &[
    ("c", Action::Continue),
    ("n", Action::Next),
    ("s", Action::Step),
    ("f", Action::Finish),
    ("b", Action::Breakpoint),
    ("u", Action::Up),
    ("d", Action::Down),
    ("r", Action::Run),
    ("z", Action::Zoom),
    ("o", Action::OpenFile),
    ("t", Action::Functions),
    ("q", Action::Quit),
];

/// A key as written in the configuration: `F5`, `S-F11`, `C-q`, `n`, `Space`.
pub fn parse_key(s: &str) -> Result<(KeyCode, KeyModifiers), String> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = s;
    loop {
        if let Some(r) = rest.strip_prefix("S-") {
            mods |= KeyModifiers::SHIFT;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("C-") {
            mods |= KeyModifiers::CONTROL;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("A-") {
            mods |= KeyModifiers::ALT;
            rest = r;
        } else {
            break;
        }
    }
    let code = match rest {
        "Space" => KeyCode::Char(' '),
        "Enter" => KeyCode::Enter,
        f if f.starts_with('F') && f.len() > 1 => {
            KeyCode::F(f[1..].parse().map_err(|_| format!("`{s}` is not a key"))?)
        }
        c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
        _ => {
            return Err(format!(
                "`{s}` is not a key (F1-F12, S-, C-, A-, a letter, Space)"
            ));
        }
    };
    Ok((code, mods))
}

fn table(keys: &[(&str, Action)]) -> HashMap<(KeyCode, KeyModifiers), Action> {
    keys.iter()
        .filter_map(|(k, a)| Some((parse_key(k).ok()?, *a)))
        .collect()
}

impl Keymap {
    /// The map a configuration asks for; an unknown preset or key is an error naming it.
    pub fn from_config(c: &Config) -> Result<Keymap, String> {
        let mut map = match c.preset.as_deref() {
            None | Some("fkeys") => Keymap {
                global: table(FKEYS),
                pane: table(LETTERS),
            },
            Some("gdb") => Keymap {
                global: table(&[("C-q", Action::Quit)]),
                pane: table(LETTERS),
            },
            Some(other) => return Err(format!("preset `{other}`: give fkeys or gdb")),
        };
        for (action, key) in &c.keys {
            map.global.insert(parse_key(key)?, *action);
        }
        for (action, key) in &c.pane_keys {
            map.pane.insert(parse_key(key)?, *action);
        }
        Ok(map)
    }

    /// Reads `text` as a configuration.
    pub fn parse(text: &str) -> Result<(Keymap, Layout), String> {
        let c: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        Ok((Keymap::from_config(&c)?, c.layout))
    }

    /// The global action of a key.
    pub fn global(&self, k: &KeyEvent) -> Option<Action> {
        self.global.get(&(k.code, k.modifiers)).copied()
    }

    /// The pane-mode action of a key.
    pub fn pane(&self, k: &KeyEvent) -> Option<Action> {
        self.pane.get(&(k.code, k.modifiers)).copied()
    }
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::from_config(&Config::default()).unwrap_or(Keymap {
            global: HashMap::new(),
            pane: HashMap::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn presets_and_the_users_keys() {
        let (fkeys, layout) = Keymap::parse("").unwrap();
        assert_eq!(
            fkeys.global(&key(KeyCode::F(10), KeyModifiers::NONE)),
            Some(Action::Next)
        );
        assert_eq!(
            fkeys.global(&key(KeyCode::F(11), KeyModifiers::SHIFT)),
            Some(Action::Finish)
        );
        assert_eq!(layout.side, 38);

        let text = "preset = \"gdb\"\n[keys]\nnext = \"F8\"\n[layout]\nside = 30\n";
        let (gdb, layout) = Keymap::parse(text).unwrap();
        assert_eq!(gdb.global(&key(KeyCode::F(10), KeyModifiers::NONE)), None);
        assert_eq!(
            gdb.global(&key(KeyCode::F(8), KeyModifiers::NONE)),
            Some(Action::Next)
        );
        assert_eq!(
            gdb.pane(&key(KeyCode::Char('n'), KeyModifiers::NONE)),
            Some(Action::Next)
        );
        assert_eq!((layout.side, layout.bottom), (30, 33));
    }

    #[test]
    fn a_bad_configuration_says_what_is_wrong() {
        assert!(
            Keymap::parse("preset = \"emacs\"")
                .unwrap_err()
                .contains("emacs")
        );
        assert!(
            Keymap::parse("[keys]\nnext = \"F99x\"")
                .unwrap_err()
                .contains("F99x")
        );
        assert!(Keymap::parse("[keys]\nfly = \"F8\"").is_err());
        assert!(Keymap::parse("colour = 1").unwrap_err().contains("colour"));
    }
}
