//! Results of a check, for people (text) and for machines (JSON).
//!
//! Both the exercise runner and the black-box checks produce a [`Report`]; `--json` prints it
//! with serde, otherwise it is rendered as text with ✓/✗ marks, the first failure of each
//! exercise in plain words (every failure with `--all`), a hint, and the progress over all
//! lessons.
//!
//! The JSON form is a contract with autograders: [`SCHEMA_VERSION`] names its shape, and goes
//! up whenever a field changes meaning or goes away (new fields may appear without a change).
//! The book's homework page documents every field. Everything the text form prints passes
//! through [`escape_controls`] first, so nothing in a report can act on the terminal.

use std::io::IsTerminal;

use serde::Serialize;

use crate::terminal::{escape_controls, escape_optional};

/// The version of the JSON report's shape (see the module documentation).
pub const SCHEMA_VERSION: u32 = 1;

/// The name of the stand-in check of an exercise none of whose tests ran.
pub const NO_TESTS: &str = "(no tests ran)";

/// The outcome of checking one lesson.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The shape of this JSON: [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The lesson checked: `lesson02`.
    pub lesson: String,
    /// `exercises` (tests against the learner's code) or `url` (black-box HTTP checks).
    pub mode: &'static str,
    /// The URL checked, in `url` mode.
    pub target: Option<String>,
    /// The code did not compile: the compiler's message (no results then).
    pub compile_error: Option<String>,
    /// One entry per exercise (or per black-box check group).
    pub groups: Vec<GroupResult>,
    /// Checks that passed, over all groups.
    pub passed: usize,
    /// Checks that failed, over all groups.
    pub failed: usize,
}

/// The outcome of one exercise (or one group of black-box checks).
#[derive(Debug, Clone, Serialize)]
pub struct GroupResult {
    /// The exercise or group name: `request_line`.
    pub name: String,
    /// True when every check of the group passed.
    pub passed: bool,
    /// The exercise's hint, shown when it fails.
    pub hint: Option<String>,
    /// The exercise's code or tests did not compile: the compiler's message (no checks then).
    pub compile_error: Option<String>,
    /// Every check of the group, in order.
    pub checks: Vec<CheckResult>,
}

/// A response's status, in the one form every report uses: `{"code": 400, "reason": "Bad
/// Request"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// The three-digit status code.
    pub code: u16,
    /// The reason phrase as the server sent it (escaped for display), possibly empty.
    pub reason: String,
}

/// The outcome of one test or one black-box check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The test or check name: `splits_three_parts`, `GET /hello.txt`.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// What went wrong, in plain words (the assertion's message, or `not written yet: ...`).
    pub message: Option<String>,
    /// The expected value, when the failure compared two values.
    pub expected: Option<String>,
    /// The value obtained, when the failure compared two values.
    pub got: Option<String>,
    /// Black-box mode: the exact bytes sent, escaped for display.
    pub sent: Option<String>,
    /// Black-box mode: the exact bytes received, escaped for display.
    pub received: Option<String>,
    /// Black-box mode: the exact bytes sent, base64-encoded (standard alphabet, padded).
    pub sent_base64: Option<String>,
    /// Black-box mode: the exact bytes received, base64-encoded (standard alphabet, padded).
    pub received_base64: Option<String>,
    /// Black-box mode: the status of the last response the check read, when it had one.
    pub status: Option<Status>,
}

impl CheckResult {
    /// A check that passed, with nothing more to say.
    pub fn pass(name: impl Into<String>) -> CheckResult {
        CheckResult {
            name: name.into(),
            passed: true,
            message: None,
            expected: None,
            got: None,
            sent: None,
            received: None,
            sent_base64: None,
            received_base64: None,
            status: None,
        }
    }

    /// A check that failed for the reason `message`, with nothing compared or exchanged.
    pub fn fail(name: impl Into<String>, message: impl Into<String>) -> CheckResult {
        CheckResult {
            passed: false,
            message: Some(message.into()),
            ..CheckResult::pass(name)
        }
    }
}

