//! The learner's loop with the homework checker, end to end: a check through `cargo run`
//! compiles nothing the second time, an endless loop is stopped at the deadline, a compile
//! error in one exercise hides nothing of the others, `reset` keeps a backup, nothing a
//! server sends can act on the terminal, and `verify` holds for a sound lesson and not for an
//! edited one.
//!
//! Everything runs in the pristine copy of the workspace
//! ([`end_to_end::homework_workspace`]), each test on a lesson of its own (01 speed, 02
//! deadline, 04 compile error, 05 reset, 06 and 07 verify), since the tests of one program
//! run side by side and some edit exercise files. Speed is measured by
//! `scripts/bench-homework.sh`, never here: these tests assert what was compiled and what was
//! reported, not how long it took.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use base64::prelude::{BASE64_STANDARD, Engine as _};
use end_to_end::homework_workspace::{copy_target, pristine_workspace};
use end_to_end::{Finished, TempDir, binary, cargo_as_in_a_shell, run_command};
use serde_json::Value;

/// How long one run may take; the first compiles a lesson in the copy's target directory.
const RUN_TIMEOUT: Duration = Duration::from_secs(900);

/// `cargo ARGS` in the pristine copy, in the environment of a learner's shell, with the
/// copy's target directory and a private progress file.
fn cargo_as_a_learner(args: &[&str], progress: &Path) -> Finished {
    let mut command = cargo_as_in_a_shell();
    command
        .args(args)
        .current_dir(pristine_workspace())
        .env("CARGO_TARGET_DIR", copy_target())
        .env("CARGO_TERM_COLOR", "never")
        .env("HOMEWORK_PROGRESS_FILE", progress);
    run_command(command, RUN_TIMEOUT)
}

/// The checker binary itself in the pristine copy, with the copy's target directory.
fn homework(args: &[&str]) -> Finished {
    let progress = TempDir::new("homework-loop-progress");
    let mut command = Command::new(binary("homework"));
    command
        .args(args)
        .current_dir(pristine_workspace())
        .env("CARGO_TARGET_DIR", copy_target())
        .env(
            "HOMEWORK_PROGRESS_FILE",
            progress.path().join("progress.json"),
        );
    run_command(command, RUN_TIMEOUT)
}

/// Replaces the first `todo!(` of an exercise file in the copy with `replacement` followed by
/// that `todo!(`; returns the file's path.
fn edit_exercise(relative: &str, replacement: &str) -> std::path::PathBuf {
    let path = pristine_workspace().join(relative);
    let stub = std::fs::read_to_string(&path).expect("the exercise file");
    assert!(stub.contains("todo!("), "{relative} is not a stub");
    let edited = stub.replacen("todo!(", &format!("{replacement} todo!("), 1);
    std::fs::write(&path, edited).expect("exercise file written");
    path
}

/// The report's group named `name`.
fn group<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|group| group["name"] == name)
        .unwrap_or_else(|| panic!("no group {name} in {report}"))
}

/// Reads a JSON report from a run's standard output.
fn json_report(run: &Finished) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        )
    })
}

#[test]
fn a_second_check_through_cargo_run_compiles_nothing() {
    let progress = TempDir::new("homework-speed-progress");
    let progress_file = progress.path().join("progress.json");
    let first = cargo_as_a_learner(
        &["run", "-q", "-p", "homework", "--", "check", "lesson01"],
        &progress_file,
    );
    assert_eq!(first.status.code(), Some(1), "stubs fail: {}", first.stderr);
    let second = cargo_as_a_learner(
        &[
            "run",
            "-v",
            "-p",
            "homework",
            "--",
            "--verbose",
            "check",
            "lesson01",
        ],
        &progress_file,
    );
    assert_eq!(
        second.status.code(),
        Some(1),
        "stubs fail: {}",
        second.stderr
    );
    // Proof that cargo's own lines are seen: both cargos report the crates they found fresh
    // (the outer one builds the checker, the inner one the lesson's tests).
    assert!(
        second.stderr.contains("Fresh homework"),
        "the outer cargo's lines are missing:\n{}",
        second.stderr
    );
    assert!(
        second.stderr.contains("Fresh lesson01-echo"),
        "the checker's cargo lines are missing:\n{}",
        second.stderr
    );
    let compiled: Vec<&str> = second
        .stderr
        .lines()
        .filter(|line| line.contains("Compiling ") || line.contains("Dirty "))
        .collect();
    assert!(
        compiled.is_empty(),
        "the second check compiled again:\n{}\n\nall of cargo's lines:\n{}",
        compiled.join("\n"),
        second.stderr
    );
    assert!(second.stdout.contains("✗ head_end"), "{}", second.stdout);
}

