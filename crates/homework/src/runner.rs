//! Runs a lesson's exercise tests with `cargo test` and reads the results into a [`Report`].
//!
//! The command is `cargo test -p PACKAGE --test exercises [--features reference] --
//! --include-ignored`, run from the workspace root with its output captured. The tests run on
//! one thread: libtest then prints each test's name before running it, so a test that crashes
//! the test program (a stack overflow from endless recursion, say) is still named, and a test
//! that runs for too long can be pointed out while it runs.
//!
//! The results are grouped by exercise (the first segment of a test's path), in the catalog's
//! order, and each exercise's checks are put in the order its test file defines them, so the
//! "first failing check" is the first one the test author meant a learner to meet.

mod compiler;
mod libtest;

use std::fmt;
use std::io::{self, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::catalog::{Exercise, Lesson};
use crate::report::{CheckResult, GroupResult, Report};
use crate::workspace::{clean_path, workspace_root};
use compiler::BuildFailure;
use libtest::{Failure, TestOutcome, TestRun};

/// The name of the stand-in check of an exercise none of whose tests ran.
pub const NO_TESTS: &str = "(no tests ran)";

/// How often the runner looks at the test program while it runs.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// How long one test may run before the learner is told it may be looping forever. Exercise
/// tests call small functions; none should take more than a fraction of a second.
const SLOW_TEST: Duration = Duration::from_secs(20);

/// Which code the exercise tests are compiled against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// The learner's files, `exercises/E.rs`.
    Learner,
    /// The reference solutions, `exercises/solutions/E.rs` (the package's `reference` feature).
    Reference,
}

/// Why the tests could not be run at all (a compile error is a result, not one of these).
#[derive(Debug)]
pub enum RunError {
    /// Cargo could not be started.
    CannotStartCargo {
        /// The program that was tried: `$CARGO`, or `cargo`.
        program: String,
        /// What the operating system said.
        source: io::Error,
    },
    /// Cargo started and gave up before running any test, for a reason other than the code.
    CargoFailed {
        /// The command, to try by hand.
        command: String,
        /// Cargo's error messages.
        message: String,
    },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::CannotStartCargo { program, source } => write!(
                f,
                "could not start `{program}` to run the tests ({source}); is Rust installed, \
                 with cargo on your PATH?"
            ),
            RunError::CargoFailed { command, message } => write!(
                f,
                "cargo stopped before running any test. It said:\n\n{message}\n\n\
                 (the command was `{command}`)"
            ),
        }
    }
}

impl std::error::Error for RunError {}

/// Runs the exercise tests of `lesson` against `code` and reads the results.
pub fn run_exercises(lesson: &Lesson, code: Code) -> Result<Report, RunError> {
    let root = workspace_root();
    let mut command = cargo_test_command(lesson, code, &root);
    let program = command.get_program().to_string_lossy().into_owned();
    let captured = run_captured(&mut command)
        .map_err(|source| RunError::CannotStartCargo { program, source })?;
    let test_source =
        |exercise: &str| std::fs::read_to_string(root.join(test_file(lesson, exercise))).ok();
    read_results(lesson, &captured, test_source).map_err(|message| RunError::CargoFailed {
        command: describe(&command),
        message,
    })
}

/// The file holding an exercise's tests, relative to the workspace root:
/// `lessons/lesson02-http/tests/exercises/request_line.rs`.
pub fn test_file(lesson: &Lesson, exercise: &str) -> String {
    format!("{}/tests/exercises/{exercise}.rs", lesson.dir())
}

/// The number of tests that really ran in a group (not counting the stand-in for none).
pub fn tests_run(group: &GroupResult) -> usize {
    group
        .checks
        .iter()
        .filter(|check| check.name != NO_TESTS)
        .count()
}

