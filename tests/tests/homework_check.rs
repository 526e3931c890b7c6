//! The homework checker, run as a learner runs it: `check`, `list`, `hint` and `reset`.
//!
//! `check` must see untouched stubs, but a learner running `cargo test --workspace` may have
//! solved some exercises already. So `check` runs in a copy of the workspace's sources (under
//! the target directory, with its own target directory so it never rebuilds the real one)
//! where every exercise was first put back with `reset`. Every run points
//! `HOMEWORK_PROGRESS_FILE` at a temporary file: a learner's real progress is never touched.
//!
//! `verify` is not run here: it rebuilds the lessons with other features, and belongs in CI.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use end_to_end::{Finished, TempDir, binary, run_command, workspace_root};
use serde_json::Value;

/// How long one run of the checker may take; the first `check` compiles a lesson.
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// Runs the checker in `dir` with a private progress file, for at most [`RUN_TIMEOUT`].
fn homework(args: &[&str], dir: &Path, cargo_target: Option<&Path>) -> Finished {
    let progress = TempDir::new("homework-progress");
    let mut command = Command::new(binary("homework"));
    command.args(args).current_dir(dir).env(
        "HOMEWORK_PROGRESS_FILE",
        progress.path().join("progress.json"),
    );
    if let Some(target) = cargo_target {
        command.env("CARGO_TARGET_DIR", target);
    }
    run_command(command, RUN_TIMEOUT)
}

/// Runs the checker in the real workspace.
fn homework_here(args: &[&str]) -> Finished {
    homework(args, &workspace_root(), None)
}

/// The target directory this test was built in (`target/debug/deps/<test>` → `target`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    exe.ancestors()
        .nth(3)
        .expect("tests live in target/<profile>/deps")
        .to_path_buf()
}

/// A copy of the workspace's sources with every exercise reset to its stub, made once.
fn pristine_workspace() -> &'static Path {
    static COPY: OnceLock<PathBuf> = OnceLock::new();
    COPY.get_or_init(|| {
        let copy = target_dir().join("homework-e2e/workspace");
        let _ = std::fs::remove_dir_all(&copy);
        copy_sources(&workspace_root(), &copy);
        for exercise in exercise_names(&copy) {
            let run = homework(&["reset", &exercise], &copy, None);
            assert!(run.status.success(), "reset {exercise}: {}", run.stderr);
        }
        copy
    })
}

/// The target directory of the copy: its own, kept between runs, so the real one is never
/// rebuilt and the copy's dependencies are compiled only once.
fn copy_target() -> PathBuf {
    target_dir().join("homework-e2e/target")
}

/// Every exercise's name, from `list --json`.
fn exercise_names(dir: &Path) -> Vec<String> {
    let run = homework(&["list", "--json"], dir, None);
    assert!(run.status.success(), "list --json: {}", run.stderr);
    let lessons: Value = serde_json::from_str(&run.stdout).expect("list --json is JSON");
    lessons
        .as_array()
        .expect("a list of lessons")
        .iter()
        .flat_map(|lesson| lesson["exercises"].as_array().cloned().unwrap_or_default())
        .map(|exercise| exercise["name"].as_str().expect("a name").to_string())
        .collect()
}

/// Copies a source tree, keeping modification times (so cargo sees unchanged files as
/// unchanged) and leaving out build output, git data and the book.
fn copy_sources(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("copy directory created");
    for entry in std::fs::read_dir(from).expect("source directory readable") {
        let entry = entry.expect("directory entry");
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kind = entry.file_type().expect("file type");
        let skipped = matches!(name.as_ref(), "target" | ".git" | "corpus" | "artifacts")
            || (from == workspace_root() && name == "book");
        if skipped {
            continue;
        }
        let destination = to.join(entry.file_name());
        if kind.is_dir() {
            copy_sources(&entry.path(), &destination);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &destination).expect("file copied");
            let modified = entry.metadata().and_then(|m| m.modified()).expect("mtime");
            let file = std::fs::File::options().write(true).open(&destination);
            file.and_then(|f| f.set_modified(modified))
                .expect("mtime kept");
        }
    }
}

#[test]
fn check_on_untouched_stubs_fails_every_exercise_as_not_written_yet() {
    let target = copy_target();
    let run = homework(
        &["check", "lesson02", "--json"],
        pristine_workspace(),
        Some(&target),
    );
    assert_eq!(run.status.code(), Some(1), "stderr: {}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout));
    assert_eq!(report["lesson"], "lesson02");
    assert_eq!(report["compile_error"], Value::Null, "{}", run.stdout);
    assert_eq!(report["passed"], 0, "{}", run.stdout);
    let groups = report["groups"].as_array().expect("groups");
    assert!(!groups.is_empty());
    for group in groups {
        assert_eq!(group["passed"], false, "{group}");
        assert!(group["hint"].is_string(), "{group}");
        for check in group["checks"].as_array().expect("checks") {
            let message = check["message"].as_str().unwrap_or("");
            assert!(message.starts_with("not written yet"), "{check}");
        }
    }
}

#[test]
fn check_in_text_shows_marks_the_first_failure_and_progress() {
    let target = copy_target();
    let run = homework(&["check", "2"], pristine_workspace(), Some(&target));
    assert_eq!(run.status.code(), Some(1), "stderr: {}", run.stderr);
    assert!(run.stdout.contains("✗ request_line"), "{}", run.stdout);
    assert!(run.stdout.contains("not written yet"), "{}", run.stdout);
    assert!(run.stdout.contains("hint: "), "{}", run.stdout);
    assert!(run.stdout.contains("Progress"), "{}", run.stdout);
    assert!(
        !run.stdout.contains('\x1b'),
        "no colours into a pipe: {}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("Compiling"),
        "cargo's output stays captured"
    );
}

#[test]
fn hint_prints_the_hint_and_the_files() {
    let run = homework_here(&["hint", "request_line"]);
    assert!(run.status.success(), "stderr: {}", run.stderr);
    assert!(
        run.stdout.starts_with("request_line · lesson02"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("hint: "), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("lessons/lesson02-http/exercises/request_line.rs"),
        "{}",
        run.stdout
    );
}

#[test]
fn list_json_is_every_lesson_with_its_exercises() {
    let run = homework_here(&["list", "--json"]);
    assert!(run.status.success(), "stderr: {}", run.stderr);
    let lessons: Value = serde_json::from_str(&run.stdout).expect("list --json is JSON");
    let lessons = lessons.as_array().expect("a list");
    let ids: Vec<&str> = lessons.iter().filter_map(|l| l["id"].as_str()).collect();
    assert!(ids.starts_with(&["lesson01", "lesson02"]), "{ids:?}");
    for lesson in lessons {
        for exercise in lesson["exercises"].as_array().expect("exercises") {
            assert!(exercise["summary"].is_string(), "{exercise}");
            // A fresh progress file: nothing was checked yet.
            assert_eq!(exercise["status"], "not_checked", "{exercise}");
        }
    }
}

#[test]
fn an_unknown_lesson_is_refused_with_the_known_ones() {
    let run = homework_here(&["check", "lesson99"]);
    assert_eq!(run.status.code(), Some(2), "{}", run.stdout);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("There is no lesson `lesson99`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("lesson01") && run.stderr.contains("lesson02"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_exercise_is_refused_with_the_known_ones() {
    let run = homework_here(&["hint", "no_such_exercise"]);
    assert_eq!(run.status.code(), Some(2), "{}", run.stdout);
    assert!(run.stderr.contains("request_line"), "{}", run.stderr);
}
