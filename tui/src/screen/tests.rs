//! The TUI on a real engine and fixture: keys in, the model and the drawn screen out.

use std::path::PathBuf;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use debugger::engine::Engine;
use debugger::report::StopReason;
use debugger::{Program, Session};
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB};

use super::{App, Focus, Model};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The app on fixture `name`, its sources found in the fixtures' directory.
fn app(name: &str) -> App {
    let bytes = std::fs::read(root().join(format!("tests/fixtures/wasm/{name}.wasm"))).unwrap();
    let engine = Engine::spawn(move || {
        let limits = linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
        let program = Program {
            args: vec![name_of(&bytes)],
            ..Program::default()
        };
        Session::open(bytes, &limits, program)
    })
    .unwrap();
    let mut app = App::new(Model::new(engine));
    let dir = root().join("tests/fixtures/src");
    app.model.command(&format!("directory {}", dir.display()));
    settle(&mut app);
    // The checkout's path would make the screens depend on where it is.
    app.model.log.clear();
    app
}

fn name_of(_: &[u8]) -> String {
    "fixture".into()
}

fn settle(app: &mut App) {
    app.model.settle(Duration::from_secs(20));
}

fn key(app: &mut App, code: KeyCode) {
    app.key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn type_line(app: &mut App, line: &str) {
    for c in line.chars() {
        key(app, KeyCode::Char(c));
    }
    key(app, KeyCode::Enter);
    settle(app);
}

fn top(app: &App) -> (String, Option<u32>) {
    let f = &app.model.frames[0];
    (f.function.clone(), f.line)
}

/// The screen drawn at `w` x `h`, as text.
fn screen(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let line: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn keys_drive_a_c_session_through_a_breakpoint_steps_and_a_struct() {
    let mut app = app("c-vec-O0");
    assert_eq!(
        app.focus,
        Focus::Console,
        "the command line has the focus at start"
    );
    type_line(&mut app, "break scale");
    assert_eq!(app.model.breakpoints.len(), 1);
    type_line(&mut app, "run");
    let stop = app.model.stop.clone().unwrap();
    assert!(matches!(
        stop.reason,
        StopReason::Breakpoint { number: 1, .. }
    ));
    assert_eq!(top(&app), ("scale".into(), Some(25)));
    let (file, lines) = app.model.source.clone().unwrap();
    assert!(file.ends_with("vec.c"));
    assert!(lines[24].contains("struct vec r"), "{}", lines[24]);
    let names: Vec<String> = app.model.vars.iter().map(|v| v.name.clone()).collect();
    assert_eq!(names[..2], ["v", "k"]);

    // Shift-F11 finishes, with the value returned.
    app.key(KeyEvent::new(KeyCode::F(11), KeyModifiers::SHIFT));
    settle(&mut app);
    assert_eq!(top(&app), ("main".into(), Some(39)), "{:?}", app.model.log);
    assert!(
        app.model
            .log
            .iter()
            .any(|l| l.starts_with("Value returned is $1 = {x = 1")),
        "{:?}",
        app.model.log
    );

    // Expand a struct in the variables pane.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Focus::Variables);
    let lines = app.model.var_lines();
    let at = lines.iter().position(|l| l.var.name == "sum").unwrap();
    for _ in 0..at {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let fields = |app: &App| -> Vec<String> {
        app.model
            .var_lines()
            .iter()
            .filter(|l| l.depth == 1)
            .map(|l| format!("{} = {}", l.var.name, l.var.value))
            .collect()
    };
    assert_eq!(fields(&app), ["x = 0", "y = 0", "z = 0"]);

    // F10 runs `add(&sum, &s)`: the expansion is kept, the changed fields marked.
    key(&mut app, KeyCode::F(10));
    settle(&mut app);
    assert_eq!(fields(&app), ["x = 1", "y = 2", "z = 3"]);
    let changed: Vec<String> = app
        .model
        .var_lines()
        .into_iter()
        .filter(|l| l.changed)
        .map(|l| l.var.name)
        .collect();
    assert_eq!(changed, ["sum", "x", "y", "z"]);

    // `w` watches the variable under the cursor, `m` shows its memory.
    let at = app
        .model
        .var_lines()
        .iter()
        .position(|l| l.var.name == "sum")
        .unwrap();
    let cursor = app.model.var_lines().len();
    for _ in 0..cursor {
        key(&mut app, KeyCode::Up);
    }
    for _ in 0..at {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Char('w'));
    settle(&mut app);
    assert_eq!(
        app.model.watches,
        [("sum".to_string(), Ok("{x = 1, y = 2, z = 3}".to_string()))]
    );
    key(&mut app, KeyCode::Char('m'));
    settle(&mut app);
    assert_eq!(app.focus, Focus::Memory);
    let (expr, block) = app.model.memory.clone().unwrap();
    assert_eq!(expr, "&sum");
    let block = block.unwrap();
    let first: Vec<&str> = block.units[..8].iter().map(|u| u.value.as_str()).collect();
    assert_eq!(
        first,
        ["0x1", "0x0", "0x0", "0x0", "0x2", "0x0", "0x0", "0x0"]
    );
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("0x000112f0  01 00 00 00  |....|"), "{text}");
    key(&mut app, KeyCode::Tab);

    // An empty line repeats the `next` F10 gave, as gdb repeats it.
    key(&mut app, KeyCode::Char(':'));
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let nexts = app
        .model
        .log
        .iter()
        .filter(|l| *l == "(wrt-dbg) next")
        .count();
    assert_eq!(nexts, 2, "{:?}", app.model.log);
    key(&mut app, KeyCode::Esc);

    // `x` cycles the values' format: hex, decimal, natural.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('x'));
    settle(&mut app);
    let i = app.model.vars.iter().position(|v| v.name == "i").unwrap();
    let hex = app.model.vars[i].value.clone();
    assert!(hex.starts_with("0x"), "{hex}");
    key(&mut app, KeyCode::Char('x'));
    key(&mut app, KeyCode::Char('x'));
    settle(&mut app);
    assert!(!app.model.vars[i].value.starts_with("0x"));

    // `q` in pane mode quits.
    key(&mut app, KeyCode::Char('q'));
    assert!(app.model.quit);
}

#[test]
fn the_screen_at_three_sizes() {
    let mut app = app("c-vec-O0");
    type_line(&mut app, "break scale");
    type_line(&mut app, "run");
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        insta::assert_snapshot!(format!("screen_{w}x{h}"), screen(&mut app, w, h));
    }
}

#[test]
fn each_pane_alone() {
    let mut app = app("c-vec-O0");
    type_line(&mut app, "break scale");
    type_line(&mut app, "run");
    type_line(&mut app, "watch-expr v->x * k");
    type_line(&mut app, "memory v");
    type_line(&mut app, "profile on");
    app.zoom = true;
    for pane in super::app::CYCLE {
        app.focus = pane;
        // A pane asks for what it shows when first drawn (the memory pane: the Wasm machine).
        let _ = screen(&mut app, 80, 24);
        settle(&mut app);
        insta::assert_snapshot!(format!("pane_{pane:?}"), screen(&mut app, 80, 24));
    }
}

#[test]
fn the_command_history_comes_back_next_session() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tui-history");
    let mut first = app("c-vec-O0");
    first.console.keep_history(file.clone()).unwrap();
    type_line(&mut first, "break scale");
    type_line(&mut first, "info budget");
    let mut second = app("c-vec-O0");
    second.console.keep_history(file).unwrap();
    key(&mut second, KeyCode::Up);
    assert_eq!(second.console.input, "info budget");
    key(&mut second, KeyCode::Up);
    assert_eq!(second.console.input, "break scale");
}

