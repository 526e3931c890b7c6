//! Reads the plain-text output of a Rust test program (libtest) into outcomes and explanations.
//!
//! libtest prints one line per test (`test request_line::splits ... ok`), then one section per
//! failure (`---- request_line::splits stdout ----`) holding what the test printed and its panic
//! message. Its JSON output is unstable, so the checker reads this text: the formats read here
//! are pinned by the captured outputs in `testdata/` (run with one test thread and
//! `RUST_BACKTRACE=0`, as the runner does).
//!
//! A panic message becomes plain words: `assert_eq!` failures are split into the assertion's
//! message, the expected value (its right side) and the value obtained (its left side), and
//! `todo!()` becomes `not written yet`.

use std::collections::HashMap;

/// Everything read from a test program's standard output.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TestRun {
    /// True once the `running N tests` line was seen: the test program compiled and started.
    pub started: bool,
    /// True once the `test result:` line was seen: the program ran to its end (no crash).
    pub finished: bool,
    /// Every test that reported an outcome, in the order they ran.
    pub outcomes: Vec<TestOutcome>,
    /// A test that started and never reported an outcome: the program stopped while running it.
    pub cut_short_in: Option<String>,
}

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// The test's full path: `request_line::splits_a_simple_get`.
    pub name: String,
    /// Why it failed; `None` when it passed.
    pub failure: Option<Failure>,
}

/// One failure, in plain words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong: the assertion's message, `not written yet: ...`, or the panic message.
    pub message: String,
    /// The expected value (an `assert_eq!`'s right side), when two values were compared.
    pub expected: Option<String>,
    /// The value obtained (an `assert_eq!`'s left side), when two values were compared.
    pub got: Option<String>,
    /// Where it happened, `file:line:column`, as the panic reported it.
    pub location: Option<String>,
}

/// How a `test NAME ... RESULT` line ended.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// `ok`
    Passed,
    /// `FAILED`
    Failed,
    /// `ignored` — cannot happen with `--include-ignored`, but is not a pass either.
    Ignored,
    /// Nothing yet: the line was cut off (the program crashed or is still running it).
    Pending,
}

/// Reads a test program's standard output.
pub fn parse(stdout: &str) -> TestRun {
    let sections = failure_sections(stdout);
    let mut run = TestRun::default();
    for line in stdout.lines() {
        if line.starts_with("running ") && (line.ends_with(" tests") || line.ends_with(" test")) {
            run.started = true;
        } else if line.starts_with("test result: ") {
            run.finished = true;
        } else if let Some((name, verdict)) = result_line(line) {
            match verdict {
                Verdict::Passed => run.outcomes.push(TestOutcome {
                    name: name.to_string(),
                    failure: None,
                }),
                Verdict::Failed | Verdict::Ignored => run.outcomes.push(TestOutcome {
                    name: name.to_string(),
                    failure: Some(failure_of(name, &verdict, &sections)),
                }),
                Verdict::Pending => run.cut_short_in = Some(name.to_string()),
            }
        }
    }
    add_listed_failures(&mut run, stdout, &sections);
    run
}

/// Makes sure every test in the closing `failures:` list counts as failed, even when its
/// result line was garbled by a test writing straight to standard output.
fn add_listed_failures(run: &mut TestRun, stdout: &str, sections: &HashMap<String, String>) {
    for name in listed_failures(stdout) {
        let failure = failure_of(name, &Verdict::Failed, sections);
        match run.outcomes.iter_mut().find(|outcome| outcome.name == name) {
            Some(outcome) if outcome.failure.is_some() => {}
            Some(outcome) => outcome.failure = Some(failure),
            None => run.outcomes.push(TestOutcome {
                name: name.to_string(),
                failure: Some(failure),
            }),
        }
    }
}

/// The names in the last `failures:` block: the list of failed tests libtest ends with.
fn listed_failures(stdout: &str) -> Vec<&str> {
    let Some((_, list)) = stdout.rsplit_once("\nfailures:\n") else {
        return Vec::new();
    };
    list.lines()
        .take_while(|line| !line.trim().is_empty())
        .filter_map(|line| line.strip_prefix("    "))
        .collect()
}