impl Report {
    /// Builds a report, counting passes and failures from the groups.
    pub fn new(
        lesson: &str,
        mode: &'static str,
        target: Option<String>,
        groups: Vec<GroupResult>,
    ) -> Report {
        let checks = || groups.iter().flat_map(|group| group.checks.iter());
        let passed = checks().filter(|check| check.passed).count();
        let failed = checks().filter(|check| !check.passed).count();
        Report {
            schema_version: SCHEMA_VERSION,
            lesson: lesson.to_string(),
            mode,
            target,
            compile_error: None,
            groups,
            passed,
            failed,
        }
    }

    /// True when something was checked and nothing failed.
    pub fn all_passed(&self) -> bool {
        self.compile_error.is_none()
            && self.failed == 0
            && self.passed > 0
            && self.groups.iter().all(|group| group.passed)
    }

    /// The first group that did not pass, in report order.
    pub fn first_unfinished(&self) -> Option<&GroupResult> {
        self.groups.iter().find(|group| !group.passed)
    }

    /// The same report with every text a terminal could act on escaped
    /// ([`escape_controls`]).
    pub fn terminal_safe(&self) -> Report {
        Report {
            target: escape_optional(&self.target),
            compile_error: escape_optional(&self.compile_error),
            groups: self.groups.iter().map(GroupResult::terminal_safe).collect(),
            ..self.clone()
        }
    }
}

impl GroupResult {
    /// The group with every text escaped for a terminal.
    pub fn terminal_safe(&self) -> GroupResult {
        GroupResult {
            name: escape_controls(&self.name).into_owned(),
            passed: self.passed,
            hint: escape_optional(&self.hint),
            compile_error: escape_optional(&self.compile_error),
            checks: self.checks.iter().map(CheckResult::terminal_safe).collect(),
        }
    }
}

impl CheckResult {
    /// The check with every display text escaped for a terminal (the base64 fields are
    /// already safe).
    pub fn terminal_safe(&self) -> CheckResult {
        CheckResult {
            name: escape_controls(&self.name).into_owned(),
            message: escape_optional(&self.message),
            expected: escape_optional(&self.expected),
            got: escape_optional(&self.got),
            sent: escape_optional(&self.sent),
            received: escape_optional(&self.received),
            status: self.status.as_ref().map(|status| Status {
                code: status.code,
                reason: escape_controls(&status.reason).into_owned(),
            }),
            ..self.clone()
        }
    }
}

/// How much of a report the text form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// The first failing check of each group: the one to fix first.
    FirstFailure,
    /// Every failing check (`--all`, for instructors).
    AllFailures,
    /// The first failing check of the first group that does not pass, and only marks for the
    /// other groups: the one thing to work on now (`watch`).
    FirstUnfinished,
    /// Only the group's mark line.
    MarksOnly,
}

/// How text output looks: with ANSI colours on a terminal, plain otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Whether to colour marks and labels.
    color: bool,
}