#[test]
fn a_history_that_is_endless_or_a_fifo_is_not_used_and_the_session_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for (file, why) in [
        (
            std::path::PathBuf::from("/dev/zero"),
            "not a regular file (a device)",
        ),
        (
            std::path::PathBuf::from("/dev/full"),
            "not a regular file (a device)",
        ),
        (fifo, "not a regular file (a FIFO)"),
    ] {
        let mut app = app("c-vec-O0");
        let err = app.console.keep_history(file.clone()).unwrap_err();
        assert!(err.contains(why), "{}: {err}", file.display());
        type_line(&mut app, "print 6*7");
        assert!(
            app.model.log.iter().any(|l| l == "$1 = 42"),
            "{:?}",
            app.model.log
        );
    }
}

#[test]
fn a_running_program_keeps_the_screen_live_and_f5_interrupts_it() {
    let mut app = app("c-spin-O0");
    key(&mut app, KeyCode::F(5));
    std::thread::sleep(Duration::from_millis(100));
    app.model.poll();
    assert!(app.model.running.is_some(), "running after F5");
    // A query while it runs is refused at once, not queued behind the run.
    type_line_nowait(&mut app, "bt");
    assert!(
        app.model
            .message
            .as_deref()
            .is_some_and(|m| m.contains("running")),
        "{:?}",
        app.model.message
    );
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("running"), "{text}");
    // The status bar counts the instructions run so far.
    let end = std::time::Instant::now() + Duration::from_secs(10);
    while app.model.executed() == 0 && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
    let text = screen(&mut app, 80, 24);
    assert!(app.model.executed() > 0, "{text}");
    assert!(text.contains(" instr "), "{text}");
    key(&mut app, KeyCode::F(5));
    settle(&mut app);
    assert!(app.model.running.is_none());
    assert_eq!(
        app.model.stop.as_ref().map(|s| s.reason.clone()),
        Some(StopReason::Interrupt)
    );
    assert!(!app.model.output.is_empty(), "the program's output arrived");
}

