//! The homework checker, run as a learner runs it: `check`, `list`, `hint` and `reset`.
//!
//! `check` runs in a pristine copy of the workspace ([`end_to_end::homework_workspace`]).
//! Every run points `HOMEWORK_PROGRESS_FILE` at a temporary file: a learner's real progress is
//! never touched. The learner's loop itself (speed, deadlines, backups) is in
//! `homework_loop.rs`.
//!
//! `verify` is not run here: it rebuilds the lessons with other features, and belongs in CI.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use end_to_end::homework_workspace::{copy_target, pristine_workspace};
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
