//! The README's `console` examples, run as written and their output compared (trycmd), so the
//! README cannot drift from what `wrt-dbg` prints.

#[test]
fn readme_examples_print_what_the_readme_says() {
    // The examples name paths from the workspace root, as a reader runs them.
    std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).unwrap();
    trycmd::TestCases::new()
        .register_bin("wrt-dbg", trycmd::cargo::cargo_bin!("wrt-dbg"))
        .case("README.md");
}
