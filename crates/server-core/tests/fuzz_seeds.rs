//! Every seed input of the fuzz targets, replayed on every `cargo test`.
//!
//! The fuzz targets in `fuzz/` run only where libFuzzer can (CI's fuzz smoke, a developer's
//! longer runs). Their checks live in `fuzz/checks/`, one file per target, and are compiled
//! here too: each file in `fuzz/seeds/TARGET/` goes through the same `check` the fuzz target
//! runs, so a seed added after a crash (fuzz/README.md) stays a regression test without a
//! fuzzer. The `connection` target's inputs are replayed by `robustness.rs`, in a child
//! process that keeps the access log off the test's output.

use std::path::{Path, PathBuf};

#[path = "../../../fuzz/checks/parse_head.rs"]
mod parse_head;

#[path = "../../../fuzz/checks/form.rs"]
mod form;

#[path = "../../../fuzz/checks/cgi_output.rs"]
mod cgi_output;

/// `fuzz/seeds/TARGET`, from this crate's directory.
fn seeds_of(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target)
}

/// Runs `check` on every seed of `target`; fails if there are none (a moved folder must not
/// turn this test into one that checks nothing).
fn replay(target: &str, check: fn(&[u8])) {
    let dir = seeds_of(target);
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    for seed in seeds {
        let data = std::fs::read(&seed).expect("a seed file");
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(
            outcome.is_ok(),
            "the {target} check failed on {}",
            seed.display()
        );
    }
}

#[test]
fn parse_head_seeds_pass_the_fuzz_checks() {
    replay("parse_head", parse_head::check);
}

#[test]
fn form_seeds_pass_the_fuzz_checks() {
    replay("form", form::check);
}

#[test]
fn cgi_output_seeds_pass_the_fuzz_checks() {
    replay("cgi_output", cgi_output::check);
}