/// `cargo test -p PACKAGE --test exercises [--features reference] -- --include-ignored ...`.
fn cargo_test_command(lesson: &Lesson, code: Code, root: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .env("CARGO_TERM_COLOR", "never")
        // `term.quiet` in a cargo config would make libtest print its terse format.
        .env("CARGO_TERM_QUIET", "false")
        .env("RUST_BACKTRACE", "0")
        .args(["test", "-p", lesson.package, "--test", "exercises"]);
    if code == Code::Reference {
        command.args(["--features", "reference"]);
    }
    // The tests are ignored until the learner writes them; one thread names a crashing test;
    // `--format pretty` wins over a `--quiet` (terse output) cargo may pass on.
    command.args([
        "--",
        "--include-ignored",
        "--test-threads=1",
        "--format",
        "pretty",
        "--color",
        "never",
    ]);
    command
}

/// A command as one could type it.
fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(
        command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned()),
    );
    words.join(" ")
}

/// What a finished command printed.
#[derive(Debug, Default)]
struct Captured {
    /// Standard output: the test program's report.
    stdout: String,
    /// Standard error: cargo's progress and the compiler's messages.
    stderr: String,
}

/// Runs a command to its end with both outputs captured, telling the learner on standard
/// error when a test seems to run forever.
fn run_captured(command: &mut Command) -> io::Result<Captured> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let readers = [
        collect(child.stdout.take(), Arc::clone(&stdout)),
        collect(child.stderr.take(), Arc::clone(&stderr)),
    ];
    wait_watching(&mut child, &stdout)?;
    for reader in readers {
        let _ = reader.join();
    }
    let text = |bytes: &Arc<Mutex<Vec<u8>>>| String::from_utf8_lossy(&lock(bytes)).into_owned();
    Ok(Captured {
        stdout: text(&stdout),
        stderr: text(&stderr),
    })
}

/// Waits for the child to exit, printing a note when one test runs for longer than
/// [`SLOW_TEST`].
fn wait_watching(child: &mut Child, stdout: &Arc<Mutex<Vec<u8>>>) -> io::Result<()> {
    let mut watch = SlowTestWatch::default();
    while child.try_wait()?.is_none() {
        thread::sleep(POLL_INTERVAL);
        let running = running_test(&String::from_utf8_lossy(&lock(stdout)));
        if let Some(note) = watch.notice(running, Instant::now()) {
            eprintln!("{note}");
        }
    }
    Ok(())
}

/// Locks a buffer even if a reader thread panicked while holding it.
fn lock(buffer: &Mutex<Vec<u8>>) -> std::sync::MutexGuard<'_, Vec<u8>> {
    buffer
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Copies everything from a pipe into a shared buffer, on a thread.
fn collect(pipe: Option<impl Read + Send + 'static>, sink: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    thread::spawn(move || {
        let Some(mut pipe) = pipe else { return };
        let mut chunk = [0u8; 8192];
        while let Ok(count @ 1..) = pipe.read(&mut chunk) {
            lock(&sink).extend_from_slice(&chunk[..count]);
        }
    })
}

/// The test running right now: the output's unfinished last line, `test NAME ... `.
fn running_test(stdout: &str) -> Option<String> {
    let last_line = stdout.rsplit('\n').next()?;
    let name = last_line.strip_prefix("test ")?.strip_suffix(" ... ")?;
    Some(name.to_string())
}

/// Remembers which test is running and since when, to point out one that runs too long.
#[derive(Debug, Default)]
struct SlowTestWatch {
    /// The test running at the last look, and when it was first seen running.
    running: Option<(String, Instant)>,
    /// True once the note about the current test was given.
    noted: bool,
}

impl SlowTestWatch {
    /// Looks at which test runs now; returns a note the first time one has run too long.
    fn notice(&mut self, running: Option<String>, now: Instant) -> Option<String> {
        let same_test = match (&self.running, &running) {
            (Some((seen, _)), Some(name)) => seen == name,
            _ => false,
        };
        if !same_test {
            self.running = running.map(|name| (name, now));
            self.noted = false;
            return None;
        }
        let (name, since) = self.running.as_ref()?;
        if self.noted || now.duration_since(*since) < SLOW_TEST {
            return None;
        }
        self.noted = true;
        Some(format!(
            "note: test {name} has been running for {} seconds. Is there an endless loop? \
             Press Ctrl-C to stop.",
            SLOW_TEST.as_secs()
        ))
    }
}

