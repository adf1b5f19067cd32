//! How long the TUI takes to draw a frame at its worst: a 10,000-line source file, a 1,000-frame
//! stack and an expanded 10,000-element array, at 200x60 on ratatui's `TestBackend`. The budget
//! is one frame at 60 Hz (16 ms); the draw of the same screen with a small program is the
//! baseline a user feels.

#[path = "../src/screen/mod.rs"]
#[allow(dead_code, unused_imports)]
mod screen;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use debugger::children::VarRef;
use debugger::engine::Engine;
use debugger::report::{Frame, Variable};
use debugger::{Program, Session};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB};
use screen::{App, Model};

/// The app on c-vec-O0, stopped in `scale`.
fn stopped() -> App {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/wasm/c-vec-O0.wasm"
    );
    let bytes = std::fs::read(path).unwrap();
    let engine = Engine::spawn(move || {
        let limits = linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
        Session::open(bytes, &limits, Program::default())
    })
    .unwrap();
    let mut app = App::new(Model::new(engine));
    app.model.command("directory tests/fixtures/src");
    app.model.command("break scale");
    app.model.command("run");
    let end = std::time::Instant::now() + Duration::from_secs(10);
    while app.model.frames.is_empty() || app.model.source.is_none() {
        app.model.poll();
        assert!(std::time::Instant::now() < end, "the program did not stop");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(100));
    app.model.poll();
    app
}

/// The same app with a huge file, stack and expanded array in place of the program's.
fn huge(mut app: App) -> App {
    let m = &mut app.model;
    let (file, _) = m.source.clone().unwrap();
    m.source = Some((
        file.clone(),
        (1..=10_000)
            .map(|i| format!("    int line_{i} = compute(a[{i}], b[{i}]) + other_thing;"))
            .collect(),
    ));
    let frame = m.frames[0].clone();
    m.frames = (0..1000)
        .map(|level| Frame {
            level,
            line: Some(5000),
            ..frame.clone()
        })
        .collect();
    let at = VarRef {
        frame: 0,
        expr: "big".into(),
        path: Vec::new(),
    };
    m.vars.push(Variable {
        name: "big".into(),
        ty: "int [10000]".into(),
        value: "{0, 1, 2, ...}".into(),
        children: Some(at.clone()),
        child_count: Some(10_000),
        addr: Some(0x1000),
    });
    m.children.insert(
        at.clone(),
        (0..10_000)
            .map(|i| Variable {
                name: format!("[{i}]"),
                ty: "int".into(),
                value: i.to_string(),
                children: None,
                child_count: None,
                addr: Some(0x1000 + 4 * i),
            })
            .collect(),
    );
    m.expanded.insert(at);
    app
}

fn redraw(c: &mut Criterion) {
    let mut group = c.benchmark_group("redraw 200x60");
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut small = stopped();
    group.bench_function("c-vec-O0 stopped in scale", |b| {
        b.iter(|| {
            terminal.draw(|f| small.draw(f)).unwrap();
        })
    });
    let mut big = huge(stopped());
    group.bench_function(
        "10k-line file, 1k frames, 10k-element array expanded",
        |b| {
            b.iter(|| {
                terminal.draw(|f| big.draw(f)).unwrap();
            })
        },
    );
    group.finish();

    // What a user feels: F10 pressed to the screen drawn with the new line, variables and stack.
    let mut group = c.benchmark_group("key to screen");
    group.sample_size(20);
    group.bench_function("F10 in c-vec-O0, stopped in scale", |b| {
        b.iter_batched(
            stopped,
            |mut app| {
                app.key(ratatui::crossterm::event::KeyEvent::from(
                    ratatui::crossterm::event::KeyCode::F(10),
                ));
                app.model.settle(Duration::from_secs(5));
                terminal.draw(|f| app.draw(f)).unwrap();
                app
            },
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, redraw);
criterion_main!(benches);
