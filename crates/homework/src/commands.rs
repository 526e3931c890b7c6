//! The checker's commands: `check`, `list`, `hint`, `reset`, `watch` and `verify`.
//!
//! Each command prints for people by default and, where it makes sense, JSON for machines
//! with `--json` (then nothing else goes to standard output). Exit codes are the same for all:
//!
//! - `0` — done, and everything checked passed;
//! - `1` — done, and something checked failed (an exercise, a black-box check, `verify`);
//! - `2` — the command could not do what was asked: an unknown lesson or exercise, a file that
//!   cannot be read, cargo missing. The message on standard error says what to do instead.

mod verify;
mod watch;

use std::fmt;
use std::io;
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

use crate::blackbox;
use crate::catalog::{Exercise, LESSONS, Lesson, find_exercise, find_lesson};
use crate::progress::{LessonCount, Progress, Status, now_utc, progress_file};
use crate::report::{Report, Style, hint_paragraph, progress_line, render_text, to_json};
use crate::runner::{self, Code, RunError};
use crate::stubs::{StubError, generate_stub};
use crate::workspace::workspace_root;

pub use verify::verify;
pub use watch::watch;

/// How a learner runs the checker, for the commands suggested in messages.
const CHECKER: &str = "cargo run -p homework --";

/// Why a command could not do what was asked (exit code 2).
#[derive(Debug)]
pub enum CommandError {
    /// No lesson has this name.
    UnknownLesson(String),
    /// No exercise has this name.
    UnknownExercise(String),
    /// The lesson exists and has no exercises yet.
    NoExercises(&'static Lesson),
    /// The tests could not be run.
    Run(RunError),
    /// A file could not be read or written.
    File {
        /// `read` or `write`.
        action: &'static str,
        /// The file, relative to the workspace root.
        path: String,
        /// What the operating system said.
        source: io::Error,
    },
    /// A solution file breaks the stub conventions.
    Stub {
        /// The solution file, relative to the workspace root.
        path: String,
        /// What is wrong with it.
        source: StubError,
    },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::UnknownLesson(name) => write!(
                f,
                "There is no lesson `{name}`. The lessons are:\n{}\nName one by id (`lesson02`), \
                 number (`2`) or package (`lesson02-http`).",
                known_lessons()
            ),
            CommandError::UnknownExercise(name) => write!(
                f,
                "There is no exercise `{name}`. The exercises are:\n{}",
                known_exercises()
            ),
            CommandError::NoExercises(lesson) => write!(
                f,
                "{} has no exercises yet; there is nothing to check. Its server can be checked \
                 over HTTP: start it ({}), then run `{CHECKER} check {} --url URL`.",
                lesson.id, lesson.serve_hint, lesson.id
            ),
            CommandError::Run(error) => write!(f, "Could not run the tests: {error}"),
            CommandError::File {
                action,
                path,
                source,
            } => write!(f, "Could not {action} {path}: {source}."),
            CommandError::Stub { path, source } => write!(
                f,
                "The solution {path} cannot be turned into a stub: {source}."
            ),
        }
    }
}

impl std::error::Error for CommandError {}

impl From<RunError> for CommandError {
    fn from(error: RunError) -> CommandError {
        CommandError::Run(error)
    }
}

