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
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;

use crate::blackbox;
use crate::catalog::{Exercise, LESSONS, Lesson, find_exercise, find_lesson};
use crate::progress::{LessonCount, Progress, Status, now_utc, progress_file, progress_line};
use crate::report::{Detail, Report, Style, hint_paragraph, render_text, to_json};
use crate::runner::{self, Code, RunError, RunLimits, RunOptions};
use crate::stubs::{StubError, generate_stub};
use crate::terminal::escape_controls;
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
    /// A command that overwrites files was not confirmed.
    NotConfirmed(String),
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
            CommandError::NotConfirmed(message) => write!(f, "{message}"),
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

/// How `check` runs and reports, from its command line.
#[derive(Debug, Clone)]
pub struct CheckSettings {
    /// JSON for machines instead of text.
    pub json: bool,
    /// The first failing check of each exercise, or all of them.
    pub detail: Detail,
    /// How long one exercise's tests may run.
    pub deadline: Duration,
    /// Show what cargo does.
    pub verbose: bool,
}

/// `check [LESSON]`: runs the lesson's exercise tests against the learner's code.
pub fn check(lesson: Option<&str>, settings: &CheckSettings) -> ExitCode {
    let audience = if settings.json {
        Audience::Machine
    } else {
        Audience::Learner
    };
    let options = RunOptions {
        code: Code::Learner,
        limits: RunLimits {
            deadline: settings.deadline,
            stop: None,
        },
        verbose: settings.verbose,
    };
    finish(
        check_lesson(lesson, &options, audience).map(|(lesson, report, progress)| {
            if audience == Audience::Machine {
                outln!("{}", to_json(&report));
            } else {
                print_exercise_report(lesson, &report, &progress, settings.detail);
            }
            exit_code(&report)
        }),
    )
}

/// Runs one lesson's exercise tests and records the progress; returns the lesson, its report
/// and the progress after it.
fn check_lesson(
    name: Option<&str>,
    options: &RunOptions,
    audience: Audience,
) -> Result<(&'static Lesson, Report, Progress), CommandError> {
    let progress_path = progress_file();
    let mut progress = Progress::load(&progress_path);
    let lesson = resolve_lesson(name, &progress)?;
    if audience != Audience::Machine {
        eprintln!(
            "Checking {} · {} (compiling and running its tests)...",
            lesson.id, lesson.title
        );
    }
    let report = runner::run_exercises(lesson, options)?;
    progress.record(lesson, &report, &now_utc());
    if let Err(error) = progress.save(&progress_path) {
        eprintln!(
            "note: could not save your progress to {} ({error}).",
            progress_path.display()
        );
    }
    Ok((lesson, report, progress))
}

/// The report as text, then the progress over all lessons and what to do next.
fn print_exercise_report(
    lesson: &'static Lesson,
    report: &Report,
    progress: &Progress,
    detail: Detail,
) {
    let style = Style::for_stdout();
    out!("{}", render_text(report, style, detail));
    outln!("{}", progress_line(&counted_lessons(progress), style));
    outln!(
        "{}",
        next_step(lesson, report, progress, Audience::Learner, style)
    );
}

/// The exercise to work on next: the first of the report that did not pass, or else the first
/// of any lesson that has not passed yet, with its lesson.
fn next_exercise(
    lesson: &'static Lesson,
    report: &Report,
    progress: &Progress,
) -> Option<(&'static Lesson, &'static Exercise)> {
    if let Some(group) = report.first_unfinished() {
        let exercise = lesson.exercises.iter().find(|e| e.name == group.name)?;
        return Some((lesson, exercise));
    }
    LESSONS.iter().find_map(|candidate| {
        let exercise = candidate
            .exercises
            .iter()
            .find(|exercise| !progress.passed(candidate.id, exercise.name))?;
        Some((candidate, exercise))
    })
}