/// Reads captured output into a report; `Err` carries cargo's messages when it ran no test.
fn read_results(
    lesson: &Lesson,
    captured: &Captured,
    test_source: impl Fn(&str) -> Option<String>,
) -> Result<Report, String> {
    let run = libtest::parse(&captured.stdout);
    if !run.started {
        return match compiler::build_failure(&captured.stderr) {
            BuildFailure::Compile(errors) => Ok(Report {
                compile_error: Some(errors),
                ..Report::new(lesson.id, "exercises", None, Vec::new())
            }),
            BuildFailure::Cargo(message) => Err(message),
        };
    }
    let crash = (!run.finished).then(|| crash_reason(&captured.stderr));
    let groups = group_by_exercise(lesson, &run, crash.as_deref(), &test_source);
    Ok(Report::new(lesson.id, "exercises", None, groups))
}

/// Why the test program stopped early, from cargo's standard error.
fn crash_reason(stderr: &str) -> String {
    let fatal = stderr
        .lines()
        .find_map(|line| line.strip_prefix("fatal runtime error: "));
    if let Some(reason) = fatal {
        return reason.to_string();
    }
    let status = stderr
        .lines()
        .filter(|line| line.contains("didn't exit successfully"))
        .find_map(|line| {
            line.rsplit_once(" (")
                .map(|(_, status)| status.trim_end_matches(')'))
        });
    status
        .unwrap_or("it stopped without saying why")
        .to_string()
}

/// The checks of each exercise, in catalog order, then any test outside the catalog.
fn group_by_exercise(
    lesson: &Lesson,
    run: &TestRun,
    crash: Option<&str>,
    test_source: &impl Fn(&str) -> Option<String>,
) -> Vec<GroupResult> {
    let mut by_exercise: Vec<(String, Vec<CheckResult>)> = Vec::new();
    for (exercise, check) in checks_of(run, crash) {
        match by_exercise.iter_mut().find(|(name, _)| *name == exercise) {
            Some((_, checks)) => checks.push(check),
            None => by_exercise.push((exercise, vec![check])),
        }
    }
    let mut groups: Vec<GroupResult> = lesson
        .exercises
        .iter()
        .map(|exercise| {
            let found = by_exercise
                .iter()
                .position(|(name, _)| name == exercise.name);
            let checks = found.map(|at| by_exercise.remove(at).1).unwrap_or_default();
            exercise_group(exercise, checks, run, test_source)
        })
        .collect();
    groups.extend(
        by_exercise
            .into_iter()
            .map(|(name, checks)| group(name, None, checks)),
    );
    groups
}

/// Every outcome as `(exercise, check)`, plus the test the program crashed in.
fn checks_of(run: &TestRun, crash: Option<&str>) -> Vec<(String, CheckResult)> {
    let mut checks: Vec<(String, CheckResult)> = run.outcomes.iter().map(check_of).collect();
    if let Some(name) = &run.cut_short_in {
        let reason = crash.unwrap_or("it stopped without saying why");
        let failure = Failure {
            message: crashed_message(reason),
            ..Failure::default()
        };
        checks.push(check_of(&TestOutcome {
            name: name.clone(),
            failure: Some(failure),
        }));
    }
    checks
}

/// What to say about the test that was running when the test program crashed.
fn crashed_message(reason: &str) -> String {
    let cause = if reason.contains("stack overflow") {
        " A function that calls itself without end is the usual cause."
    } else {
        ""
    };
    format!("the test program crashed during this test: {reason}.{cause}")
}

/// One outcome as `(exercise, check)`: `request_line::splits` is check `splits` of
/// `request_line`.
fn check_of(outcome: &TestOutcome) -> (String, CheckResult) {
    let (exercise, test) = outcome
        .name
        .split_once("::")
        .unwrap_or((outcome.name.as_str(), outcome.name.as_str()));
    let failure = outcome.failure.as_ref();
    let check = CheckResult {
        name: test.to_string(),
        passed: failure.is_none(),
        message: failure.map(message_with_location),
        expected: failure.and_then(|f| f.expected.clone()),
        got: failure.and_then(|f| f.got.clone()),
        sent: None,
        received: None,
    };
    (exercise.to_string(), check)
}

