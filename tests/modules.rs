//! No cycles among a crate's top-level modules. Every `src/**/*.rs` file of the crate is scanned
//! (comments and string or char literals skipped), its `crate::m` paths (and `use crate::{a, b::c}`
//! groups, names the crate root re-exports, `super::` paths that climb to the root) become edges
//! between top-level modules (`src/m.rs` or `src/m/`), and every strongly connected component of more
//! than one module is reported with the uses that close it, so a layering stays a layering.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

#[test]
fn runtime_core_modules_form_no_cycle() {
    assert_no_cycle("runtime-core");
}

#[test]
fn debugger_modules_form_no_cycle() {
    assert_no_cycle("debugger");
}

#[test]
fn scanner_skips_comments_and_literals() {
    let text = r###"
        // crate::a in a line comment
        /* crate::b /* nested crate::c */ still crate::d */
        const S: &str = "crate::e \" crate::f";
        const R: &str = r#"crate::g " crate::h"#;
        const B: &[u8] = br"crate::i";
        const C: char = '"'; const Q: char = '\''; fn f<'a>(x: &'a str) {}
        use crate::{j, k::{self, L}, m::N as O};
        use crate::Reexported;
        fn g() { crate::p::q(); super::r::s(); }
        mod inner { fn h() { super::super::t(); } }
    "###;
    let mut uses = Vec::new();
    let reexports = BTreeMap::from([("Reexported".to_string(), "z".to_string())]);
    scan(text, &["x".to_string()], &reexports, &mut |m, _| {
        uses.push(m)
    });
    assert_eq!(uses, ["j", "k", "m", "z", "p", "r", "t"]);
}

/// Fails naming every cycle among the top-level modules of the workspace crate in directory `krate`.
fn assert_no_cycle(krate: &str) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("src");
    let graph = Graph::of(&src);
    assert!(
        graph.modules.len() > 3,
        "{krate}: too few modules found in {}",
        src.display()
    );
    assert!(!graph.edges.is_empty(), "{krate}: no `crate::` paths found");
    let cycles = graph.cycles();
    if !cycles.is_empty() {
        let mut report = format!("{krate}: {} module cycle(s)\n", cycles.len());
        for scc in &cycles {
            report += &graph.describe(scc);
        }
        panic!("{report}");
    }
}

/// Where a dependency occurs: `file:line` under `src/`, in scan order.
#[derive(Debug, Default)]
struct Uses {
    places: Vec<String>,
}

/// The top-level modules of a crate and which of them names which.
struct Graph {
    modules: BTreeSet<String>,
    edges: BTreeMap<String, BTreeMap<String, Uses>>,
}

impl Graph {
    /// Scans every `.rs` file under `src`.
    fn of(src: &Path) -> Graph {
        let mut modules = BTreeSet::new();
        for entry in fs::read_dir(src).expect("crate src/ readable") {
            let path = entry.expect("directory entry").path();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir()
                || (path.extension().is_some_and(|e| e == "rs") && stem != "lib" && stem != "main")
            {
                modules.insert(stem);
            }
        }
        let root = ["lib.rs", "main.rs"]
            .iter()
            .map(|f| src.join(f))
            .find(|p| p.exists());
        let root_text = root
            .map(|p| fs::read_to_string(p).expect("crate root readable"))
            .unwrap_or_default();
        let reexports = reexports(&root_text, &modules);
        let mut edges: BTreeMap<String, BTreeMap<String, Uses>> = BTreeMap::new();
        let mut files = Vec::new();
        rust_files(src, &mut files);
        for file in files {
            let relative = file.strip_prefix(src).unwrap();
            let mut path: Vec<String> = relative
                .iter()
                .map(|c| c.to_string_lossy().into_owned())
                .collect();
            let last = path.pop().unwrap();
            let stem = last.trim_end_matches(".rs");
            if stem != "mod" && !(path.is_empty() && (stem == "lib" || stem == "main")) {
                path.push(stem.to_string());
            }
            let Some(from) = path.first().cloned() else {
                continue;
            };
            let text = fs::read_to_string(&file).expect("source readable");
            scan(&text, &path, &reexports, &mut |to, line| {
                if to != from && modules.contains(&to) {
                    let place = format!("{}:{line}", relative.display());
                    let uses = edges.entry(from.clone()).or_default().entry(to);
                    uses.or_default().places.push(place);
                }
            });
        }
        Graph { modules, edges }
    }

