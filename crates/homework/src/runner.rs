//! Builds and runs a lesson's exercise tests, and reads the results into a [`Report`].
//!
//! Each exercise is a test target of its own. One `cargo build` compiles them all, going on
//! past an exercise that does not compile ([`cargo`]); then the checker runs each exercise's
//! test executable itself, one after the other, each within a deadline ([`test_program`]),
//! and reads what libtest printed ([`libtest`]). So an exercise that does not compile, loops
//! forever or crashes its test program fails alone, and the others are still checked.
//!
//! The tests run on one thread: libtest then prints each test's name before running it, so a
//! test that crashes the test program (a stack overflow from endless recursion, say) or never
//! ends is still named. Each exercise's checks are put in the order its test file defines
//! them, so the "first failing check" is the first one the test author meant a learner to
//! meet.

mod cargo;
mod compiler;
mod libtest;
mod test_program;

use std::fmt;
use std::io;
use std::time::Duration;

use crate::catalog::{Exercise, Lesson};
use crate::report::{CheckResult, GroupResult, Report};
use crate::workspace::{clean_path, workspace_root};
use libtest::{Failure, TestOutcome, TestRun};
use test_program::{Ending, ProgramRun};

pub use test_program::{RunLimits, StopFlag};

pub use crate::report::NO_TESTS;

/// How long one exercise's tests may run by default. Exercise tests call small functions;
/// all of them together take a fraction of a second when the code is right.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);

/// Which code the exercise tests are compiled against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// The learner's files, `exercises/E.rs`.
    Learner,
    /// The reference solutions, `exercises/solutions/E.rs` (the package's `reference` feature).
    Reference,
}

/// How to run a lesson's exercise tests.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Which code to test.
    pub code: Code,
    /// The deadline of each exercise, and the flag that stops the whole check.
    pub limits: RunLimits,
    /// Show what cargo does (`cargo build --verbose`, its output copied to standard error).
    pub verbose: bool,
}

impl RunOptions {
    /// The learner's code or the solutions, with the default deadline.
    pub fn new(code: Code) -> RunOptions {
        RunOptions {
            code,
            limits: RunLimits {
                deadline: DEFAULT_DEADLINE,
                stop: None,
            },
            verbose: false,
        }
    }
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
    /// Cargo started and gave up before building any test, for a reason other than the code.
    CargoFailed {
        /// The command, to try by hand.
        command: String,
        /// Cargo's error messages.
        message: String,
    },
    /// A test program that was built could not be started.
    CannotStartTests {
        /// The exercise whose tests these are.
        exercise: String,
        /// What the operating system said.
        source: io::Error,
    },
    /// The check was stopped from outside (`watch` saw a save) before it finished.
    Stopped,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::CannotStartCargo { program, source } => write!(
                f,
                "could not start `{program}` to build the tests ({source}); is Rust installed, \
                 with cargo on your PATH?"
            ),
            RunError::CargoFailed { command, message } => write!(
                f,
                "cargo stopped before building any test. It said:\n\n{message}\n\n\
                 (the command was `{command}`)"
            ),
            RunError::CannotStartTests { exercise, source } => write!(
                f,
                "the tests of {exercise} were built but could not be started ({source})"
            ),
            RunError::Stopped => write!(f, "the check was stopped before it finished"),
        }
    }
}

impl std::error::Error for RunError {}

/// Builds and runs the exercise tests of `lesson` as `options` say, and reads the results.
pub fn run_exercises(lesson: &Lesson, options: &RunOptions) -> Result<Report, RunError> {
    let root = workspace_root();
    let command = cargo::build_command(lesson, options.code, &root, options.verbose);
    let program = command.get_program().to_string_lossy().into_owned();
    let described = describe(&command);
    let build = cargo::run_build(command, options.verbose)
        .map_err(|source| RunError::CannotStartCargo { program, source })?;
    if options.limits.stopped() {
        return Err(RunError::Stopped);
    }
    let is_exercise = |target: &str| lesson.exercises.iter().any(|e| e.name == target);
    let elsewhere: Vec<String> = build
        .errors
        .iter()
        .filter(|(target, _)| !is_exercise(target))
        .flat_map(|(_, errors)| errors.iter().cloned())
        .collect();
    if build.executables.is_empty() {
        if !elsewhere.is_empty() {
            return Ok(Report {
                compile_error: Some(compiler::shown_errors(&elsewhere)),
                ..Report::new(lesson.id, "exercises", None, Vec::new())
            });
        }
        if build.errors.is_empty() {
            return Err(RunError::CargoFailed {
                command: described,
                message: compiler::cargo_message(&build.stderr),
            });
        }
    }
    let package_dir = root.join(lesson.dir());
    let mut groups = Vec::new();
    for exercise in lesson.exercises {
        let group = match (
            build.executables.get(exercise.name),
            build.errors.get(exercise.name),
        ) {
            (Some(program), _) => {
                let run = test_program::run_test_program(program, &package_dir, &options.limits)
                    .map_err(|source| RunError::CannotStartTests {
                        exercise: exercise.name.to_string(),
                        source,
                    })?;
                if run.ending == Ending::Stopped {
                    return Err(RunError::Stopped);
                }
                let source = std::fs::read_to_string(root.join(test_file(lesson, exercise.name)));
                exercise_result(exercise, &run, options.limits.deadline, source.ok())
            }
            (None, Some(errors)) => compile_error_group(exercise, compiler::shown_errors(errors)),
            (None, None) => not_built_group(exercise),
        };
        groups.push(group);
    }
    Ok(Report::new(lesson.id, "exercises", None, groups))
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

/// A command as one could type it.
fn describe(command: &std::process::Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(
        command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned()),
    );
    words.join(" ")
}