/// The failure's message, then `at FILE:LINE:COLUMN` on its own line when known.
fn message_with_location(failure: &Failure) -> String {
    match &failure.location {
        Some(location) => format!("{}\nat {}", failure.message, clean_path(location)),
        None => failure.message.clone(),
    }
}

/// An exercise's group, its checks in test-file order; a failing stand-in when none ran.
fn exercise_group(
    exercise: &Exercise,
    mut checks: Vec<CheckResult>,
    run: &TestRun,
    test_source: &impl Fn(&str) -> Option<String>,
) -> GroupResult {
    if checks.is_empty() {
        checks.push(no_tests_check(exercise, run));
    } else if let Some(source) = test_source(exercise.name) {
        sort_by_source_order(&mut checks, &source);
    }
    group(
        exercise.name.to_string(),
        Some(exercise.hint.to_string()),
        checks,
    )
}

/// The failing stand-in check of an exercise none of whose tests ran, saying why.
fn no_tests_check(exercise: &Exercise, run: &TestRun) -> CheckResult {
    let message = match (&run.cut_short_in, run.finished) {
        (Some(crashed_in), _) => format!(
            "not run: the test program crashed before reaching this exercise (in {crashed_in})"
        ),
        (None, false) => "not run: the test program stopped before reaching this exercise".into(),
        (None, true) => format!(
            "no tests ran for this exercise; its tests should be in tests/exercises/{0}.rs, \
             with `mod {0};` in tests/exercises.rs",
            exercise.name
        ),
    };
    CheckResult::fail(NO_TESTS, message)
}

/// Orders checks as their `fn NAME(` appear in the test file; checks not found go last.
fn sort_by_source_order(checks: &mut [CheckResult], source: &str) {
    checks.sort_by_key(|check| {
        let function = check.name.rsplit("::").next().unwrap_or(&check.name);
        source
            .find(&format!("fn {function}("))
            .unwrap_or(usize::MAX)
    });
}