    /// The strongly connected components of more than one module (Tarjan's algorithm).
    fn cycles(&self) -> Vec<Vec<String>> {
        struct State<'g> {
            graph: &'g Graph,
            index: BTreeMap<&'g str, usize>,
            low: BTreeMap<&'g str, usize>,
            stack: Vec<&'g str>,
            found: Vec<Vec<String>>,
        }
        fn visit<'g>(s: &mut State<'g>, v: &'g str) {
            let i = s.index.len();
            s.index.insert(v, i);
            s.low.insert(v, i);
            s.stack.push(v);
            for w in s.graph.edges.get(v).into_iter().flat_map(|e| e.keys()) {
                if !s.index.contains_key(w.as_str()) {
                    visit(s, w);
                    let low = s.low[v].min(s.low[w.as_str()]);
                    s.low.insert(v, low);
                } else if s.stack.contains(&w.as_str()) {
                    let low = s.low[v].min(s.index[w.as_str()]);
                    s.low.insert(v, low);
                }
            }
            if s.low[v] == s.index[v] {
                let at = s.stack.iter().rposition(|&m| m == v).unwrap();
                let mut scc: Vec<String> = s.stack.drain(at..).map(str::to_string).collect();
                if scc.len() > 1 {
                    scc.sort();
                    s.found.push(scc);
                }
            }
        }
        let mut state = State {
            graph: self,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            found: Vec::new(),
        };
        for m in &self.modules {
            if !state.index.contains_key(m.as_str()) {
                visit(&mut state, m);
            }
        }
        state.found
    }

    /// The modules of one component, a shortest cycle through its first module, and its edges.
    fn describe(&self, scc: &[String]) -> String {
        let inside = |m: &String| scc.contains(m);
        let mut text = format!("cycle among {} modules: {}\n", scc.len(), scc.join(", "));
        // Breadth-first from the first module back to itself, inside the component.
        let start = &scc[0];
        let mut previous: BTreeMap<&String, &String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        'search: while let Some(m) = queue.pop_front() {
            for next in self.edges[m].keys().filter(|n| inside(n)) {
                if next == start {
                    let mut path = vec![m.as_str()];
                    let mut at = m;
                    while at != start {
                        at = previous[at];
                        path.push(at);
                    }
                    path.reverse();
                    text += &format!("  e.g. {} -> {start}\n", path.join(" -> "));
                    break 'search;
                }
                if !previous.contains_key(next) && next != start {
                    previous.insert(next, m);
                    queue.push_back(next);
                }
            }
        }
        for from in scc {
            for (to, uses) in self.edges[from].iter().filter(|(to, _)| inside(to)) {
                text += &format!(
                    "  {from} -> {to}: {} use(s), first at {}\n",
                    uses.places.len(),
                    uses.places[0]
                );
            }
        }
        text
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .expect("directory readable")
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The names the crate root re-exports (`pub use m::{A, b::C}`), mapped to their module `m`.
fn reexports(root: &str, modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let tokens = tokenize(root);
    let mut names = BTreeMap::new();
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate() {
        match &token.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth = depth.saturating_sub(1),
            Kind::Ident(word) if word == "use" && depth == 0 => {
                for mut path in use_tree(&tokens, i + 1).0 {
                    if path.first().is_some_and(|s| s == "crate" || s == "self") {
                        path.remove(0);
                    }
                    if path.len() >= 2 && modules.contains(&path[0]) {
                        names.insert(path.last().unwrap().clone(), path[0].clone());
                    }
                }
            }
            _ => {}
        }
    }
    names
}