/// What to do next, in a line or two: the exercise to open and the exact command, rustlings
/// style; for a learner who is not watching yet, a tip to use `watch`.
fn next_step(
    lesson: &'static Lesson,
    report: &Report,
    progress: &Progress,
    audience: Audience,
    style: Style,
) -> String {
    let Some((next_lesson, exercise)) = next_exercise(lesson, report, progress) else {
        return style.good("Every exercise of every lesson passes. Well done!");
    };
    let file = next_lesson.exercise_file(exercise);
    let heading = if next_lesson.id == lesson.id && !report.all_passed() {
        format!("Next: make `{}` pass", exercise.name)
    } else if next_lesson.id == lesson.id {
        format!("Next: `{}`", exercise.name)
    } else {
        format!(
            "{} done! Next: {} · {}, exercise `{}`",
            lesson.id, next_lesson.id, next_lesson.title, exercise.name
        )
    };
    let then = match audience {
        Audience::Watcher => "save it, and this screen checks again".to_string(),
        _ => format!("then `{CHECKER} check {}`", next_lesson.id),
    };
    let mut text = format!(
        "{}\n  open {file}\n  {then} (stuck? `{CHECKER} hint {}`)",
        style.bold(&heading),
        exercise.name
    );
    if audience == Audience::Learner {
        text.push_str(&format!(
            "\n{}",
            style.dim(&format!(
                "Tip: `{CHECKER} watch` checks again every time you save, and moves on by itself."
            ))
        ));
    }
    text
}

/// `check --url URL [--cacert FILE] [LESSON]`: runs the lesson's black-box checks against a
/// running server; `--cacert` is the certificate an `https://` URL's server must show.
pub fn check_url(
    lesson: Option<&str>,
    url: &str,
    cacert: Option<&Path>,
    json: bool,
    detail: Detail,
) -> ExitCode {
    finish(check_server(lesson, url, cacert, json, detail))
}