/// A group, passed when it has checks and all of them passed.
fn group(name: String, hint: Option<String>, checks: Vec<CheckResult>) -> GroupResult {
    GroupResult {
        passed: !checks.is_empty() && checks.iter().all(|check| check.passed),
        name,
        hint,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find_lesson;
    use pretty_assertions::assert_eq;

    fn lesson02() -> &'static Lesson {
        find_lesson("lesson02").unwrap()
    }

    fn captured(stdout: &str, stderr: &str) -> Captured {
        Captured {
            stdout: stdout.to_string(),
            stderr: stderr.to_string(),
        }
    }

    fn no_sources(_: &str) -> Option<String> {
        None
    }

    fn group_named<'a>(report: &'a Report, name: &str) -> &'a GroupResult {
        report
            .groups
            .iter()
            .find(|group| group.name == name)
            .unwrap_or_else(|| panic!("no group {name}"))
    }

    /// A finished run where `request_line` has one failing and one passing test.
    const SMALL_RUN: &str = "\nrunning 3 tests\n\
        test request_line::b_rejects_tabs ... ok\n\
        test request_line::a_splits_a_get ... FAILED\n\
        test safe_path::plain ... ok\n\n\
        failures:\n\n\
        ---- request_line::a_splits_a_get stdout ----\n\n\
        thread 'request_line::a_splits_a_get' (7) panicked at lessons/lesson02-http/tests/exercises/../../exercises/request_line.rs:9:5:\n\
        not yet implemented: split the line\n\
        note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\n\
        failures:\n    request_line::a_splits_a_get\n\n\
        test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";

    #[test]
    fn results_are_grouped_by_exercise_in_catalog_order_with_hints() {
        let report = read_results(lesson02(), &captured(SMALL_RUN, ""), no_sources).unwrap();
        let names: Vec<&str> = report.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["request_line", "safe_path", "listing_entry"]);
        let request_line = group_named(&report, "request_line");
        assert!(!request_line.passed);
        assert_eq!(
            request_line.hint.as_deref(),
            Some(lesson02().exercises[0].hint)
        );
        assert!(group_named(&report, "safe_path").passed);
        assert_eq!((report.passed, report.failed), (2, 2));
        assert!(!report.all_passed());
    }

    #[test]
    fn a_todo_reads_as_not_written_yet_with_the_learners_file() {
        let report = read_results(lesson02(), &captured(SMALL_RUN, ""), no_sources).unwrap();
        let failing = &group_named(&report, "request_line").checks[1];
        assert_eq!(failing.name, "a_splits_a_get");
        assert_eq!(
            failing.message.as_deref(),
            Some(
                "not written yet: split the line\nat lessons/lesson02-http/exercises/request_line.rs:9:5"
            )
        );
    }

    #[test]
    fn checks_follow_the_order_of_the_test_file() {
        let source = |exercise: &str| {
            (exercise == "request_line").then(|| {
                "fn helper() {}\nfn a_splits_a_get() {}\nfn b_rejects_tabs() {}".to_string()
            })
        };
        let report = read_results(lesson02(), &captured(SMALL_RUN, ""), source).unwrap();
        let names: Vec<&str> = group_named(&report, "request_line")
            .checks
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["a_splits_a_get", "b_rejects_tabs"]);
    }

    #[test]
    fn an_exercise_without_tests_fails_and_says_so() {
        let report = read_results(lesson02(), &captured(SMALL_RUN, ""), no_sources).unwrap();
        let listing = group_named(&report, "listing_entry");
        assert!(!listing.passed);
        assert_eq!(listing.checks.len(), 1);
        assert_eq!(listing.checks[0].name, NO_TESTS);
        assert!(
            listing.checks[0]
                .message
                .as_deref()
                .unwrap()
                .starts_with("no tests ran")
        );
        assert_eq!(tests_run(listing), 0);
        assert_eq!(tests_run(group_named(&report, "request_line")), 2);
    }

    #[test]
    fn tests_outside_the_catalog_are_reported_after_it() {
        let stdout = "running 1 test\ntest stray::x ... ok\n\ntest result: ok. 1 passed\n";
        let report = read_results(lesson02(), &captured(stdout, ""), no_sources).unwrap();
        let last = report.groups.last().unwrap();
        assert_eq!(
            (last.name.as_str(), last.passed, last.hint.is_none()),
            ("stray", true, true)
        );
    }

    #[test]
    fn a_real_run_with_every_kind_of_failure_is_read() {
        let stdout = include_str!("runner/testdata/failures.stdout");
        let report = read_results(lesson02(), &captured(stdout, ""), no_sources).unwrap();
        let request_line = group_named(&report, "request_line");
        assert_eq!(request_line.checks.len(), 10);
        let compared = request_line
            .checks
            .iter()
            .find(|c| c.name == "assert_eq_msg")
            .unwrap();
        assert_eq!(
            compared.message.as_deref(),
            Some(
                "the answer of two()\nat lessons/lesson02-http/tests/exercises/request_line.rs:10:22"
            )
        );
        assert_eq!(
            (compared.expected.as_deref(), compared.got.as_deref()),
            (Some("3"), Some("2"))
        );
        let nested = request_line
            .checks
            .iter()
            .find(|c| c.name == "nested::inner")
            .unwrap();
        assert!(nested.passed);
    }

    #[test]
    fn a_real_lesson02_run_with_one_exercise_partly_solved_is_read() {
        let stdout = include_str!("runner/testdata/lesson02_partly_solved.stdout");
        let report = read_results(lesson02(), &captured(stdout, ""), no_sources).unwrap();
        assert_eq!((report.passed, report.failed), (12, 29));
        let request_line = group_named(&report, "request_line");
        let spaces = request_line
            .checks
            .iter()
            .find(|c| c.name == "spaces_separate_one_at_a_time_and_never_at_the_ends")
            .unwrap();
        assert_eq!(
            spaces.message.as_deref(),
            Some(
                "parse_request_line(\"GET  / HTTP/1.1\")\n\
                 at lessons/lesson02-http/tests/exercises/request_line.rs:111:9"
            )
        );
        assert_eq!(spaces.expected.as_deref(), Some("Err(Shape)"));
        assert_eq!(
            spaces.got.as_deref(),
            Some("Ok(RequestLine { method: \"GET\", path: \"/\", query: None, version: (1, 1) })")
        );
        let safe_path = group_named(&report, "safe_path");
        assert!(safe_path.checks.iter().all(|c| {
            c.message
                .as_deref()
                .is_some_and(|m| m.starts_with("not written yet: "))
        }));
    }

    #[test]
    fn a_crash_names_the_test_and_fails_the_exercises_not_reached() {
        let stdout = include_str!("runner/testdata/crash.stdout");
        let stderr = include_str!("runner/testdata/crash.stderr");
        let report = read_results(lesson02(), &captured(stdout, stderr), no_sources).unwrap();
        let request_line = group_named(&report, "request_line");
        let crashed = request_line
            .checks
            .iter()
            .find(|c| c.name == "todo_panics")
            .unwrap();
        assert!(!crashed.passed);
        assert_eq!(
            crashed.message.as_deref(),
            Some(
                "the test program crashed during this test: stack overflow, aborting. A function \
                  that calls itself without end is the usual cause."
            )
        );
        let safe_path = group_named(&report, "safe_path");
        assert!(!safe_path.passed);
        assert!(
            safe_path.checks[0]
                .message
                .as_deref()
                .unwrap()
                .contains("request_line::todo_panics")
        );
    }

    #[test]
    fn a_compile_error_is_a_report_without_groups() {
        let stderr = include_str!("runner/testdata/compile_error.stderr");
        let report = read_results(lesson02(), &captured("", stderr), no_sources).unwrap();
        let errors = report.compile_error.as_deref().unwrap();
        assert!(
            errors.contains("lessons/lesson02-http/exercises/request_line.rs:1:48"),
            "{errors}"
        );
        assert!(report.groups.is_empty());
        assert!(!report.all_passed());
    }

    #[test]
    fn a_cargo_error_is_an_error() {
        let stderr =
            "error: the package 'lesson02-http' does not contain this feature: reference\n";
        let error = read_results(lesson02(), &captured("", stderr), no_sources).unwrap_err();
        assert!(error.contains("does not contain this feature"), "{error}");
    }

    #[test]
    fn the_running_test_is_the_unfinished_last_line() {
        assert_eq!(
            running_test("running 2 tests\ntest a::b ... ").as_deref(),
            Some("a::b")
        );
        assert_eq!(running_test("running 2 tests\ntest a::b ... ok\n"), None);
        assert_eq!(running_test(""), None);
    }

    #[test]
    fn a_slow_test_is_noted_once() {
        let start = Instant::now();
        let mut watch = SlowTestWatch::default();
        let a = || Some("a::b".to_string());
        assert_eq!(watch.notice(a(), start), None);
        assert_eq!(watch.notice(a(), start + Duration::from_secs(1)), None);
        let note = watch.notice(a(), start + SLOW_TEST).unwrap();
        assert!(note.contains("a::b") && note.contains("Ctrl-C"), "{note}");
        assert_eq!(watch.notice(a(), start + SLOW_TEST * 2), None);
        assert_eq!(
            watch.notice(Some("a::c".into()), start + SLOW_TEST * 2),
            None
        );
    }

    #[test]
    fn the_command_runs_every_test_of_the_exercises_target() {
        let command = cargo_test_command(lesson02(), Code::Reference, Path::new("/w"));
        let line = describe(&command);
        assert!(
            line.ends_with(
                "test -p lesson02-http --test exercises --features reference -- \
                 --include-ignored --test-threads=1 --format pretty --color never"
            ),
            "{line}"
        );
        assert_eq!(command.get_current_dir(), Some(Path::new("/w")));
    }
}