/// The explanation of a failed (or ignored) test, from its output section.
fn failure_of(name: &str, verdict: &Verdict, sections: &HashMap<String, String>) -> Failure {
    match (verdict, sections.get(name)) {
        (Verdict::Ignored, _) => Failure {
            message: "the test was skipped (ignored), so it proves nothing".to_string(),
            ..Failure::default()
        },
        (_, Some(section)) => explain(section),
        (_, None) => Failure {
            message: "failed, without printing why".to_string(),
            ..Failure::default()
        },
    }
}

/// Reads `test NAME ... ok` (or `FAILED`, `ignored`, or nothing yet) into its parts.
fn result_line(line: &str) -> Option<(&str, Verdict)> {
    let rest = line.strip_prefix("test ")?;
    let (name, verdict) = rest.split_once(" ... ")?;
    let name = name.strip_suffix(" - should panic").unwrap_or(name);
    // A test that writes straight to standard output (not through `print!`, which libtest
    // captures) puts its text before the verdict: `hello ok`.
    let verdict = verdict.trim();
    let verdict = if verdict.is_empty() {
        Verdict::Pending
    } else if verdict.starts_with("ignored") {
        Verdict::Ignored
    } else if verdict.ends_with("FAILED") {
        Verdict::Failed
    } else if verdict.ends_with("ok") {
        Verdict::Passed
    } else {
        return None;
    };
    Some((name, verdict))
}

/// The text of every `---- NAME stdout ----` section, by test name.
fn failure_sections(stdout: &str) -> HashMap<String, String> {
    let mut sections = HashMap::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in stdout.lines() {
        let header = line
            .strip_prefix("---- ")
            .and_then(|rest| rest.strip_suffix(" stdout ----"));
        // The list of failed tests after the sections starts with a bare `failures:`.
        if header.is_some() || line == "failures:" {
            if let Some((name, lines)) = current.take() {
                sections.insert(name, lines.join("\n"));
            }
        }
        match (header, current.as_mut()) {
            (Some(name), _) => current = Some((name.to_string(), Vec::new())),
            (None, Some((_, lines))) => lines.push(line),
            (None, None) => {}
        }
    }
    if let Some((name, lines)) = current {
        sections.insert(name, lines.join("\n"));
    }
    sections
}

/// Explains one failure section: the panic, a returned error, or a missing panic.
pub fn explain(section: &str) -> Failure {
    if let Some((location, message)) = panic_in(section) {
        return explain_panic(&message, Some(location));
    }
    if let Some(location) = section
        .lines()
        .find_map(|line| line.strip_prefix("note: test did not panic as expected at "))
    {
        return Failure {
            message: "the code should have panicked here, and did not".to_string(),
            location: Some(location.trim().to_string()),
            ..Failure::default()
        };
    }
    if let Some(error) = section
        .lines()
        .find_map(|line| line.strip_prefix("Error: "))
    {
        return Failure {
            message: format!("the test returned an error: {error}"),
            ..Failure::default()
        };
    }
    let printed = section.trim();
    Failure {
        message: if printed.is_empty() {
            "failed, without printing why".to_string()
        } else {
            printed.to_string()
        },
        ..Failure::default()
    }
}

/// Finds `thread 'NAME' (ID) panicked at FILE:LINE:COL:` and the message lines after it.
fn panic_in(section: &str) -> Option<(String, String)> {
    let mut lines = section.lines();
    let location = lines.by_ref().find_map(|line| {
        let rest = line.strip_prefix("thread '")?;
        let (_, at) = rest.split_once(" panicked at ")?;
        Some(at.trim().trim_end_matches(':').to_string())
    })?;
    let message: Vec<&str> = lines.take_while(|line| !is_panic_footer(line)).collect();
    Some((location, message.join("\n").trim_end().to_string()))
}

/// Lines the panic handler prints after the message.
fn is_panic_footer(line: &str) -> bool {
    line.starts_with("note: run with `RUST_BACKTRACE")
        || line.starts_with("stack backtrace:")
        || line.starts_with("note: Some details are omitted")
}