/// Runs the black-box checks and prints their report.
fn check_server(
    name: Option<&str>,
    url: &str,
    cacert: Option<&Path>,
    json: bool,
    detail: Detail,
) -> Result<ExitCode, CommandError> {
    let progress = Progress::load(&progress_file());
    let lesson = named_or_current_lesson(name, &progress)?;
    if !json {
        eprintln!(
            "Checking the server at {} against {} · {}...",
            escape_controls(url),
            lesson.id,
            lesson.title
        );
    }
    let report = blackbox::check_url(lesson, url, cacert);
    if json {
        outln!("{}", to_json(&report));
    } else {
        out!("{}", render_text(&report, Style::for_stdout(), detail));
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
        let done = lesson
            .exercises
            .iter()
            .filter(|exercise| exercise.status == "passed")
            .count();
        let count = if lesson.exercises.is_empty() {
            String::new()
        } else {
            let count = format!("{done}/{} ", lesson.exercises.len());
            if done == lesson.exercises.len() {
                style.good(&count)
            } else {
                count
            }
        };
        text.push_str(&format!(
            "{count}{} · {}{here}\n",
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

/// Where `reset` keeps the learner's files before it overwrites them, relative to the
/// workspace root (git ignores it).
const BACKUP_DIR: &str = ".homework/backup";

/// `reset EXERCISE`: writes the exercise's learner file again from its solution, after
/// keeping a copy of the learner's version.
pub fn reset(exercise: &str) -> ExitCode {
    finish(resolve_exercise(exercise).and_then(|(lesson, exercise)| {
        reset_exercise(lesson, exercise, &now_utc())?;
        Ok(ExitCode::SUCCESS)
    }))
}

/// `reset --all [--yes]`: resets every exercise of every lesson, after asking (unless `yes`).
pub fn reset_all(yes: bool) -> ExitCode {
    finish(reset_everything(yes))
}

/// Asks on the terminal unless `yes`, then resets every exercise.
fn reset_everything(yes: bool) -> Result<ExitCode, CommandError> {
    let count: usize = LESSONS.iter().map(|lesson| lesson.exercises.len()).sum();
    if !yes {
        if !io::stdin().is_terminal() {
            return Err(CommandError::NotConfirmed(format!(
                "`reset --all` overwrites all {count} exercise files and needs a yes: run it in a \
                 terminal to be asked, or add --yes."
            )));
        }
        eprint!(
            "Reset all {count} exercise files to their starting stubs? Your versions are kept \
             in {BACKUP_DIR}/. Type yes to go on: "
        );
        let _ = io::stderr().flush();
        if !confirmed(&mut io::stdin().lock()) {
            outln!("Nothing was reset.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let stamp = now_utc();
    for lesson in LESSONS {
        for exercise in lesson.exercises {
            reset_exercise(lesson, exercise, &stamp)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// True when the next line of `answers` says yes.
fn confirmed(answers: &mut impl BufRead) -> bool {
    let mut answer = String::new();
    answers.read_line(&mut answer).is_ok() && matches!(answer.trim(), "yes" | "y" | "YES")
}

/// Regenerates one learner file, first copying the learner's version to the backup folder;
/// touches nothing else. `stamp` (a UTC time) names the backup.
fn reset_exercise(lesson: &Lesson, exercise: &Exercise, stamp: &str) -> Result<(), CommandError> {
    let stub = stub_of(lesson, exercise)?;
    let path = lesson.exercise_file(exercise);
    let root = workspace_root();
    let full_path = root.join(&path);
    let current = std::fs::read(&full_path).ok();
    if current.as_deref() == Some(stub.as_bytes()) {
        outln!("{path} is already the starting stub; nothing changed.");
        return Ok(());
    }
    let backup = match current {
        Some(current) => Some(back_up(&root, exercise.name, stamp, &current)?),
        None => None,
    };
    std::fs::write(&full_path, stub).map_err(|source| CommandError::File {
        action: "write",
        path: path.clone(),
        source,
    })?;
    match backup {
        Some(backup) => outln!(
            "Reset {path} to its starting stub. Your version is kept in {backup}; no other \
             file was touched."
        ),
        None => outln!("Wrote {path}: the starting stub."),
    }
    Ok(())
}

/// Writes `contents` to `.homework/backup/NAME-<time>.rs` (with `-2`, `-3`... if that name is
/// taken) and returns that path, relative to the workspace root.
fn back_up(root: &Path, name: &str, stamp: &str, contents: &[u8]) -> Result<String, CommandError> {
    let directory = root.join(BACKUP_DIR);
    let failed = |path: String| {
        move |source| CommandError::File {
            action: "write",
            path,
            source,
        }
    };
    std::fs::create_dir_all(&directory).map_err(failed(BACKUP_DIR.to_string()))?;
    // 2026-12-07T06:59:00Z → 20261207T065900Z: sortable, and a valid file name everywhere.
    let time: String = stamp.chars().filter(|c| !matches!(c, '-' | ':')).collect();
    let mut attempt = 1;
    loop {
        let suffix = if attempt == 1 {
            String::new()
        } else {
            format!("-{attempt}")
        };
        let file = format!("{name}-{time}{suffix}.rs");
        let relative = format!("{BACKUP_DIR}/{file}");
        let created = std::fs::File::create_new(directory.join(&file));
        match created {
            Ok(mut backup) => {
                backup
                    .write_all(contents)
                    .map_err(failed(relative.clone()))?;
                return Ok(relative);
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(error) => return Err(failed(relative)(error)),
        }
    }
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

    #[test]
    fn only_a_yes_confirms() {
        for (answer, expected) in [("yes\n", true), ("y\n", true), ("no\n", false), ("", false)] {
            assert_eq!(confirmed(&mut answer.as_bytes()), expected, "{answer:?}");
        }
    }

    #[test]
    fn a_backup_gets_a_new_name_each_time_and_keeps_the_bytes() {
        let root = std::env::temp_dir().join(format!("homework-backup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let stamp = "2026-12-07T06:59:00Z";
        let first = back_up(&root, "head_end", stamp, b"mine").unwrap();
        let second = back_up(&root, "head_end", stamp, b"mine again").unwrap();
        assert_eq!(first, ".homework/backup/head_end-20261207T065900Z.rs");
        assert_eq!(second, ".homework/backup/head_end-20261207T065900Z-2.rs");
        assert_eq!(std::fs::read(root.join(&second)).unwrap(), b"mine again");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn after_a_pass_the_next_exercise_and_its_command_are_named() {
        let (lesson, _) = find_exercise("head_end").unwrap();
        let mut report = Report::new("lesson01", "exercises", None, Vec::new());
        report.groups = lesson
            .exercises
            .iter()
            .map(|exercise| crate::report::GroupResult {
                name: exercise.name.to_string(),
                passed: true,
                hint: None,
                compile_error: None,
                checks: vec![crate::report::CheckResult::pass("x")],
            })
            .collect();
        report.passed = report.groups.len();
        let mut progress = Progress::default();
        progress.record(lesson, &report, "2026-12-07T06:59:00Z");
        let text = next_step(
            lesson,
            &report,
            &progress,
            Audience::Learner,
            Style::plain(),
        );
        assert!(
            text.starts_with("lesson01 done! Next: lesson02 · "),
            "{text}"
        );
        assert!(text.contains("exercise `request_line`"), "{text}");
        assert!(
            text.contains("open lessons/lesson02-http/exercises/request_line.rs"),
            "{text}"
        );
        assert!(
            text.contains("`cargo run -p homework -- check lesson02`"),
            "{text}"
        );
    }
}