/// `10 s`, or `0.3 s` for a deadline under a second.
pub fn seconds(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

/// The result of one exercise whose test program ran: every test's outcome, in test-file
/// order, and a failing check for the test that was running when the program crashed or was
/// stopped at its deadline.
fn exercise_result(
    exercise: &Exercise,
    run: &ProgramRun,
    deadline: Duration,
    test_source: Option<String>,
) -> GroupResult {
    let tests = libtest::parse(&run.stdout);
    let mut checks: Vec<CheckResult> = tests.outcomes.iter().map(check_of).collect();
    if let Some(name) = &tests.cut_short_in {
        let message = match run.ending {
            Ending::TimedOut => did_not_finish(deadline),
            _ => crashed_message(&crash_reason(run)),
        };
        checks.push(CheckResult::fail(name.clone(), message));
    } else if run.ending == Ending::TimedOut {
        let message = format!("{} (no test had started yet)", did_not_finish(deadline));
        checks.push(CheckResult::fail(NO_TESTS, message));
    }
    if checks.is_empty() {
        checks.push(no_tests_check(exercise, &tests, run));
    } else if let Some(source) = test_source {
        sort_by_source_order(&mut checks, &source);
    }
    group(
        exercise.name.to_string(),
        Some(exercise.hint.to_string()),
        checks,
    )
}

/// What to say of the test that was still running at the deadline.
fn did_not_finish(deadline: Duration) -> String {
    format!(
        "did not finish in {} — an endless loop or a blocking read? The test program was \
         stopped there, so the tests after this one did not run.",
        seconds(deadline)
    )
}

/// An exercise whose tests did not compile: the compiler's errors, and no checks.
fn compile_error_group(exercise: &Exercise, errors: String) -> GroupResult {
    GroupResult {
        compile_error: Some(errors),
        ..group(
            exercise.name.to_string(),
            Some(exercise.hint.to_string()),
            Vec::new(),
        )
    }
}

/// An exercise whose tests were not built, with no error of their own: cargo stopped first.
fn not_built_group(exercise: &Exercise) -> GroupResult {
    let check = CheckResult::fail(
        NO_TESTS,
        format!(
            "not run: cargo built no test program for {0} (is `[[test]] name = \"{0}\"` in the \
             lesson's Cargo.toml?)",
            exercise.name
        ),
    );
    group(
        exercise.name.to_string(),
        Some(exercise.hint.to_string()),
        vec![check],
    )
}

/// Why the test program stopped early: the runtime's last words, or its exit status.
fn crash_reason(run: &ProgramRun) -> String {
    let fatal = run
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("fatal runtime error: "));
    match (fatal, &run.status) {
        (Some(reason), _) => reason.to_string(),
        (None, Some(status)) => format!("it exited with {status}"),
        (None, None) => "it stopped without saying why".to_string(),
    }
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

/// One outcome as a check, named as the test is: `splits_a_get`, `nested::inner`.
fn check_of(outcome: &TestOutcome) -> CheckResult {
    let failure = outcome.failure.as_ref();
    CheckResult {
        passed: failure.is_none(),
        message: failure.map(message_with_location),
        expected: failure.and_then(|f| f.expected.clone()),
        got: failure.and_then(|f| f.got.clone()),
        ..CheckResult::pass(outcome.name.clone())
    }
}

/// The failure's message, then `at FILE:LINE:COLUMN` on its own line when known.
fn message_with_location(failure: &Failure) -> String {
    match &failure.location {
        Some(location) => format!("{}\nat {}", failure.message, clean_path(location)),
        None => failure.message.clone(),
    }
}

/// The failing stand-in check of an exercise none of whose tests ran, saying why.
fn no_tests_check(exercise: &Exercise, tests: &TestRun, run: &ProgramRun) -> CheckResult {
    let message = if tests.finished {
        format!(
            "no tests ran for this exercise; its tests should be in tests/exercises/{}.rs",
            exercise.name
        )
    } else {
        format!(
            "not run: the test program stopped before running any test ({})",
            crash_reason(run)
        )
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
        compile_error: None,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find_exercise;
    use pretty_assertions::assert_eq;

    fn request_line() -> &'static Exercise {
        find_exercise("request_line").unwrap().1
    }

    fn program_run(stdout: &str, stderr: &str, ending: Ending) -> ProgramRun {
        ProgramRun {
            stdout: stdout.to_string(),
            stderr: stderr.to_string(),
            ending,
            status: None,
        }
    }

    fn result_of(stdout: &str, ending: Ending) -> GroupResult {
        exercise_result(
            request_line(),
            &program_run(stdout, "", ending),
            DEFAULT_DEADLINE,
            None,
        )
    }

    /// A finished run of `request_line` with one failing and one passing test.
    const SMALL_RUN: &str = "\nrunning 2 tests\n\
        test b_rejects_tabs ... ok\n\
        test a_splits_a_get ... FAILED\n\n\
        failures:\n\n\
        ---- a_splits_a_get stdout ----\n\n\
        thread 'a_splits_a_get' (7) panicked at lessons/lesson02-http/tests/exercises/../../exercises/request_line.rs:9:5:\n\
        not yet implemented: split the line\n\
        note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\n\
        failures:\n    a_splits_a_get\n\n\
        test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";

    #[test]
    fn an_exercise_s_checks_carry_its_name_hint_and_results() {
        let group = result_of(SMALL_RUN, Ending::Exited);
        assert_eq!(group.name, "request_line");
        assert_eq!(group.hint.as_deref(), Some(request_line().hint));
        assert!(!group.passed);
        assert_eq!(tests_run(&group), 2);
        let failing = group.checks.iter().find(|c| !c.passed).unwrap();
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
        let source = "fn helper() {}\nfn a_splits_a_get() {}\nfn b_rejects_tabs() {}";
        let group = exercise_result(
            request_line(),
            &program_run(SMALL_RUN, "", Ending::Exited),
            DEFAULT_DEADLINE,
            Some(source.to_string()),
        );
        let names: Vec<&str> = group.checks.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a_splits_a_get", "b_rejects_tabs"]);
    }

    #[test]
    fn a_test_still_running_at_the_deadline_is_named_and_fails() {
        let stdout = "\nrunning 3 tests\ntest a_splits_a_get ... ok\ntest b_rejects_tabs ... ";
        let group = result_of(stdout, Ending::TimedOut);
        assert!(!group.passed);
        let stuck = group.checks.iter().find(|c| !c.passed).unwrap();
        assert_eq!(stuck.name, "b_rejects_tabs");
        assert!(
            stuck
                .message
                .as_deref()
                .unwrap()
                .starts_with("did not finish in 10 s — an endless loop or a blocking read?"),
            "{stuck:?}"
        );
        assert!(group.checks.iter().any(|c| c.passed));
    }

    #[test]
    fn a_deadline_before_any_test_started_still_fails_the_exercise() {
        let group = result_of("", Ending::TimedOut);
        assert!(!group.passed);
        assert_eq!(group.checks[0].name, NO_TESTS);
        assert!(
            group.checks[0]
                .message
                .as_deref()
                .unwrap()
                .contains("did not finish in 10 s"),
            "{group:?}"
        );
    }

    #[test]
    fn a_crash_names_the_test_it_happened_in() {
        let stdout = "\nrunning 2 tests\ntest a_splits_a_get ... ok\ntest todo_panics ... ";
        let stderr = "\nthread 'todo_panics' (14302) has overflowed its stack\n\
                      fatal runtime error: stack overflow, aborting\n";
        let group = exercise_result(
            request_line(),
            &program_run(stdout, stderr, Ending::Exited),
            DEFAULT_DEADLINE,
            None,
        );
        let crashed = group.checks.iter().find(|c| !c.passed).unwrap();
        assert_eq!(crashed.name, "todo_panics");
        assert_eq!(
            crashed.message.as_deref(),
            Some(
                "the test program crashed during this test: stack overflow, aborting. A function \
                  that calls itself without end is the usual cause."
            )
        );
    }

    #[test]
    fn a_run_without_tests_fails_and_says_so() {
        let finished = "\nrunning 0 tests\n\ntest result: ok. 0 passed; 0 failed\n";
        let group = result_of(finished, Ending::Exited);
        assert!(!group.passed);
        assert_eq!(group.checks.len(), 1);
        assert_eq!(tests_run(&group), 0);
        assert!(
            group.checks[0]
                .message
                .as_deref()
                .unwrap()
                .starts_with("no tests ran"),
            "{group:?}"
        );
    }

    #[test]
    fn a_compile_error_fails_that_exercise_only_and_has_no_checks() {
        let group = compile_error_group(request_line(), "error[E0308]: mismatched".into());
        assert!(!group.passed);
        assert!(group.checks.is_empty());
        assert_eq!(
            group.compile_error.as_deref(),
            Some("error[E0308]: mismatched")
        );
    }

    #[test]
    fn deadlines_read_in_seconds() {
        assert_eq!(seconds(Duration::from_secs(10)), "10 s");
        assert_eq!(seconds(Duration::from_millis(300)), "0.3 s");
    }
}