fn type_line_nowait(app: &mut App, line: &str) {
    for c in line.chars() {
        key(app, KeyCode::Char(c));
    }
    key(app, KeyCode::Enter);
}

#[test]
fn watch_expressions_come_back_next_session() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("watches/vec.txt");
    let mut first = app("c-vec-O0");
    first.model.keep_watches(file.clone());
    type_line(&mut first, "watch-expr sum.x");
    type_line(&mut first, "watch-expr k * 2");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "sum.x\nk * 2\n");

    let mut second = app("c-vec-O0");
    second.model.keep_watches(file);
    type_line(&mut second, "break scale");
    type_line(&mut second, "run");
    let values: Vec<(String, Result<String, String>)> = second.model.watches.clone();
    assert_eq!(values[1], ("k * 2".to_string(), Ok("2".to_string())));
    assert!(
        values[0].1.is_err(),
        "sum is not in scale's scope: {values:?}"
    );
}

#[test]
fn the_code_views_mark_the_pc_and_interleave_the_source() {
    let mut app = app("c-vec-O0");
    type_line(&mut app, "break scale");
    type_line(&mut app, "run");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('v'));
    let code = screen(&mut app, 120, 40);
    assert!(code.contains("Disassembly: scale"), "{code}");
    assert!(
        code.contains("●▶0000048b"),
        "the pc, at the breakpoint: {code}"
    );
    key(&mut app, KeyCode::Char('v'));
    let mixed = screen(&mut app, 120, 40);
    assert!(
        mixed.contains("    25      struct vec r = {v->x * k"),
        "{mixed}"
    );
}

#[test]
fn a_click_in_the_gutter_sets_a_breakpoint_and_the_wheel_scrolls() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut app = app("c-vec-O0");
    type_line(&mut app, "break scale");
    type_line(&mut app, "run");
    screen(&mut app, 120, 40);
    let click = |kind, column, row| MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // Line 26 (index 25), one row below the border.
    let row = (25 - app.source.cursor.top + 1) as u16;
    app.mouse(click(MouseEventKind::Down(MouseButton::Left), 1, row));
    settle(&mut app);
    assert_eq!(app.focus, Focus::Source);
    let lines: Vec<Option<u32>> = app
        .model
        .breakpoints
        .iter()
        .map(|b| match &b.kind {
            debugger::report::BreakpointKind::Breakpoint { locations, .. } => locations[0].line,
            _ => None,
        })
        .collect();
    assert_eq!(lines, [Some(25), Some(26)]);
    assert!(screen(&mut app, 120, 40).contains("● 26     return r;"));
    // The same click deletes it.
    app.mouse(click(MouseEventKind::Down(MouseButton::Left), 1, row));
    settle(&mut app);
    assert_eq!(app.model.breakpoints.len(), 1);
    let top = app.source.cursor.at;
    app.mouse(click(MouseEventKind::ScrollDown, 30, 10));
    assert_eq!(app.source.cursor.at, top + 3);

    // `/` searches the file from the cursor, wrapping; `N` finds the next.
    for c in "/printf".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.source.cursor.at + 1,
        40,
        "the first printf after line 28"
    );
    key(&mut app, KeyCode::Char('N'));
    assert_eq!(app.source.cursor.at + 1, 42);
}

