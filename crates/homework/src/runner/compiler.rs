//! Makes the compiler's and cargo's errors fit for a learner.
//!
//! When the learner's code does not compile, the compiler's messages arrive one by one, by test
//! target (see [`super::cargo`]). A learner needs the first errors only, each with its
//! ` --> file:line:column` line cleaned of `..`, so that they know which file to open:
//! [`shown_errors`]. When cargo itself gives up (an unknown package, a missing test target),
//! its standard error is all there is, and [`cargo_message`] picks its error lines out of the
//! progress lines around them: rustc and cargo separate their messages with blank lines, and
//! each message starting with `error` is kept, except cargo's own closing summary.

use crate::workspace::clean_path;

/// How many error messages to show; after the first few, errors are often consequences.
const ERRORS_SHOWN: usize = 3;

/// What cargo's standard error says went wrong before any test could run.
#[derive(Debug, PartialEq, Eq)]
enum BuildFailure {
    /// The compiler rejected the code: its first error messages, ready to print.
    Compile(String),
    /// Cargo itself gave up (a missing test target, an unknown feature...): its messages.
    Cargo(String),
}

/// The first [`ERRORS_SHOWN`] of the compiler's error messages, paths cleaned, and how many
/// more there were.
pub fn shown_errors(errors: &[String]) -> String {
    let cleaned: Vec<String> = errors
        .iter()
        .map(|message| {
            message
                .lines()
                .map(clean_arrow_line)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    limited(&cleaned)
}

/// Cargo's error messages from its standard error, for a build that stopped before the
/// compiler said anything.
pub fn cargo_message(stderr: &str) -> String {
    match build_failure(stderr) {
        BuildFailure::Compile(text) | BuildFailure::Cargo(text) => text,
    }
}

/// The first [`ERRORS_SHOWN`] messages, and a line saying how many more there were.
fn limited(messages: &[String]) -> String {
    let mut shown: Vec<String> = messages.iter().take(ERRORS_SHOWN).cloned().collect();
    let hidden = messages.len().saturating_sub(ERRORS_SHOWN);
    if hidden > 0 {
        shown.push(format!(
            "...and {hidden} more error{} (fixing the first often fixes the rest)",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    shown.join("\n\n")
}

/// Reads cargo's standard error after a build that failed.
fn build_failure(stderr: &str) -> BuildFailure {
    let errors = error_messages(stderr);
    let from_compiler = errors.iter().any(|message| is_compiler_message(message));
    if !from_compiler {
        let text = if errors.is_empty() {
            last_lines(stderr, 20)
        } else {
            errors.join("\n\n")
        };
        return BuildFailure::Cargo(text);
    }
    let compiler_errors: Vec<String> = errors
        .into_iter()
        .filter(|message| is_compiler_message(message))
        .collect();
    BuildFailure::Compile(limited(&compiler_errors))
}

/// Every message on standard error that starts with `error`, paths cleaned, except cargo's
/// closing lines (`could not compile`, `test failed`).
fn error_messages(stderr: &str) -> Vec<String> {
    let mut messages = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in stderr.lines() {
        if line.trim().is_empty() {
            messages.extend(current.take().map(|lines| lines.join("\n")));
        } else if let Some(lines) = current.as_mut() {
            lines.push(clean_arrow_line(line));
        } else if starts_error(line) {
            current = Some(vec![line.to_string()]);
        }
    }
    messages.extend(current.map(|lines| lines.join("\n")));
    messages
}

/// True for the first line of an error message worth showing.
fn starts_error(line: &str) -> bool {
    let is_error = line.starts_with("error:") || line.starts_with("error[");
    let is_cargo_summary =
        line.starts_with("error: could not compile") || line.starts_with("error: test failed");
    is_error && !is_cargo_summary
}

/// True for a message from the compiler (it has an error code or points into a file).
fn is_compiler_message(message: &str) -> bool {
    message.starts_with("error[") || message.lines().any(|line| arrow_path(line).is_some())
}

/// The path part of a ` --> path:line:column` line.
fn arrow_path(line: &str) -> Option<&str> {
    line.trim_start().strip_prefix("--> ")
}

/// A ` --> a/tests/exercises/../../exercises/b.rs:1:2` line with the `..` resolved.
fn clean_arrow_line(line: &str) -> String {
    match arrow_path(line) {
        Some(path) => {
            let indent = &line[..line.len() - line.trim_start().len()];
            format!("{indent}--> {}", clean_path(path))
        }
        None => line.to_string(),
    }
}

/// The last `count` non-empty lines of a text.
fn last_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(count)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn compile_errors_are_kept_whole_with_clean_paths() {
        let stderr = include_str!("testdata/compile_error.stderr");
        let BuildFailure::Compile(text) = build_failure(stderr) else {
            panic!("not read as a compile error");
        };
        assert!(text.starts_with("error[E0308]: mismatched types\n --> lessons/lesson02-http/exercises/request_line.rs:1:48\n"), "{text}");
        assert!(text.contains("help: you can convert"), "{text}");
        assert!(
            text.contains(" --> lessons/lesson02-http/exercises/request_line.rs:2:23"),
            "{text}"
        );
        assert!(!text.contains("could not compile"), "{text}");
        assert!(!text.contains("Compiling"), "{text}");
        assert!(!text.contains("For more information"), "{text}");
    }

    #[test]
    fn warnings_are_left_out() {
        let stderr = include_str!("testdata/compile_error_with_warnings.stderr");
        let BuildFailure::Compile(text) = build_failure(stderr) else {
            panic!("not read as a compile error");
        };
        assert!(
            text.starts_with("error[E0425]: cannot find function `undefined_thing`"),
            "{text}"
        );
        assert!(!text.contains("warning"), "{text}");
        assert_eq!(text.matches("error").count(), 1, "{text}");
    }

    #[test]
    fn messages_by_target_are_cleaned_and_limited() {
        let one =
            "error[E0425]: cannot find value `x`\n --> p/tests/exercises/../../exercises/e.rs:1:1";
        let text = shown_errors(&vec![one.to_string(); 4]);
        assert!(
            text.starts_with("error[E0425]: cannot find value `x`\n --> p/exercises/e.rs:1:1\n\n"),
            "{text}"
        );
        assert!(text.ends_with("...and 1 more error (fixing the first often fixes the rest)"));
    }

    #[test]
    fn only_the_first_errors_are_shown() {
        let one = "error[E0425]: cannot find value `x`\n --> a.rs:1:1\n\n";
        let stderr = format!("{}error: could not compile `p`\n", one.repeat(5));
        let BuildFailure::Compile(text) = build_failure(&stderr) else {
            panic!("not read as a compile error");
        };
        assert_eq!(text.matches("error[E0425]").count(), 3, "{text}");
        assert!(
            text.ends_with("...and 2 more errors (fixing the first often fixes the rest)"),
            "{text}"
        );
    }

    #[test]
    fn cargo_errors_are_not_compile_errors() {
        let stderr = "error: no test target named `exercises` in `lesson02-http` package\n";
        assert_eq!(
            build_failure(stderr),
            BuildFailure::Cargo(
                "error: no test target named `exercises` in `lesson02-http` package".to_string()
            )
        );
    }

    #[test]
    fn without_any_error_line_the_end_of_stderr_is_kept() {
        let stderr = "   Compiling x\nsomething odd happened\n";
        assert_eq!(
            build_failure(stderr),
            BuildFailure::Cargo("   Compiling x\nsomething odd happened".to_string())
        );
    }
}