impl Style {
    /// Colours when standard output is a terminal and `NO_COLOR` is not set.
    pub fn for_stdout() -> Style {
        Style {
            color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    /// No colours, as tests expect.
    #[cfg(test)]
    pub fn plain() -> Style {
        Style { color: false }
    }

    /// `text` in an ANSI graphics mode (`32` is green), when colours are on.
    fn paint(self, mode: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{mode}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// A green ✓ or a red ✗.
    pub fn mark(self, passed: bool) -> String {
        if passed {
            self.paint("32", "✓")
        } else {
            self.paint("31", "✗")
        }
    }

    /// Text that matters most on its line.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Text that can be skimmed over.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Text that says something went well.
    pub fn good(self, text: &str) -> String {
        self.paint("32", text)
    }

    /// Text that says something went wrong.
    pub fn bad(self, text: &str) -> String {
        self.paint("31", text)
    }

    /// A hint's label.
    pub fn hint(self, text: &str) -> String {
        self.paint("33", text)
    }
}

/// How wide wrapped text may be, indentation included.
const TEXT_WIDTH: usize = 88;

/// Any value as pretty JSON (reports, listings, verify results).
pub fn to_json(value: &impl Serialize) -> String {
    // Only maps with non-string keys or failing `Serialize` impls fail; none is used here.
    serde_json::to_string_pretty(value).expect("the checker's results always serialize")
}

/// A report as text: a heading, one block per group, and a closing count. Every text from the
/// report is escaped for the terminal first.
pub fn render_text(report: &Report, style: Style, detail: Detail) -> String {
    let report = &report.terminal_safe();
    let mut text = heading(report, style);
    text.push_str("\n\n");
    if let Some(errors) = &report.compile_error {
        text.push_str(&compile_error_text(errors, style));
        return text;
    }
    let name_width = report.groups.iter().map(|g| g.name.chars().count()).max();
    let first_unfinished = report.groups.iter().position(|group| !group.passed);
    for (index, group) in report.groups.iter().enumerate() {
        let detail = match detail {
            Detail::FirstUnfinished if Some(index) == first_unfinished => Detail::FirstFailure,
            Detail::FirstUnfinished => Detail::MarksOnly,
            other => other,
        };
        text.push_str(&group_text(group, name_width.unwrap_or(0), style, detail));
    }
    text.push('\n');
    text.push_str(&closing_count(report, style));
    text.push('\n');
    text
}

/// `lesson02 · HTTP/1.1: parsing requests...`, or the URL checked in black-box mode.
fn heading(report: &Report, style: Style) -> String {
    let title = crate::catalog::find_lesson(&report.lesson).map_or("", |lesson| lesson.title);
    let what = match &report.target {
        Some(url) => format!("black-box checks of {url}"),
        None => title.to_string(),
    };
    format!("{} · {what}", style.bold(&report.lesson))
}

/// The compiler's errors, introduced in plain words.
fn compile_error_text(errors: &str, style: Style) -> String {
    format!(
        "{} The code does not compile yet, so no check could run. The compiler says:\n\n\
         {errors}\n\n\
         Fix the first error (the `-->` line names its file and line), then check again.\n",
        style.mark(false)
    )
}

/// One group: its mark, name and count, then its first failing check (or all of them) and
/// its hint.
fn group_text(group: &GroupResult, name_width: usize, style: Style, detail: Detail) -> String {
    let passed = group.checks.iter().filter(|check| check.passed).count();
    let count = match group.checks.as_slice() {
        _ if group.compile_error.is_some() => "does not compile".to_string(),
        [only] if only.name == NO_TESTS => "no tests ran".to_string(),
        checks => format!("{passed} of {} checks pass", checks.len()),
    };
    let name = format!("{:<name_width$}", group.name);
    let mut text = format!(
        "{} {}   {}\n",
        style.mark(group.passed),
        style.bold(&name),
        style.dim(&count)
    );
    // A check that could not apply to this server passes with a note; say so, honestly.
    for skipped in group.checks.iter().filter(|check| check.passed) {
        if let Some(note) = skipped
            .message
            .as_deref()
            .filter(|m| m.starts_with("skipped:"))
        {
            text.push_str(&indented(&format!("{}: {note}", skipped.name), "    "));
        }
    }
    if detail == Detail::MarksOnly {
        return text;
    }
    if let Some(errors) = &group.compile_error {
        text.push_str(&indented(errors, "    "));
        text.push_str(&style.dim(
            "    Fix the first error (the `-->` line names its file and line); the other \
             exercises were checked all the same.\n",
        ));
        return text;
    }
    let failing: Vec<&CheckResult> = group.checks.iter().filter(|check| !check.passed).collect();
    let shown = match detail {
        Detail::AllFailures => &failing[..],
        _ => &failing[..failing.len().min(1)],
    };
    for (index, check) in shown.iter().enumerate() {
        let label = match detail {
            Detail::AllFailures => format!("failing check {} of {}:", index + 1, failing.len()),
            _ => "first failing check:".to_string(),
        };
        text.push_str(&failure_text(check, &label, style));
    }
    if detail == Detail::FirstFailure && failing.len() > 1 {
        text.push_str(&style.dim(&format!(
            "    ({} more failing; `check --all` lists every one)\n",
            failing.len() - 1
        )));
    }
    match &group.hint {
        Some(hint) if !failing.is_empty() => text.push_str(&hint_paragraph(hint, 4, style)),
        _ => {}
    }
    text
}

/// One failing check: its name, message, and the values compared or exchanged.
fn failure_text(check: &CheckResult, label: &str, style: Style) -> String {
    let mut text = String::new();
    if check.name != NO_TESTS {
        text.push_str(&format!("    {} {}\n", style.dim(label), check.name));
    }
    if let Some(message) = &check.message {
        text.push_str(&indented(message, "    "));
    }
    let values = [
        ("expected", &check.expected),
        ("got", &check.got),
        ("sent", &check.sent),
        ("received", &check.received),
    ];
    for (label, value) in values {
        if let Some(value) = value {
            text.push_str(&labelled_value(label, value, style));
        }
    }
    text
}

/// `    expected: VALUE`, labels right-aligned, later lines of the value aligned under it.
fn labelled_value(label: &str, value: &str, style: Style) -> String {
    let label = format!("{label:>8}:");
    let continuation = " ".repeat(4 + label.len() + 1);
    let mut lines = value.lines();
    let mut text = format!("    {} {}\n", style.dim(&label), lines.next().unwrap_or(""));
    for line in lines {
        text.push_str(&format!("{continuation}{line}\n"));
    }
    text
}

/// Every line of `text`, prefixed.
fn indented(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}{line}\n"))
        .collect()
}

/// `hint: text...` wrapped, later lines aligned under the text, `indent` spaces in.
pub fn hint_paragraph(hint: &str, indent: usize, style: Style) -> String {
    const LABEL: &str = "hint:";
    let lead = " ".repeat(indent);
    let hanging = " ".repeat(indent + LABEL.len() + 1);
    let width = TEXT_WIDTH.saturating_sub(hanging.len()).max(20);
    let mut text = String::new();
    for (index, line) in wrap(hint, width).iter().enumerate() {
        if index == 0 {
            text.push_str(&format!("{lead}{} {line}\n", style.hint(LABEL)));
        } else {
            text.push_str(&format!("{hanging}{line}\n"));
        }
    }
    text
}

/// Splits text into lines of at most `width` characters, at spaces (a longer word gets a
/// line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = line.chars().count() + 1 + word.chars().count();
        if !line.is_empty() && needed > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `2 of 3 exercises pass (11 of 14 checks).`
fn closing_count(report: &Report, style: Style) -> String {
    let groups_passed = report.groups.iter().filter(|g| g.passed).count();
    let noun = if report.mode == "url" {
        "check groups"
    } else {
        "exercises"
    };
    let sentence = format!(
        "{groups_passed} of {} {noun} pass ({} of {} checks).",
        report.groups.len(),
        report.passed,
        report.passed + report.failed
    );
    if report.all_passed() {
        style.good(&sentence)
    } else {
        sentence
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn check(name: &str, passed: bool) -> CheckResult {
        CheckResult {
            passed,
            ..CheckResult::pass(name)
        }
    }

    fn failing_report() -> Report {
        let failing = CheckResult {
            message: Some("the method of \"GET / HTTP/1.1\"\nat tests/x.rs:3:5".into()),
            expected: Some("\"GET\"".into()),
            got: Some("\"get\"".into()),
            ..check("keeps_the_method", false)
        };
        let groups = vec![
            GroupResult {
                name: "request_line".into(),
                passed: false,
                hint: Some("Split on single spaces.".into()),
                compile_error: None,
                checks: vec![check("splits", true), failing],
            },
            GroupResult {
                name: "safe_path".into(),
                passed: true,
                hint: Some("never shown".into()),
                compile_error: None,
                checks: vec![check("plain", true)],
            },
        ];
        Report::new("lesson02", "exercises", None, groups)
    }

    #[test]
    fn a_failing_exercise_shows_its_first_failure_and_hint() {
        let text = render_text(&failing_report(), Style::plain(), Detail::FirstFailure);
        let expected = "\
lesson02 · HTTP/1.1: parsing requests and serving files

✗ request_line   1 of 2 checks pass
    first failing check: keeps_the_method
    the method of \"GET / HTTP/1.1\"
    at tests/x.rs:3:5
    expected: \"GET\"
         got: \"get\"
    hint: Split on single spaces.
✓ safe_path      1 of 1 checks pass

1 of 2 exercises pass (2 of 3 checks).
";
        assert_eq!(text, expected);
    }

    #[test]
    fn a_compile_error_replaces_the_groups() {
        let mut report = Report::new("lesson02", "exercises", None, Vec::new());
        report.compile_error = Some("error[E0308]: mismatched types\n --> a.rs:1:2".into());
        let text = render_text(&report, Style::plain(), Detail::FirstFailure);
        assert!(text.contains("does not compile yet"), "{text}");
        assert!(
            text.contains("says:\n\nerror[E0308]: mismatched types\n --> a.rs:1:2\n\nFix"),
            "{text}"
        );
    }

    #[test]
    fn black_box_failures_show_the_bytes_exchanged() {
        let failing = CheckResult {
            message: Some("status 404 expected".into()),
            sent: Some("GET /nothing HTTP/1.1\\r\\n\\r\\n".into()),
            received: Some("HTTP/1.1 200 OK\\r\\n".into()),
            ..check("GET /nothing", false)
        };
        let group = GroupResult {
            name: "not_found".into(),
            passed: false,
            hint: None,
            compile_error: None,
            checks: vec![failing],
        };
        let report = Report::new(
            "lesson02",
            "url",
            Some("http://127.0.0.1:8002".into()),
            vec![group],
        );
        let text = render_text(&report, Style::plain(), Detail::FirstFailure);
        assert!(
            text.starts_with("lesson02 · black-box checks of http://127.0.0.1:8002\n"),
            "{text}"
        );
        assert!(
            text.contains("        sent: GET /nothing HTTP/1.1\\r\\n\\r\\n\n"),
            "{text}"
        );
        assert!(
            text.contains("    received: HTTP/1.1 200 OK\\r\\n\n"),
            "{text}"
        );
        assert!(text.contains("0 of 1 check groups pass"), "{text}");
    }

    #[test]
    fn colours_appear_only_when_asked_for() {
        let coloured = Style { color: true };
        assert_eq!(coloured.mark(true), "\x1b[32m✓\x1b[0m");
        assert_eq!(Style::plain().mark(false), "✗");
        assert!(
            !render_text(&failing_report(), Style::plain(), Detail::FirstFailure).contains('\x1b')
        );
    }

    #[test]
    fn long_text_wraps_at_spaces() {
        assert_eq!(wrap("aa bb cc dd", 5), ["aa bb", "cc dd"]);
        assert_eq!(wrap("a verylongword b", 4), ["a", "verylongword", "b"]);
        assert_eq!(wrap("", 10), [""]);
        let paragraph = hint_paragraph("one two three", 2, Style::plain());
        assert_eq!(paragraph, "  hint: one two three\n");
    }

    #[test]
    fn reports_become_json_with_every_field() {
        let json: serde_json::Value = serde_json::from_str(&to_json(&failing_report())).unwrap();
        assert_eq!(json["lesson"], "lesson02");
        assert_eq!(json["groups"][0]["checks"][1]["expected"], "\"GET\"");
        assert_eq!(json["failed"], 1);
    }

    /// A group with three failing checks, each with its own message.
    fn three_failures() -> Report {
        let failing = |name: &str| CheckResult {
            message: Some(format!("{name} went wrong")),
            ..check(name, false)
        };
        let group = GroupResult {
            name: "safe_path".into(),
            passed: false,
            hint: Some("Decode first.".into()),
            compile_error: None,
            checks: vec![
                failing("one"),
                check("ok", true),
                failing("two"),
                failing("three"),
            ],
        };
        Report::new("lesson02", "exercises", None, vec![group])
    }

    #[test]
    fn all_failures_are_listed_with_all_and_counted_without() {
        let first = render_text(&three_failures(), Style::plain(), Detail::FirstFailure);
        assert!(first.contains("first failing check: one\n"), "{first}");
        assert!(!first.contains("two went wrong"), "{first}");
        assert!(
            first.contains("(2 more failing; `check --all` lists every one)"),
            "{first}"
        );
        let all = render_text(&three_failures(), Style::plain(), Detail::AllFailures);
        for (index, name) in ["one", "two", "three"].iter().enumerate() {
            assert!(
                all.contains(&format!("failing check {} of 3: {name}\n", index + 1)),
                "{all}"
            );
            assert!(all.contains(&format!("{name} went wrong")), "{all}");
        }
        assert_eq!(all.matches("hint: Decode first.").count(), 1, "{all}");
    }

    #[test]
    fn watch_details_only_the_first_unfinished_exercise() {
        let mut report = failing_report();
        report.groups.rotate_left(1);
        let mut second = report.groups[1].clone();
        second.name = "listing_entry".into();
        report.groups.push(second);
        let text = render_text(&report, Style::plain(), Detail::FirstUnfinished);
        assert_eq!(text.matches("first failing check:").count(), 1, "{text}");
        assert!(text.contains("✓ safe_path"), "{text}");
        assert!(text.contains("✗ listing_entry"), "{text}");
    }

    #[test]
    fn an_exercise_that_does_not_compile_shows_its_errors_and_fails_the_report() {
        let group = GroupResult {
            name: "head_end".into(),
            passed: false,
            hint: None,
            compile_error: Some("error[E0308]: mismatched types\n --> a.rs:1:2".into()),
            checks: Vec::new(),
        };
        let passing = GroupResult {
            name: "hello_response".into(),
            passed: true,
            hint: None,
            compile_error: None,
            checks: vec![check("fine", true)],
        };
        let report = Report::new("lesson01", "exercises", None, vec![group, passing]);
        assert!(!report.all_passed());
        let text = render_text(&report, Style::plain(), Detail::FirstFailure);
        assert!(
            text.contains("✗ head_end         does not compile\n"),
            "{text}"
        );
        assert!(
            text.contains("    error[E0308]: mismatched types\n"),
            "{text}"
        );
        assert!(
            text.contains("✓ hello_response   1 of 1 checks pass"),
            "{text}"
        );
    }

    #[test]
    fn nothing_a_server_sent_reaches_the_terminal_unescaped() {
        let hostile = CheckResult {
            message: Some("wrong status code".into()),
            expected: Some("404".into()),
            got: Some("200 \x1b[2J\x1b[H6 of 6 check groups pass\u{202e}".into()),
            status: Some(Status {
                code: 200,
                reason: "\x1b]0;title\x07".into(),
            }),
            ..check("GET /\x1b[31m", false)
        };
        let group = GroupResult {
            name: "files".into(),
            passed: false,
            hint: None,
            compile_error: None,
            checks: vec![hostile],
        };
        let report = Report::new("lesson02", "url", Some("http://x/".into()), vec![group]);
        let text = render_text(&report, Style::plain(), Detail::AllFailures);
        assert!(!text.contains('\x1b'), "{text}");
        assert!(!text.contains('\u{202e}'), "{text}");
        assert!(text.contains("got: 200 \\x1b[2J\\x1b[H6 of 6"), "{text}");
        assert!(text.contains("GET /\\x1b[31m"), "{text}");
        let safe = report.terminal_safe();
        assert_eq!(
            safe.groups[0].checks[0].status.as_ref().unwrap().reason,
            "\\x1b]0;title\\x07"
        );
    }

    #[test]
    fn the_json_names_its_schema_version() {
        let json: serde_json::Value = serde_json::from_str(&to_json(&failing_report())).unwrap();
        assert_eq!(json["schema_version"], SCHEMA_VERSION);
        assert_eq!(json["groups"][0]["compile_error"], serde_json::Value::Null);
        assert!(
            json["groups"][0]["checks"][0]
                .get("received_base64")
                .is_some()
        );
    }
}