/// Turns a panic message into plain words.
pub fn explain_panic(message: &str, location: Option<String>) -> Failure {
    if let Some(rest) = message.strip_prefix("not yet implemented") {
        return Failure {
            message: format!("not written yet{rest}"),
            location,
            ..Failure::default()
        };
    }
    for (operator, default_message) in [
        ("==", "the value is not the expected one"),
        ("!=", "the two values should differ, and are equal"),
    ] {
        let opening = format!("assertion `left {operator} right` failed");
        if let Some(rest) = message.strip_prefix(&opening) {
            if let Some(failure) = explain_comparison(rest, operator, default_message) {
                return Failure {
                    location,
                    ..failure
                };
            }
        }
    }
    Failure {
        message: message.to_string(),
        location,
        ..Failure::default()
    }
}

/// Reads `[: MESSAGE]\n  left: X\n right: Y`, the rest of an `assert_eq!`/`assert_ne!` panic.
fn explain_comparison(rest: &str, operator: &str, default_message: &str) -> Option<Failure> {
    let left_at = rest.rfind("\n  left: ")?;
    let (head, values) = rest.split_at(left_at);
    let values = values.strip_prefix("\n  left: ")?;
    let (left, right) = values.split_once("\n right: ")?;
    let message = match head.strip_prefix(": ") {
        Some(message) if !message.trim().is_empty() => message.trim().to_string(),
        _ => default_message.to_string(),
    };
    let expected = if operator == "==" {
        right.to_string()
    } else {
        format!("anything but {right}")
    };
    Some(Failure {
        message,
        expected: Some(expected),
        got: Some(left.to_string()),
        location: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// Real output of a test program with one test of each kind of failure.
    const FAILURES: &str = include_str!("testdata/failures.stdout");
    /// Real output of a test program that overflowed its stack in its last test.
    const CRASH: &str = include_str!("testdata/crash.stdout");

    fn outcome<'a>(run: &'a TestRun, name: &str) -> &'a TestOutcome {
        run.outcomes
            .iter()
            .find(|outcome| outcome.name == name)
            .unwrap_or_else(|| panic!("no outcome for {name}"))
    }

    fn failure(run: &TestRun, name: &str) -> Failure {
        outcome(run, name)
            .failure
            .clone()
            .unwrap_or_else(|| panic!("{name} passed"))
    }

    #[test]
    fn every_test_line_becomes_an_outcome_in_order() {
        let run = parse(FAILURES);
        assert!(run.started && run.finished);
        assert_eq!(run.cut_short_in, None);
        let names: Vec<&str> = run.outcomes.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names.len(), 10);
        assert_eq!(names[0], "request_line::assert_eq_msg");
        assert!(names.contains(&"request_line::should_panic_but_doesnt"));
        assert!(outcome(&run, "request_line::passes").failure.is_none());
        assert!(
            outcome(&run, "request_line::nested::inner")
                .failure
                .is_none()
        );
    }

    #[test]
    fn todo_becomes_not_written_yet_at_the_learners_line() {
        let failure = failure(&parse(FAILURES), "request_line::todo_panics");
        assert_eq!(
            failure,
            Failure {
                message: "not written yet: split the line at single spaces".to_string(),
                expected: None,
                got: None,
                location: Some(
                    "lessons/lesson02-http/tests/exercises/../../exercises/request_line.rs:1:33"
                        .to_string()
                ),
            }
        );
    }

    #[test]
    fn assert_eq_becomes_message_expected_and_got() {
        let failure = failure(&parse(FAILURES), "request_line::assert_eq_msg");
        assert_eq!(
            failure,
            Failure {
                message: "the answer of two()".to_string(),
                expected: Some("3".to_string()),
                got: Some("2".to_string()),
                location: Some(
                    "lessons/lesson02-http/tests/exercises/request_line.rs:10:22".to_string()
                ),
            }
        );
    }

    #[test]
    fn assert_eq_without_a_message_still_shows_both_values() {
        let failure = failure(&parse(FAILURES), "request_line::assert_eq_nomsg");
        assert_eq!(failure.message, "the value is not the expected one");
        assert_eq!(failure.expected.as_deref(), Some("None"));
        assert_eq!(failure.got.as_deref(), Some(r#"Some("a\nb")"#));
    }

    #[test]
    fn assert_ne_says_what_must_differ() {
        let failure = failure(&parse(FAILURES), "request_line::assert_ne_msg");
        assert_eq!(failure.message, "must differ");
        assert_eq!(failure.expected.as_deref(), Some("anything but 1"));
        assert_eq!(failure.got.as_deref(), Some("1"));
    }

    #[test]
    fn other_panics_keep_their_whole_message_but_not_what_the_test_printed() {
        let run = parse(FAILURES);
        let plain = failure(&run, "request_line::plain_panic");
        assert_eq!(plain.message, "boom\nsecond line");
        assert_eq!(
            plain.location.as_deref(),
            Some("lessons/lesson02-http/tests/exercises/request_line.rs:22:45")
        );
        let assertion = failure(&run, "request_line::assert_plain");
        assert_eq!(assertion.message, "assertion failed: 1 + 1 == 3");
    }

    #[test]
    fn a_returned_error_and_a_missing_panic_are_explained() {
        let run = parse(FAILURES);
        let returned = failure(&run, "request_line::returns_err");
        assert_eq!(returned.message, "the test returned an error: \"bad\"");
        let no_panic = failure(&run, "request_line::should_panic_but_doesnt");
        assert_eq!(
            no_panic.message,
            "the code should have panicked here, and did not"
        );
        assert_eq!(
            no_panic.location.as_deref(),
            Some("lessons/lesson02-http/tests/exercises/request_line.rs:39:4")
        );
    }

    #[test]
    fn a_crash_leaves_the_running_test_cut_short() {
        let run = parse(CRASH);
        assert!(run.started);
        assert!(!run.finished);
        assert_eq!(
            run.cut_short_in.as_deref(),
            Some("request_line::todo_panics")
        );
        assert_eq!(run.outcomes.len(), 9);
    }

    #[test]
    fn a_result_line_garbled_by_direct_output_is_still_read() {
        let stdout = "running 3 tests\n\
            test a::one ... hello ok\n\
            test a::two ... helloFAILED\n\
            test a::three ... hello\n\
            ok\n\n\
            failures:\n\n\
            ---- a::two stdout ----\n\
            thread 'a::two' (3) panicked at t.rs:1:1:\n\
            boom\n\n\n\
            failures:\n    a::two\n    a::four\n\n\
            test result: FAILED. 2 passed; 2 failed\n";
        let run = parse(stdout);
        assert!(outcome(&run, "a::one").failure.is_none());
        assert_eq!(failure(&run, "a::two").message, "boom");
        assert_eq!(
            failure(&run, "a::four").message,
            "failed, without printing why"
        );
        assert_eq!(run.outcomes.len(), 3, "a::three cannot be read: {run:?}");
    }

    #[test]
    fn output_without_tests_did_not_start() {
        let run = parse("");
        assert_eq!(run, TestRun::default());
    }

    #[test]
    fn panics_from_before_rust_1_80_without_a_thread_id_are_read_too() {
        let section = "\nthread 'a::b' panicked at src/x.rs:3:9:\nnot yet implemented\n\
                       note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace";
        let failure = explain(section);
        assert_eq!(failure.message, "not written yet");
        assert_eq!(failure.location.as_deref(), Some("src/x.rs:3:9"));
    }

    #[test]
    fn a_message_with_colons_and_values_with_newlines_are_kept_whole() {
        let failure = explain_panic(
            "assertion `left == right` failed: parse(\"a: b\")\n  left: [\n    1,\n]\n right: []",
            None,
        );
        assert_eq!(failure.message, "parse(\"a: b\")");
        assert_eq!(failure.got.as_deref(), Some("[\n    1,\n]"));
        assert_eq!(failure.expected.as_deref(), Some("[]"));
    }
}