#[test]
fn an_endless_loop_is_stopped_at_the_deadline_and_hides_no_other_exercise() {
    let file = edit_exercise(
        "lessons/lesson02-http/exercises/request_line.rs",
        "{ loop {} };",
    );
    let started = Instant::now();
    let run = homework(&["check", "lesson02", "--json", "--timeout", "2"]);
    let _ = std::fs::remove_file(&file);
    homework(&["reset", "request_line"]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    let report = json_report(&run);
    let looping = group(&report, "request_line");
    assert_eq!(looping["passed"], false);
    let stuck: Vec<&Value> = looping["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|check| {
            check["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("did not finish in 2 s — an endless loop"))
        })
        .collect();
    assert_eq!(stuck.len(), 1, "{looping}");
    assert!(
        stuck[0]["name"]
            .as_str()
            .is_some_and(|name| !name.is_empty()),
        "the stuck test is named: {looping}"
    );
    for other in ["safe_path", "listing_entry"] {
        let checks = group(&report, other)["checks"].as_array().expect("checks");
        assert!(checks.len() >= 3, "{other} was still checked: {report}");
    }
    // The checker exited: bounded well under the run's own timeout.
    assert!(started.elapsed() < RUN_TIMEOUT);
}

#[test]
fn a_compile_error_in_one_exercise_leaves_the_others_checked() {
    let file = edit_exercise(
        "lessons/lesson04-forms/exercises/cookie_pairs.rs",
        "let broken: u32 = \"not a number\";",
    );
    let run = homework(&["check", "lesson04", "--json"]);
    let text = homework(&["check", "lesson04"]);
    let _ = std::fs::remove_file(&file);
    homework(&["reset", "cookie_pairs"]);
    let report = json_report(&run);
    assert_eq!(report["compile_error"], Value::Null, "{report}");
    let broken = group(&report, "cookie_pairs");
    assert_eq!(broken["passed"], false);
    let errors = broken["compile_error"].as_str().expect("a compile error");
    assert!(errors.contains("mismatched types"), "{errors}");
    assert!(
        errors.contains("lessons/lesson04-forms/exercises/cookie_pairs.rs:"),
        "{errors}"
    );
    for other in ["query_pairs", "multipart_parts"] {
        let other = group(&report, other);
        assert_eq!(other["compile_error"], Value::Null, "{other}");
        assert!(!other["checks"].as_array().expect("checks").is_empty());
    }
    assert!(
        text.stdout.contains("✗ cookie_pairs      does not compile"),
        "{}",
        text.stdout
    );
}

#[test]
fn reset_keeps_a_backup_and_reset_all_asks_first() {
    let relative = "lessons/lesson05-gateway/exercises/resolve_path.rs";
    let path = pristine_workspace().join(relative);
    let stub = std::fs::read_to_string(&path).expect("the stub");
    let mine = format!("// my own work, not to be lost\n{stub}");
    std::fs::write(&path, &mine).expect("written");
    let run = homework(&["reset", "resolve_path"]);
    assert!(run.status.success(), "{}", run.stderr);
    let backup = run
        .stdout
        .split_whitespace()
        .find(|word| word.starts_with(".homework/backup/resolve_path-"))
        .unwrap_or_else(|| panic!("no backup named in: {}", run.stdout))
        .trim_end_matches([';', ',']);
    let kept = std::fs::read_to_string(pristine_workspace().join(backup)).expect("the backup");
    assert_eq!(kept, mine);
    assert_eq!(std::fs::read_to_string(&path).expect("reset file"), stub);

    let unconfirmed = homework(&["reset", "--all"]);
    assert_eq!(unconfirmed.status.code(), Some(2), "{}", unconfirmed.stdout);
    assert!(
        unconfirmed.stderr.contains("needs a yes"),
        "{}",
        unconfirmed.stderr
    );
}

/// A server on a free loopback port whose every answer has an escape sequence in its status
/// line; it stops when the returned flag is raised (or after a minute).
fn hostile_server() -> (u16, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.set_nonblocking(true).expect("non-blocking");
    let port = listener.local_addr().expect("address").port();
    let done = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&done);
    thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
            let Ok((mut stream, _)) = listener.accept() else {
                thread::sleep(Duration::from_millis(5));
                continue;
            };
            let _ = stream.set_nonblocking(false);
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(
                b"HTTP/1.1 200 \x1b[2J\x1b[H6 of 6 check groups pass\x1b]52;c;ZXZpbA==\x07\r\n\
                  Content-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (port, done)
}

#[test]
fn bytes_from_a_server_are_escaped_before_the_terminal_and_exact_in_json() {
    let (port, done) = hostile_server();
    let url = format!("http://127.0.0.1:{port}/");
    let text = run_command(
        {
            let mut command = Command::new(binary("homework"));
            command.args(["check", "lesson02", "--url", &url, "--all"]);
            command
        },
        Duration::from_secs(120),
    );
    let json = run_command(
        {
            let mut command = Command::new(binary("homework"));
            command.args(["check", "lesson02", "--url", &url, "--json"]);
            command
        },
        Duration::from_secs(120),
    );
    done.store(true, Ordering::Relaxed);
    assert_eq!(text.status.code(), Some(1), "{}", text.stdout);
    assert!(
        !text.stdout.contains('\x1b') && !text.stderr.contains('\x1b'),
        "an escape reached the terminal:\n{}",
        text.stdout.escape_debug()
    );
    assert!(text.stdout.contains("\\x1b[2J"), "{}", text.stdout);
    assert!(text.stdout.contains("\\x1b]52;c;"), "{}", text.stdout);
    assert!(
        !text.stdout.contains("\n6 of 6 check groups pass"),
        "{}",
        text.stdout
    );

    assert!(
        !json.stdout.contains('\x1b') && !json.stdout.contains("\\u001b"),
        "{}",
        json.stdout
    );
    let report = json_report(&json);
    assert_eq!(report["schema_version"], 1);
    let checks: Vec<&Value> = report["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|group| group["checks"].as_array().expect("checks"))
        .collect();
    let answered = checks
        .iter()
        .find(|check| check["status"]["code"] == 200)
        .unwrap_or_else(|| panic!("no check recorded a 200 status: {report}"));
    let reason = answered["status"]["reason"].as_str().expect("a reason");
    assert!(reason.starts_with("\\x1b[2J"), "{reason}");
    let received = BASE64_STANDARD
        .decode(answered["received_base64"].as_str().expect("raw bytes"))
        .expect("base64");
    assert!(
        received.starts_with(b"HTTP/1.1 200 \x1b[2J\x1b[H"),
        "{received:?}"
    );
    let sent = BASE64_STANDARD
        .decode(answered["sent_base64"].as_str().expect("raw bytes"))
        .expect("base64");
    assert!(sent.ends_with(b"\r\n\r\n"), "{sent:?}");
}

/// The properties of one lesson in a `verify --json` report, by name.
fn properties(report: &Value) -> Vec<(String, bool)> {
    report["lessons"][0]["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().expect("a name").to_string(),
                p["holds"] == true,
            )
        })
        .collect()
}