/// Calls `found(module, line)` for each path in `text` (a file of module `path` from the crate root)
/// that names a module or re-exported name of the crate root.
fn scan(
    text: &str,
    path: &[String],
    reexports: &BTreeMap<String, String>,
    found: &mut dyn FnMut(String, usize),
) {
    let tokens = tokenize(text);
    // Inline `mod name { ... }` blocks open at a brace depth; `super::` climbs out of them first.
    let mut inline: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let line = tokens[i].line;
        let after_path = i > 0 && tokens[i - 1].kind == Kind::Colon2;
        match &tokens[i].kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth = depth.saturating_sub(1);
                if inline.last() == Some(&depth) {
                    inline.pop();
                }
            }
            Kind::Ident(word) if word == "mod" => {
                if let (Some(Kind::Ident(_)), Some(Kind::Open)) =
                    (kind(&tokens, i + 1), kind(&tokens, i + 2))
                {
                    inline.push(depth);
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Kind::Ident(word)
                if word == "crate"
                    && !after_path
                    && kind(&tokens, i + 1) == Some(&Kind::Colon2) =>
            {
                let (paths, next) = use_tree(&tokens, i + 2);
                report(&paths, reexports, line, found);
                i = next;
                continue;
            }
            Kind::Ident(word) if word == "super" && !after_path => {
                let mut level = path.len() + inline.len();
                let mut j = i;
                while is_ident(&tokens, j, "super") && kind(&tokens, j + 1) == Some(&Kind::Colon2) {
                    level = level.saturating_sub(1);
                    j += 2;
                }
                if j > i {
                    let (paths, next) = use_tree(&tokens, j);
                    if level == 0 {
                        report(&paths, reexports, line, found);
                    }
                    i = next;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Reports the modules the paths of one tree from the crate root name, directly or through a root
/// re-export, each once.
fn report(
    paths: &[Vec<String>],
    reexports: &BTreeMap<String, String>,
    line: usize,
    found: &mut dyn FnMut(String, usize),
) {
    let mut modules: Vec<&String> = paths
        .iter()
        .filter_map(|p| p.first())
        .map(|m| reexports.get(m).unwrap_or(m))
        .collect();
    modules.dedup();
    for module in modules {
        found(module.clone(), line);
    }
}

/// The paths of a use tree (or an expression path) starting at token `i`: `a::b`, `a::{b, c::d}`,
/// `a::*`; returns them with the index of the first token after the tree.
fn use_tree(tokens: &[Token], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        match kind(tokens, i) {
            Some(Kind::Ident(word)) => {
                prefix.push(word.clone());
                i += 1;
                if kind(tokens, i) == Some(&Kind::Colon2) {
                    i += 1;
                } else {
                    return (vec![prefix], i);
                }
            }
            Some(Kind::Star) => {
                prefix.push("*".to_string());
                return (vec![prefix], i + 1);
            }
            Some(Kind::Open) => {
                let mut paths = Vec::new();
                i += 1;
                loop {
                    let (inner, next) = use_tree(tokens, i);
                    paths.extend(
                        inner
                            .into_iter()
                            .filter(|p| !p.is_empty())
                            .map(|p| [prefix.clone(), p].concat()),
                    );
                    i = next;
                    // Skip `as name` and anything else up to the separator, nested braces included.
                    let mut nested = 0usize;
                    while let Some(k) = kind(tokens, i) {
                        match k {
                            Kind::Comma if nested == 0 => break,
                            Kind::Close if nested == 0 => break,
                            Kind::Open => nested += 1,
                            Kind::Close => nested -= 1,
                            _ => {}
                        }
                        i += 1;
                    }
                    match kind(tokens, i) {
                        Some(Kind::Comma) => i += 1,
                        Some(Kind::Close) => return (paths, i + 1),
                        _ => return (paths, i),
                    }
                    if kind(tokens, i) == Some(&Kind::Close) {
                        return (paths, i + 1);
                    }
                }
            }
            _ => return (vec![prefix], i),
        }
    }
}

fn kind(tokens: &[Token], i: usize) -> Option<&Kind> {
    tokens.get(i).map(|t| &t.kind)
}

fn is_ident(tokens: &[Token], i: usize, word: &str) -> bool {
    matches!(kind(tokens, i), Some(Kind::Ident(w)) if w == word)
}

/// What the scan needs of Rust's tokens: identifiers and the punctuation of paths and use trees.
#[derive(Debug, PartialEq)]
enum Kind {
    Ident(String),
    Colon2,
    Open,
    Close,
    Comma,
    Star,
    Other,
}

#[derive(Debug)]
struct Token {
    kind: Kind,
    line: usize,
}

/// Splits Rust source into tokens, dropping whitespace, comments (nested block comments included),
/// string, byte-string, raw-string and char literals, lifetimes and numbers' contents.
fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // Advances past `n` characters, counting lines.
    let skip = |i: &mut usize, line: &mut usize, n: usize| {
        for _ in 0..n {
            if at(*i) == '\n' {
                *line += 1;
            }
            *i += 1;
        }
    };
    while i < chars.len() {
        let c = at(i);
        let start_line = line;
        let mut push = |kind| {
            tokens.push(Token {
                kind,
                line: start_line,
            })
        };
        if c.is_whitespace() {
            skip(&mut i, &mut line, 1);
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && at(i) != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut nested = 0usize;
            while i < chars.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    nested += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    nested -= 1;
                    i += 2;
                    if nested == 0 {
                        break;
                    }
                } else {
                    skip(&mut i, &mut line, 1);
                }
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && at(i) != '"' {
                let n = if at(i) == '\\' { 2 } else { 1 };
                skip(&mut i, &mut line, n);
            }
            i += 1;
            push(Kind::Other);
        } else if c == '\'' {
            if at(i + 1) == '\\' {
                // An escaped char literal: '\n', '\'', '\u{..}'.
                i += 3;
                while i < chars.len() && at(i) != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                // A lifetime or label.
                i += 1;
                while at(i).is_alphanumeric() || at(i) == '_' {
                    i += 1;
                }
            }
            push(Kind::Other);
        } else if c.is_ascii_digit() {
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            push(Kind::Other);
        } else if c.is_alphabetic() || c == '_' {
            let begin = i;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            let word: String = chars[begin..i].iter().collect();
            let prefix = matches!(word.as_str(), "b" | "c" | "br" | "cr" | "r");
            let hashes = chars[i..].iter().take_while(|&&h| h == '#').count();
            if prefix && word.ends_with('r') && at(i + hashes) == '"' {
                // A raw string: r"..", r#".."#, br"..".
                skip(&mut i, &mut line, hashes + 1);
                loop {
                    if i >= chars.len() {
                        break;
                    }
                    if at(i) == '"'
                        && chars[i + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|&&h| h == '#')
                            .count()
                            == hashes
                    {
                        i += 1 + hashes;
                        break;
                    }
                    skip(&mut i, &mut line, 1);
                }
                push(Kind::Other);
            } else if prefix && (word == "b" || word == "c") && (at(i) == '"' || at(i) == '\'') {
                // A byte or C string, or a byte char: the literal follows as a plain one.
            } else if word == "r" && hashes == 1 && (at(i + 1).is_alphabetic() || at(i + 1) == '_')
            {
                // A raw identifier, r#type: the identifier follows.
                i += 1;
            } else {
                push(Kind::Ident(word));
            }
        } else if c == ':' && at(i + 1) == ':' {
            i += 2;
            push(Kind::Colon2);
        } else {
            i += 1;
            push(match c {
                '{' => Kind::Open,
                '}' => Kind::Close,
                ',' => Kind::Comma,
                '*' => Kind::Star,
                _ => Kind::Other,
            });
        }
    }
    tokens
}