#[test]
fn a_full_breakpoint_table_is_shown_in_its_pane() {
    let bytes = std::fs::read(root().join("tests/fixtures/wasm/c-recursion-O0.wasm")).unwrap();
    let engine = Engine::spawn(move || {
        let mut limits = linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
        limits.max_source_breakpoints = 3;
        Session::open(bytes, &limits, Program::default())
    })
    .unwrap();
    let mut app = App::new(Model::new(engine));
    for f in ["main", "fib", "factorial", "ackermann"] {
        type_line(&mut app, &format!("break {f}"));
    }
    let refusal = app.model.table_full.clone().unwrap();
    assert_eq!(
        refusal,
        "limit `max_source_breakpoints` reached: 3 allowed on linux at debug level full"
    );
    let text = screen(&mut app, 200, 60);
    assert!(text.contains("Breakpoints 3/3"), "{text}");
    assert!(
        text.contains("limit `max_source_breakpoints` reached: 3 allowed on linux"),
        "{text}"
    );
    // Deleting one makes room, and the refusal goes.
    type_line(&mut app, "delete 1");
    assert_eq!(app.model.table_full, None);
}

/// The screen drawn at `w`x`h`, cells with their styles.
fn drawn(app: &mut App, w: u16, h: u16) -> ratatui::buffer::Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    t.backend().buffer().clone()
}

/// The cell `offset` cells after where `text` first appears on the screen.
fn cell_after<'b>(
    buf: &'b ratatui::buffer::Buffer,
    text: &str,
    offset: u16,
) -> &'b ratatui::buffer::Cell {
    let area = buf.area;
    for y in 0..area.height {
        let row: Vec<&str> = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
        let joined = row.concat();
        if let Some(at) = joined.find(text) {
            let x = joined[..at].chars().count() as u16 + offset;
            return &buf[(x, y)];
        }
    }
    panic!("`{text}` is not on the screen");
}

#[test]
fn the_pickers_open_a_file_and_go_to_a_function() {
    let mut app = app("c-vec-O0");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('t'));
    for c in "lensq".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    let picker = app.picker.as_ref().expect("the function list is open");
    assert_eq!(picker.shown[0].label, "length_squared  vec.c:29");
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("> lensq"), "{text}");
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert!(app.picker.is_none());
    assert_eq!(app.focus, Focus::Source);
    let (file, _) = app.model.source.clone().expect("vec.c is shown");
    assert!(file.ends_with("vec.c"), "{file}");
    let text = screen(&mut app, 120, 40);
    assert_eq!(app.source.cursor.at, 28, "the cursor on line 29");
    assert!(text.contains("29 static int length_squared"), "{text}");

    // The file list, narrowed to wasi-libc's start file, whose source is not here.
    app.key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL));
    for c in "crt1".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    let shown = &app.picker.as_ref().unwrap().shown;
    assert!(shown[0].file.ends_with("crt1-command.c"), "{shown:?}");
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("Cannot read"), "{text}");
    // Esc closes a picker without a choice.
    key(&mut app, KeyCode::Char('t'));
    key(&mut app, KeyCode::Esc);
    assert!(app.picker.is_none());
}

#[test]
fn the_column_of_the_stop_is_marked() {
    let mut app = app("c-vec-O0");
    type_line(&mut app, "break vec.c:31");
    type_line(&mut app, "run");
    let frame = app.model.frames[0].clone();
    assert_eq!(frame.line, Some(31));
    let column = frame.column.expect("DWARF gives the column") as usize;
    assert!(column > 1, "{column}");
    let (_, lines) = app.model.source.clone().unwrap();
    let wanted = lines[30].chars().nth(column - 1).unwrap().to_string();
    let buf = drawn(&mut app, 120, 40);
    // `▶31 ` then the line's text: the marked cell is the column's character.
    let cell = cell_after(&buf, "▶31 ", 4 + column as u16 - 1);
    assert_eq!(cell.symbol(), wanted);
    assert!(cell.modifier.contains(ratatui::style::Modifier::UNDERLINED));
    assert_eq!(cell.fg, ratatui::style::Color::Yellow);
    let before = cell_after(&buf, "▶31 ", 4);
    assert_ne!(before.fg, ratatui::style::Color::Yellow, "only the column");
}