/// Every lesson, one per line: `  lesson02  HTTP/1.1: parsing requests...`.
fn known_lessons() -> String {
    LESSONS
        .iter()
        .map(|lesson| format!("  {}  {}", lesson.id, lesson.title))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every exercise, one lesson per line: `  lesson02: request_line, safe_path`.
fn known_exercises() -> String {
    LESSONS
        .iter()
        .map(|lesson| {
            let names: Vec<&str> = lesson.exercises.iter().map(|e| e.name).collect();
            if names.is_empty() {
                format!("  {}: (no exercises yet)", lesson.id)
            } else {
                format!("  {}: {}", lesson.id, names.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints a command's error, if any, and turns the outcome into the exit code.
fn finish(outcome: Result<ExitCode, CommandError>) -> ExitCode {
    outcome.unwrap_or_else(|error| {
        eprintln!("{error}");
        ExitCode::from(2)
    })
}

/// The lesson named on the command line, or the learner's current lesson.
fn named_or_current_lesson(
    name: Option<&str>,
    progress: &Progress,
) -> Result<&'static Lesson, CommandError> {
    match name {
        Some(name) => find_lesson(name).ok_or_else(|| CommandError::UnknownLesson(name.into())),
        None => Ok(progress.current_lesson()),
    }
}

/// Like [`named_or_current_lesson`], for commands that need the lesson's exercises.
fn resolve_lesson(
    name: Option<&str>,
    progress: &Progress,
) -> Result<&'static Lesson, CommandError> {
    let lesson = named_or_current_lesson(name, progress)?;
    if lesson.exercises.is_empty() {
        return Err(CommandError::NoExercises(lesson));
    }
    Ok(lesson)
}

/// The exercise named on the command line, with its lesson.
fn resolve_exercise(name: &str) -> Result<(&'static Lesson, &'static Exercise), CommandError> {
    find_exercise(name).ok_or_else(|| CommandError::UnknownExercise(name.into()))
}

/// `0` when everything in the report passed, else `1`.
fn exit_code(report: &Report) -> ExitCode {
    if report.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Who reads what `check` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    /// A program: JSON only.
    Machine,
    /// A learner who ran `check`.
    Learner,
    /// A learner running `watch`, who needs no tip to use it.
    Watcher,
}

/// `check [LESSON]`: runs the lesson's exercise tests against the learner's code.
pub fn check(lesson: Option<&str>, json: bool) -> ExitCode {
    let audience = if json {
        Audience::Machine
    } else {
        Audience::Learner
    };
    finish(check_lesson(lesson, audience))
}

/// Runs one lesson's exercise tests, records the progress and prints the report.
fn check_lesson(name: Option<&str>, audience: Audience) -> Result<ExitCode, CommandError> {
    let progress_path = progress_file();
    let mut progress = Progress::load(&progress_path);
    let lesson = resolve_lesson(name, &progress)?;
    if audience != Audience::Machine {
        eprintln!(
            "Checking {} · {} (compiling and running its tests)...",
            lesson.id, lesson.title
        );
    }
    let report = runner::run_exercises(lesson, Code::Learner)?;
    progress.record(lesson, &report, &now_utc());
    if let Err(error) = progress.save(&progress_path) {
        eprintln!(
            "note: could not save your progress to {} ({error}).",
            progress_path.display()
        );
    }
    if audience == Audience::Machine {
        outln!("{}", to_json(&report));
    } else {
        print_exercise_report(lesson, &report, &progress, audience);
    }
    Ok(exit_code(&report))
}

/// The report as text, then the progress over all lessons and what to do next.
fn print_exercise_report(
    lesson: &Lesson,
    report: &Report,
    progress: &Progress,
    audience: Audience,
) {
    let style = Style::for_stdout();
    out!("{}", render_text(report, style));
    outln!("{}", progress_line(&counted_lessons(progress), style));
    if let Some(step) = next_step(lesson, report, progress, audience, style) {
        outln!("{step}");
    }
}

/// What to do next, in a line: a tip to use `watch`, the next lesson, or congratulations.
fn next_step(
    lesson: &Lesson,
    report: &Report,
    progress: &Progress,
    audience: Audience,
    style: Style,
) -> Option<String> {
    let everything_done = progress.counts().iter().all(|c| c.done == c.total);
    let next = progress.current_lesson();
    if !report.all_passed() {
        let tip = format!(
            "Tip: `{CHECKER} watch {}` checks again every time you save.",
            lesson.id
        );
        (audience != Audience::Watcher).then(|| style.dim(&tip))
    } else if everything_done {
        Some(style.good("Every exercise of every lesson passes. Well done!"))
    } else if next.id != lesson.id {
        Some(format!(
            "Next: {} · {} — `{CHECKER} check {}`",
            next.id, next.title, next.id
        ))
    } else {
        None
    }
}

/// `check --url URL [--cacert FILE] [LESSON]`: runs the lesson's black-box checks against a
/// running server; `--cacert` is the certificate an `https://` URL's server must show.
pub fn check_url(lesson: Option<&str>, url: &str, cacert: Option<&Path>, json: bool) -> ExitCode {
    finish(check_server(lesson, url, cacert, json))
}

/// Runs the black-box checks and prints their report.
fn check_server(
    name: Option<&str>,
    url: &str,
    cacert: Option<&Path>,
    json: bool,
) -> Result<ExitCode, CommandError> {
    let progress = Progress::load(&progress_file());
    let lesson = named_or_current_lesson(name, &progress)?;
    if !json {
        eprintln!(
            "Checking the server at {url} against {} · {}...",
            lesson.id, lesson.title
        );
    }
    let report = blackbox::check_url(lesson, url, cacert);
    if json {
        outln!("{}", to_json(&report));
    } else {
        out!("{}", render_text(&report, Style::for_stdout()));
    }
    Ok(exit_code(&report))
}

/// One lesson in `list --json`.
#[derive(Debug, Serialize)]
struct LessonListing {
    /// `lesson02`.
    id: &'static str,
    /// The Cargo package: `lesson02-http`.
    package: &'static str,
    /// What the lesson is about.
    title: &'static str,
    /// The book chapter's file, relative to the workspace root.
    chapter: String,
    /// True for the lesson `check` picks without a name.
    current: bool,
    /// Its exercises, in order.
    exercises: Vec<ExerciseListing>,
}

/// One exercise in `list --json`.
#[derive(Debug, Serialize)]
struct ExerciseListing {
    /// `request_line`.
    name: &'static str,
    /// What the learner writes.
    summary: &'static str,
    /// The learner's file, relative to the workspace root.
    file: String,
    /// `passed`, `failed` (at the last check) or `not_checked`.
    status: &'static str,
    /// When it was last checked, in UTC.
    checked_at: Option<String>,
}

/// `list`: every lesson and exercise, with the learner's progress.
pub fn list(json: bool) -> ExitCode {
    let progress = Progress::load(&progress_file());
    let listing = listing(&progress);
    if json {
        outln!("{}", to_json(&listing));
    } else {
        out!("{}", listing_text(&listing, &progress, Style::for_stdout()));
    }
    ExitCode::SUCCESS
}

/// Every lesson with its exercises and their status.
fn listing(progress: &Progress) -> Vec<LessonListing> {
    let current = progress.current_lesson().id;
    LESSONS
        .iter()
        .map(|lesson| LessonListing {
            id: lesson.id,
            package: lesson.package,
            title: lesson.title,
            chapter: chapter_file(lesson),
            current: lesson.id == current,
            exercises: lesson
                .exercises
                .iter()
                .map(|exercise| exercise_listing(lesson, exercise, progress))
                .collect(),
        })
        .collect()
}

/// One exercise with its status.
fn exercise_listing(lesson: &Lesson, exercise: &Exercise, progress: &Progress) -> ExerciseListing {
    let record = progress.exercise(lesson.id, exercise.name);
    ExerciseListing {
        name: exercise.name,
        summary: exercise.summary,
        file: lesson.exercise_file(exercise),
        status: match record.map(|r| r.status) {
            Some(Status::Passed) => "passed",
            Some(Status::Failed) => "failed",
            None => "not_checked",
        },
        checked_at: record.map(|r| r.checked_at.clone()),
    }
}

/// The listing as text, a legend and the progress line.
fn listing_text(listing: &[LessonListing], progress: &Progress, style: Style) -> String {
    let width = listing
        .iter()
        .flat_map(|lesson| lesson.exercises.iter().map(|e| e.name.len()))
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for lesson in listing {
        let here = if lesson.current {
            "   ← your current lesson"
        } else {
            ""
        };
        text.push_str(&format!(
            "{} · {}{here}\n",
            style.bold(lesson.id),
            lesson.title
        ));
        text.push_str(&format!(
            "  {}\n",
            style.dim(&format!("read: {}", lesson.chapter))
        ));
        if lesson.exercises.is_empty() {
            text.push_str(&format!("  {}\n", style.dim("no exercises yet")));
        }
        for exercise in &lesson.exercises {
            let mark = match exercise.status {
                "passed" => style.mark(true),
                "failed" => style.mark(false),
                _ => style.dim("·"),
            };
            text.push_str(&format!(
                "  {mark} {:<width$}   {}\n",
                exercise.name, exercise.summary
            ));
        }
        text.push('\n');
    }
    text.push_str(&progress_line(&counted_lessons(progress), style));
    text.push('\n');
    text.push_str(&style.dim(&format!(
        "✓ passed   ✗ failed at the last check   · not checked yet\n\
         `{CHECKER} check` checks your current lesson;\n\
         `{CHECKER} hint NAME` helps with one exercise.\n"
    )));
    text
}

/// The progress of each lesson that has exercises: a lesson without any yet would only add
/// a meaningless `0/0` to the progress line.
fn counted_lessons(progress: &Progress) -> Vec<LessonCount> {
    progress
        .counts()
        .into_iter()
        .filter(|count| count.total > 0)
        .collect()
}

/// The book chapter of a lesson, relative to the workspace root.
fn chapter_file(lesson: &Lesson) -> String {
    format!("book/src/{}", lesson.chapter)
}

/// `hint EXERCISE`: what the exercise asks, its hint, and where to read and write.
pub fn hint(exercise: &str) -> ExitCode {
    finish(resolve_exercise(exercise).map(|(lesson, exercise)| {
        out!("{}", hint_text(lesson, exercise, Style::for_stdout()));
        ExitCode::SUCCESS
    }))
}

/// The text `hint` prints.
fn hint_text(lesson: &Lesson, exercise: &Exercise, style: Style) -> String {
    let mut text = format!(
        "{} · {} ({})\n",
        style.bold(exercise.name),
        lesson.id,
        lesson.title
    );
    text.push_str(&format!("Write: {}\n\n", exercise.summary));
    text.push_str(&hint_paragraph(exercise.hint, 0, style));
    text.push('\n');
    let rows = [
        ("your file", lesson.exercise_file(exercise)),
        ("its tests", runner::test_file(lesson, exercise.name)),
        ("the chapter", chapter_file(lesson)),
        ("check it", format!("{CHECKER} check {}", lesson.id)),
    ];
    for (label, value) in rows {
        text.push_str(&format!(
            "{} {value}\n",
            style.dim(&format!("{label:>11}:"))
        ));
    }
    text
}

/// `reset EXERCISE`: writes the exercise's learner file again from its solution.
pub fn reset(exercise: &str) -> ExitCode {
    finish(reset_exercise(exercise))
}

/// Regenerates one learner file; touches nothing else.
fn reset_exercise(name: &str) -> Result<ExitCode, CommandError> {
    let (lesson, exercise) = resolve_exercise(name)?;
    let stub = stub_of(lesson, exercise)?;
    let path = lesson.exercise_file(exercise);
    let full_path = workspace_root().join(&path);
    if std::fs::read_to_string(&full_path).is_ok_and(|current| current == stub) {
        outln!("{path} is already the starting stub; nothing changed.");
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::write(&full_path, stub).map_err(|source| CommandError::File {
        action: "write",
        path: path.clone(),
        source,
    })?;
    outln!(
        "Reset {path} to its starting stub. Your previous version of that file is gone; no \
         other file was touched."
    );
    Ok(ExitCode::SUCCESS)
}

/// The stub generated from an exercise's solution.
fn stub_of(lesson: &Lesson, exercise: &Exercise) -> Result<String, CommandError> {
    let path = lesson.solution_file(exercise);
    let solution = read_file(&path)?;
    generate_stub(&solution).map_err(|source| CommandError::Stub { path, source })
}

/// Reads a file given relative to the workspace root.
fn read_file(path: &str) -> Result<String, CommandError> {
    std::fs::read_to_string(workspace_root().join(path)).map_err(|source| CommandError::File {
        action: "read",
        path: path.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_lesson_lists_the_known_ones() {
        let error = resolve_lesson(Some("lesson99"), &Progress::default()).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("There is no lesson `lesson99`."),
            "{message}"
        );
        for lesson in LESSONS {
            assert!(message.contains(lesson.id), "{message}");
        }
    }

    #[test]
    fn without_a_name_the_current_lesson_is_checked() {
        let lesson = resolve_lesson(None, &Progress::default()).unwrap();
        assert_eq!(lesson.id, LESSONS[0].id);
    }

    #[test]
    fn an_unknown_exercise_lists_the_known_ones() {
        let message = resolve_exercise("nothing").unwrap_err().to_string();
        assert!(message.contains("request_line"), "{message}");
        assert!(message.contains("lesson01: head_end"), "{message}");
    }

    #[test]
    fn the_listing_has_every_exercise_with_its_status() {
        let listing = listing(&Progress::default());
        assert_eq!(listing.len(), LESSONS.len());
        assert!(listing[0].current);
        let first = &listing[1].exercises[0];
        assert_eq!((first.name, first.status), ("request_line", "not_checked"));
        assert_eq!(
            first.file,
            "lessons/lesson02-http/exercises/request_line.rs"
        );
        let text = listing_text(&listing, &Progress::default(), Style::plain());
        assert!(text.contains("  · request_line "), "{text}");
        assert!(text.contains("← your current lesson"), "{text}");
    }

    #[test]
    fn a_lesson_without_exercises_says_so() {
        static LATER: Lesson = Lesson {
            id: "lesson09",
            package: "lesson09-later",
            title: "Later",
            chapter: "ch09-later.md",
            exercises: &[],
            serve_hint: "cargo run -p lesson09-later -- 8009",
        };
        let message = CommandError::NoExercises(&LATER).to_string();
        assert!(
            message.starts_with("lesson09 has no exercises yet"),
            "{message}"
        );
        assert!(
            message.contains("start it (cargo run -p lesson09-later -- 8009), then run"),
            "{message}"
        );
        assert!(message.contains("check lesson09 --url URL"), "{message}");
        let listing = [LessonListing {
            id: LATER.id,
            package: LATER.package,
            title: LATER.title,
            chapter: chapter_file(&LATER),
            current: false,
            exercises: Vec::new(),
        }];
        let text = listing_text(&listing, &Progress::default(), Style::plain());
        assert!(
            text.contains("read: book/src/ch09-later.md\n  no exercises yet\n"),
            "{text}"
        );
        let counted = counted_lessons(&Progress::default());
        assert!(counted.iter().all(|count| count.total > 0), "{counted:?}");
    }

    #[test]
    fn a_hint_names_the_files_and_the_chapter() {
        let (lesson, exercise) = find_exercise("request_line").unwrap();
        let text = hint_text(lesson, exercise, Style::plain());
        assert!(
            text.starts_with("request_line · lesson02 (HTTP/1.1"),
            "{text}"
        );
        let first_words: String = exercise.hint.chars().take(20).collect();
        assert!(text.contains(&format!("hint: {first_words}")), "{text}");
        assert!(
            text.contains("  your file: lessons/lesson02-http/exercises/request_line.rs\n"),
            "{text}"
        );
        assert!(
            text.contains("its tests: lessons/lesson02-http/tests/exercises/request_line.rs\n"),
            "{text}"
        );
        assert!(
            text.contains("the chapter: book/src/ch02-http.md\n"),
            "{text}"
        );
    }
}
