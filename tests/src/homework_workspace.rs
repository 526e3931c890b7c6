//! A copy of the workbench where the homework checker can run as a learner runs it.
//!
//! `check` must see untouched stubs, but a learner running `cargo test --workspace` may have
//! solved some exercises already. So the checker's end-to-end tests run in a copy of the
//! workspace's sources (under the target directory) where every exercise was first put back
//! with `reset --all --yes`, with a target directory of its own so that they never rebuild
//! the real one. The copy is made anew once per test program, keeping modification times
//! (but the exercise files' own, which tests edit), so cargo finds what it built for an
//! earlier test program still fresh.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::{binary, run_command, workspace_root};

/// The target directory these tests were built in (`target/debug/deps/<test>` → `target`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    exe.ancestors()
        .nth(3)
        .expect("tests live in target/<profile>/deps")
        .to_path_buf()
}

/// The target directory of the copy: its own, kept between runs, so the real one is never
/// rebuilt and the copy's dependencies are compiled only once.
pub fn copy_target() -> PathBuf {
    target_dir().join("homework-e2e/target")
}

/// The copy of the workspace's sources with every exercise reset to its stub, made once per
/// test program.
pub fn pristine_workspace() -> &'static Path {
    static COPY: OnceLock<PathBuf> = OnceLock::new();
    COPY.get_or_init(|| {
        let copy = target_dir().join("homework-e2e/workspace");
        let _ = std::fs::remove_dir_all(&copy);
        copy_sources(&workspace_root(), &copy);
        let mut reset = Command::new(binary("homework"));
        reset.args(["reset", "--all", "--yes"]).current_dir(&copy);
        let run = run_command(reset, Duration::from_secs(60));
        assert!(run.status.success(), "reset --all --yes: {}", run.stderr);
        copy
    })
}

/// True for a learner's exercise file: `lessons/<package>/exercises/<name>.rs`.
fn is_learner_file(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "rs")
        && path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|dir| dir == "exercises")
}

/// Copies a source tree, keeping modification times (so cargo sees unchanged files as
/// unchanged) and leaving out build output, git data, the checker's own data and the book.
/// The learner's exercise files are the exception: the tests edit them in the copy, and
/// cargo, which compares times, would take a program built from an edit for one built from
/// the original; they get the time of the copy, so their tests are built again.
pub fn copy_sources(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("copy directory created");
    for entry in std::fs::read_dir(from).expect("source directory readable") {
        let entry = entry.expect("directory entry");
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kind = entry.file_type().expect("file type");
        let skipped = matches!(
            name.as_ref(),
            "target" | ".git" | "corpus" | "artifacts" | ".homework"
        ) || (from == workspace_root() && name == "book");
        if skipped {
            continue;
        }
        let destination = to.join(entry.file_name());
        if kind.is_dir() {
            copy_sources(&entry.path(), &destination);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &destination).expect("file copied");
            if is_learner_file(&destination) {
                // Tests edit these in the copy: a test program built from an edit is newer
                // than the original's time, so these keep the time of the copy.
                continue;
            }
            let modified = entry.metadata().and_then(|m| m.modified()).expect("mtime");
            let file = std::fs::File::options().write(true).open(&destination);
            file.and_then(|f| f.set_modified(modified))
                .expect("mtime kept");
        }
    }
}