#[test]
fn children_follow_the_format_cycle() {
    let mut app = app("c-vec-O0");
    type_line(&mut app, "break scale");
    type_line(&mut app, "run");
    type_line(&mut app, "finish");
    key(&mut app, KeyCode::Esc);
    app.focus = Focus::Variables;
    let at = app
        .model
        .var_lines()
        .iter()
        .position(|l| l.var.name == "points")
        .unwrap();
    for _ in 0..at {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let second = |app: &App| {
        app.model
            .var_lines()
            .into_iter()
            .find(|l| l.depth == 1 && l.var.name == "[1]")
            .map(|l| l.var.value)
    };
    assert_eq!(second(&app).as_deref(), Some("{x = -4, y = 5, z = 6}"));
    let top = |app: &App, name: &str| {
        let v = app.model.vars.iter().find(|v| v.name == name);
        v.map(|v| v.value.clone())
    };
    assert_eq!(top(&app, "i").as_deref(), Some("0"));
    key(&mut app, KeyCode::Char('x'));
    settle(&mut app);
    assert_eq!(
        second(&app).as_deref(),
        Some("{x = 0xfffffffc, y = 0x5, z = 0x6}")
    );
    assert_eq!(top(&app, "i").as_deref(), Some("0x0"), "the top level too");
    key(&mut app, KeyCode::Char('x'));
    settle(&mut app);
    assert_eq!(second(&app).as_deref(), Some("{x = -4, y = 5, z = 6}"));
}

#[test]
fn memory_marks_what_was_written_watched_and_hit() {
    use ratatui::style::{Color, Modifier};
    let mut app = app("c-vec-O0");
    type_line(&mut app, "break scale");
    type_line(&mut app, "run");
    type_line(&mut app, "finish");
    type_line(&mut app, "memory &sum");
    assert!(
        app.model.machine.is_none(),
        "the operand stack and globals are not asked for while no pane shows them"
    );
    let addr = app.model.memory.clone().unwrap().1.unwrap().addr;
    // By address from here on: `sum` is not in scope in `add`, where the watchpoint stops.
    type_line(&mut app, &format!("memory {addr:#x}"));
    app.focus = Focus::Memory;
    app.zoom = true;
    // `add(&sum, &s)` writes {1, 2, 3}: the low byte of each field changed.
    key(&mut app, KeyCode::F(10));
    settle(&mut app);
    let row = format!("{addr:#010x}");
    let hex = |i: u16| 12 + 3 * i;
    let buf = drawn(&mut app, 120, 40);
    for (i, changed) in [(0, true), (1, false), (4, true), (8, true), (9, false)] {
        let cell = cell_after(&buf, &row, hex(i));
        assert_eq!(cell.fg == Color::Yellow, changed, "byte {i}: {cell:?}");
    }
    // A watchpoint on `sum.y` underlines its bytes; when it stops the program they turn red.
    app.focus = Focus::Console;
    type_line(&mut app, "watch sum.y");
    type_line(&mut app, "delete 1");
    app.focus = Focus::Memory;
    let buf = drawn(&mut app, 120, 40);
    let cell = cell_after(&buf, &row, hex(4));
    assert!(cell.modifier.contains(Modifier::UNDERLINED), "{cell:?}");
    app.focus = Focus::Console;
    type_line(&mut app, "continue");
    assert!(matches!(
        app.model.stop.as_ref().unwrap().reason,
        StopReason::Watchpoint { .. }
    ));
    app.focus = Focus::Memory;
    let buf = drawn(&mut app, 120, 40);
    for i in 4..8 {
        assert_eq!(cell_after(&buf, &row, hex(i)).bg, Color::Red, "byte {i}");
    }
    // sum.x went from 1 to -7 before sum.y was written.
    assert_eq!(cell_after(&buf, &row, hex(0)).fg, Color::Yellow);
    settle(&mut app);
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("Operand stack of add"), "{text}");
    assert!(text.contains("0 __stack_pointer mut i32 = "), "{text}");
}

#[test]
fn w_in_the_source_watches_the_variable_on_the_cursor_line() {
    let mut app = app("c-vec-O0");
    type_line(&mut app, "break scale");
    type_line(&mut app, "run");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.focus, Focus::Source);
    // The cursor stands on line 25, `struct vec r = {v->x * k, ...}`: `r` is its first variable.
    let _ = screen(&mut app, 120, 40);
    key(&mut app, KeyCode::Char('w'));
    settle(&mut app);
    assert_eq!(app.model.watches[0].0, "r");
    // Line 24 names `v` and `k`; on line 23, empty, the command line is given `watch-expr `.
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Char('w'));
    settle(&mut app);
    assert_eq!(app.model.watches[1].0, "v");
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.focus, Focus::Console);
    assert_eq!(app.console.input, "watch-expr ");
    // A zoomed pane leaves the command line in view.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('z'));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("│(wrt-dbg)"), "{text}");
}