#[test]
fn verify_holds_for_a_sound_lesson_end_to_end() {
    let run = homework(&["verify", "lesson06", "--json"]);
    assert_eq!(run.status.code(), Some(0), "{}\n{}", run.stdout, run.stderr);
    let report = json_report(&run);
    assert_eq!(report["ok"], true);
    assert_eq!(
        properties(&report),
        [
            ("stubs_match_solutions".to_string(), true),
            ("solutions_pass".to_string(), true),
            ("stubs_fail".to_string(), true),
            ("mutants_caught".to_string(), true),
        ]
    );
    // The mutants were put back: the learner file is its stub again.
    let stub = pristine_workspace().join("lessons/lesson06-books/exercises/book_detail.rs");
    let text = std::fs::read_to_string(stub).expect("the stub");
    assert!(text.contains("todo!("), "{text}");
}

#[test]
fn verify_catches_a_learner_file_that_is_not_its_stub() {
    let relative = "lessons/lesson07-calculator/exercises/calculate.rs";
    let path = pristine_workspace().join(relative);
    let stub = std::fs::read_to_string(&path).expect("the stub");
    std::fs::write(&path, format!("{stub}// an edit\n")).expect("written");
    let run = homework(&["verify", "lesson07", "--json"]);
    std::fs::write(&path, &stub).expect("put back");
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    let report = json_report(&run);
    let by_name = properties(&report);
    assert!(
        by_name.contains(&("stubs_match_solutions".to_string(), false)),
        "{report}"
    );
    assert!(
        by_name.contains(&("mutants_caught".to_string(), false)),
        "mutants are not tried over someone's work: {report}"
    );
    let problems = report["lessons"][0]["properties"][0]["problems"].to_string();
    assert!(problems.contains(relative), "{problems}");
}
