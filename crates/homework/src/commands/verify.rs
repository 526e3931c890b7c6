//! `verify`: for CI and instructors, checks that every exercise is sound, in both directions.
//!
//! For every lesson with exercises, three properties must hold:
//!
//! 1. every committed learner file is exactly the stub its solution generates (so editing a
//!    solution and forgetting `reset` is caught);
//! 2. with the `reference` feature, every test of every exercise passes and each exercise has
//!    at least [`MIN_TESTS`] tests (so the solutions are right and the tests say something);
//! 3. with the learner files, every exercise has at least one failing test (a stub that passes
//!    means the exercise asks nothing of the learner);
//! 4. every exercise's tests catch its plausible wrong answers (the catalog's [`Mutant`]s): each
//!    mutant — the solution with one piece of text replaced — is put in the learner's file, and
//!    the exercise must fail. Tests that only fail on `todo!()` would let a learner's real
//!    mistakes through. The stubs are written back afterwards, so this is tried only when
//!    property 1 holds (the learner files hold no work of anyone's).
//!
//! It builds and runs each lesson's tests several times with different code, so it belongs in
//! CI (`.ci/run`), not in `cargo test`; `verify LESSON` checks one lesson.

use std::process::ExitCode;

use serde::Serialize;

use super::{CHECKER, CommandError, read_file, stub_of};
use crate::catalog::{Exercise, LESSONS, Lesson, Mutant, find_lesson};
use crate::report::{CheckResult, GroupResult, Report, Style, to_json};
use crate::runner::{self, Code, RunOptions};
use crate::workspace::workspace_root;

/// The fewest tests an exercise may have.
pub const MIN_TESTS: usize = 3;

/// The outcome of `verify`, as printed by `--json`.
#[derive(Debug, Serialize)]
struct Verification {
    /// True when every property holds for every lesson.
    ok: bool,
    /// One entry per lesson with exercises.
    lessons: Vec<LessonVerification>,
}

/// The four properties of one lesson.
#[derive(Debug, Serialize)]
struct LessonVerification {
    /// `lesson02`.
    lesson: &'static str,
    /// Each property, in the order of the module documentation.
    properties: Vec<Property>,
}

/// One property of one lesson and, when it does not hold, why.
#[derive(Debug, Serialize)]
struct Property {
    /// A short stable name for machines: `stubs_match_solutions`.
    name: &'static str,
    /// What it means, in a sentence.
    description: &'static str,
    /// True when there are no problems.
    holds: bool,
    /// Every violation found, each naming the exercise or file.
    problems: Vec<String>,
}

impl Property {
    /// A property with its problems; it holds when there are none.
    fn new(name: &'static str, description: &'static str, problems: Vec<String>) -> Property {
        Property {
            name,
            description,
            holds: problems.is_empty(),
            problems,
        }
    }
}

/// `verify`: checks every lesson; exit code 0 only if every property holds.
pub fn verify(lesson: Option<&str>, json: bool, verbose: bool) -> ExitCode {
    let chosen: Vec<&'static Lesson> = match lesson {
        None => LESSONS.iter().collect(),
        Some(name) => match find_lesson(name) {
            Some(lesson) => vec![lesson],
            None => return super::finish(Err(CommandError::UnknownLesson(name.to_string()))),
        },
    };
    let lessons: Vec<LessonVerification> = chosen
        .into_iter()
        .filter(|lesson| !lesson.exercises.is_empty())
        .map(|lesson| verify_lesson(lesson, json, verbose))
        .collect();
    let ok = lessons
        .iter()
        .all(|lesson| lesson.properties.iter().all(|property| property.holds));
    let verification = Verification { ok, lessons };
    if json {
        outln!("{}", to_json(&verification));
    } else {
        out!("{}", verification_text(&verification, Style::for_stdout()));
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The four properties of one lesson; progress goes to standard error unless `quiet`, and
/// cargo's own lines too with `verbose`.
fn verify_lesson(lesson: &'static Lesson, quiet: bool, verbose: bool) -> LessonVerification {
    let say = |what: &str| {
        if !quiet {
            eprintln!("verify {}: {what}...", lesson.id);
        }
    };
    say("comparing the learner files with their solutions");
    let stubs = Property::new(
        "stubs_match_solutions",
        "every learner file is exactly the stub its solution generates",
        stub_problems(lesson),
    );
    say("running the tests against the reference solutions");
    let solutions = Property::new(
        "solutions_pass",
        "the solutions pass every test, with at least 3 tests per exercise",
        test_problems(lesson, Code::Reference, verbose, solution_problems),
    );
    say("running the tests against the learner files");
    let learner = Property::new(
        "stubs_fail",
        "every untouched stub fails at least one test",
        test_problems(lesson, Code::Learner, verbose, stub_run_problems),
    );
    say("running the tests against plausible wrong answers");
    let mutants = Property::new(
        "mutants_caught",
        "every exercise's tests fail on each of its plausible wrong answers",
        mutant_problems(lesson, stubs.holds, verbose),
    );
    LessonVerification {
        lesson: lesson.id,
        properties: vec![stubs, solutions, learner, mutants],
    }
}

/// Property 4: puts each exercise's mutants in its learner file, one round per mutant index
/// (exercises are separate test programs, so one round tries one mutant of each), and writes
/// the stubs back after each round.
fn mutant_problems(lesson: &Lesson, stubs_hold: bool, verbose: bool) -> Vec<String> {
    if !stubs_hold {
        return vec![
            "not tried: the learner files are not their stubs, and trying mutants overwrites \
             them"
                .to_string(),
        ];
    }
    let mut problems = Vec::new();
    for exercise in lesson.exercises.iter().filter(|e| e.mutants.is_empty()) {
        problems.push(format!(
            "{}: the catalog names no plausible wrong answer (Mutant) to try",
            exercise.name
        ));
    }
    let rounds = lesson.exercises.iter().map(|e| e.mutants.len()).max();
    for round in 0..rounds.unwrap_or(0) {
        let tried: Vec<(&Exercise, &Mutant)> = lesson
            .exercises
            .iter()
            .filter_map(|exercise| Some((exercise, exercise.mutants.get(round)?)))
            .collect();
        let placed = place_mutants(lesson, &tried, &mut problems);
        let report = runner::run_exercises(
            lesson,
            &RunOptions {
                verbose,
                ..RunOptions::new(Code::Learner)
            },
        );
        for (exercise, _) in &placed {
            if let Err(error) = restore_stub(lesson, exercise) {
                problems.push(error);
            }
        }
        match report {
            Err(error) => problems.push(CommandError::Run(error).to_string()),
            Ok(report) => problems.extend(uncaught_mutants(&report, &placed)),
        }
    }
    problems
}

/// Writes each mutant into its exercise's learner file; returns those placed, and records a
/// problem for each whose text is not exactly once in the solution.
fn place_mutants<'a>(
    lesson: &Lesson,
    tried: &[(&'a Exercise, &'a Mutant)],
    problems: &mut Vec<String>,
) -> Vec<(&'a Exercise, &'a Mutant)> {
    let mut placed = Vec::new();
    for &(exercise, mutant) in tried {
        let path = lesson.solution_file(exercise);
        let solution = match read_file(&path) {
            Ok(solution) => solution,
            Err(error) => {
                problems.push(error.to_string());
                continue;
            }
        };
        let count = solution.matches(mutant.find).count();
        if count != 1 {
            problems.push(format!(
                "{}: the mutant's text {:?} is in {path} {count} times, not once",
                exercise.name, mutant.find
            ));
            continue;
        }
        let learner = workspace_root().join(lesson.exercise_file(exercise));
        match std::fs::write(&learner, solution.replacen(mutant.find, mutant.replace, 1)) {
            Ok(()) => placed.push((exercise, mutant)),
            Err(error) => problems.push(format!("{}: {error}", learner.display())),
        }
    }
    placed
}

/// Writes an exercise's learner file back to its stub.
fn restore_stub(lesson: &Lesson, exercise: &Exercise) -> Result<(), String> {
    let stub = stub_of(lesson, exercise).map_err(|error| error.to_string())?;
    let path = lesson.exercise_file(exercise);
    std::fs::write(workspace_root().join(&path), stub)
        .map_err(|error| format!("could not write the stub back to {path}: {error}"))
}

/// A problem for each placed mutant that compiled and passed its exercise's tests, or did
/// not compile (a mutant must be a wrong answer, not a broken program).
fn uncaught_mutants(report: &Report, placed: &[(&Exercise, &Mutant)]) -> Vec<String> {
    placed
        .iter()
        .filter_map(|(exercise, mutant)| {
            let group = report.groups.iter().find(|g| g.name == exercise.name);
            let described = format!(
                "{} with the mistake \"{}\" ({:?} → {:?})",
                exercise.name, mutant.mistake, mutant.find, mutant.replace
            );
            match group {
                None => Some(format!("{described}: no result for the exercise")),
                Some(group) if group.compile_error.is_some() => Some(format!(
                    "{described} does not compile, so it tests nothing:\n{}",
                    group.compile_error.as_deref().unwrap_or_default()
                )),
                Some(group) if group.passed => Some(format!(
                    "{described} passes every test: the tests do not catch it"
                )),
                Some(_) => None,
            }
        })
        .collect()
}

/// Property 1: each learner file against the stub of its solution.
fn stub_problems(lesson: &Lesson) -> Vec<String> {
    lesson
        .exercises
        .iter()
        .filter_map(|exercise| {
            let path = lesson.exercise_file(exercise);
            let outcome = stub_of(lesson, exercise)
                .and_then(|stub| Ok((stub, read_file(&path)?)))
                .map(|(stub, committed)| first_difference(&committed, &stub));
            match outcome {
                Ok(None) => None,
                Ok(Some(difference)) => Some(format!(
                    "{path} is not the stub its solution generates \
                     (`{CHECKER} reset {}` writes it again); {difference}",
                    exercise.name
                )),
                Err(error) => Some(error.to_string()),
            }
        })
        .collect()
}

/// Where two texts first differ: the line number, then both lines quoted, one per line.
fn first_difference(file: &str, stub: &str) -> Option<String> {
    if file == stub {
        return None;
    }
    let mut file_lines = file.split_inclusive('\n');
    let mut stub_lines = stub.split_inclusive('\n');
    let mut number = 1;
    loop {
        match (file_lines.next(), stub_lines.next()) {
            (Some(a), Some(b)) if a == b => number += 1,
            (a, b) => {
                return Some(format!(
                    "the first difference is on line {number}:\n  file: {}\n  stub: {}",
                    shown(a),
                    shown(b)
                ));
            }
        }
    }
}

/// A line for a message, quoted with its line ending, or what stands past the end.
fn shown(line: Option<&str>) -> String {
    match line {
        Some(line) => format!("{line:?}"),
        None => "(nothing: it ends before this line)".to_string(),
    }
}

/// Runs the tests against `code` and reads the report's problems with `judge`.
fn test_problems(
    lesson: &Lesson,
    code: Code,
    verbose: bool,
    judge: fn(&Report) -> Vec<String>,
) -> Vec<String> {
    let which = match code {
        Code::Reference => "the solutions",
        Code::Learner => "the learner files",
    };
    let options = RunOptions {
        verbose,
        ..RunOptions::new(code)
    };
    let report = match runner::run_exercises(lesson, &options) {
        Err(error) => return vec![CommandError::Run(error).to_string()],
        Ok(report) => report,
    };
    if let Some(errors) = &report.compile_error {
        return vec![format!("the tests do not compile with {which}:\n{errors}")];
    }
    let mut problems: Vec<String> = report
        .groups
        .iter()
        .filter_map(|group| {
            let errors = group.compile_error.as_ref()?;
            Some(format!(
                "{}: the tests do not compile with {which}:\n{errors}",
                group.name
            ))
        })
        .collect();
    problems.extend(judge(&report));
    problems
}

/// Property 2 for one report: every test passes, and enough of them ran.
fn solution_problems(report: &Report) -> Vec<String> {
    let mut problems = Vec::new();
    for group in &report.groups {
        let count = runner::tests_run(group);
        if let Some(failing) = group.checks.iter().find(|check| !check.passed) {
            problems.push(format!(
                "{}: {} of {count} tests fail with the solution; the first is {}",
                group.name,
                group.checks.iter().filter(|check| !check.passed).count(),
                describe(failing)
            ));
        }
        if count < MIN_TESTS {
            problems.push(format!(
                "{}: {count} tests ran; an exercise needs at least {MIN_TESTS}",
                group.name
            ));
        }
    }
    problems
}

/// Property 3 for one report: no exercise passes on its untouched stub.
fn stub_run_problems(report: &Report) -> Vec<String> {
    report
        .groups
        .iter()
        .filter(|group| group.passed || runner::tests_run(group) == 0)
        .map(|group: &GroupResult| {
            if group.passed {
                format!(
                    "{}: all {} tests pass on the untouched stub, so the exercise asks nothing",
                    group.name,
                    group.checks.len()
                )
            } else {
                format!("{}: no tests ran on the stub", group.name)
            }
        })
        .collect()
}

/// `name (message)` of a failing check, on one line.
fn describe(check: &CheckResult) -> String {
    match &check.message {
        Some(message) => format!("{} ({})", check.name, message.replace('\n', " ")),
        None => check.name.clone(),
    }
}

/// The verification as text: per lesson, a mark per property and its problems; a summary.
fn verification_text(verification: &Verification, style: Style) -> String {
    let mut text = String::new();
    for lesson in &verification.lessons {
        let title = find_lesson(lesson.lesson).map_or("", |found| found.title);
        text.push_str(&format!("{} · {title}\n", style.bold(lesson.lesson)));
        for property in &lesson.properties {
            text.push_str(&format!(
                "  {} {}\n",
                style.mark(property.holds),
                property.description
            ));
            for problem in &property.problems {
                let mut lines = problem.lines();
                text.push_str(&format!("      - {}\n", lines.next().unwrap_or("")));
                for line in lines {
                    text.push_str(&format!("        {line}\n"));
                }
            }
        }
    }
    text.push('\n');
    text.push_str(&summary(verification, style));
    text.push('\n');
    text
}

/// `verify: everything holds (2 lessons, 5 exercises).` or the number of problems.
fn summary(verification: &Verification, style: Style) -> String {
    let problems: usize = verification
        .lessons
        .iter()
        .flat_map(|lesson| lesson.properties.iter().map(|p| p.problems.len()))
        .sum();
    if verification.ok {
        let exercises: usize = verification
            .lessons
            .iter()
            .filter_map(|verified| find_lesson(verified.lesson))
            .map(|lesson| lesson.exercises.len())
            .sum();
        let lessons = verification.lessons.len();
        style.good(&format!(
            "verify: everything holds ({lessons} lesson{}, {exercises} exercise{}).",
            if lessons == 1 { "" } else { "s" },
            if exercises == 1 { "" } else { "s" }
        ))
    } else {
        style.bad(&format!(
            "verify: {problems} problem{} found.",
            if problems == 1 { "" } else { "s" }
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, passed: bool) -> CheckResult {
        if passed {
            CheckResult::pass(name)
        } else {
            CheckResult::fail(name, "not written yet: x\nat a.rs:1:1")
        }
    }

    fn group(name: &str, results: &[bool]) -> GroupResult {
        let checks: Vec<CheckResult> = results
            .iter()
            .enumerate()
            .map(|(i, passed)| check(&format!("t{i}"), *passed))
            .collect();
        GroupResult {
            name: name.into(),
            passed: checks.iter().all(|c| c.passed),
            hint: None,
            compile_error: None,
            checks,
        }
    }

    fn report(groups: Vec<GroupResult>) -> Report {
        Report::new("lesson02", "exercises", None, groups)
    }

    #[test]
    fn the_first_differing_line_is_named() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(
            first_difference("a\nb\nc\n", "a\nB\nc\n").unwrap(),
            "the first difference is on line 2:\n  file: \"b\\n\"\n  stub: \"B\\n\""
        );
        assert_eq!(
            first_difference("a\n", "a\nb\n").unwrap(),
            "the first difference is on line 2:\n  file: (nothing: it ends before this line)\n  \
             stub: \"b\\n\""
        );
        assert_eq!(
            first_difference("a", "a\n").unwrap(),
            "the first difference is on line 1:\n  file: \"a\"\n  stub: \"a\\n\""
        );
    }

    #[test]
    fn solutions_must_pass_every_test_and_have_enough_of_them() {
        assert!(solution_problems(&report(vec![group("a", &[true, true, true])])).is_empty());
        let problems = solution_problems(&report(vec![
            group("a", &[true, false, true]),
            group("b", &[true, true]),
        ]));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("a: 1 of 3 tests fail with the solution; the first is t1 (not written yet: x at a.rs:1:1)"), "{problems:?}");
        assert_eq!(problems[1], "b: 2 tests ran; an exercise needs at least 3");
    }

    #[test]
    fn a_stub_that_passes_is_a_defect() {
        let problems = stub_run_problems(&report(vec![
            group("a", &[true, false]),
            group("b", &[true, true, true]),
        ]));
        assert_eq!(
            problems,
            ["b: all 3 tests pass on the untouched stub, so the exercise asks nothing"]
        );
    }

    #[test]
    fn the_summary_counts_problems() {
        let verification = Verification {
            ok: false,
            lessons: vec![LessonVerification {
                lesson: "lesson02",
                properties: vec![
                    Property::new("a", "first property", vec![]),
                    Property::new("b", "second property", vec!["x: broken\ndetail".into()]),
                ],
            }],
        };
        let text = verification_text(&verification, Style::plain());
        let title = find_lesson("lesson02").unwrap().title;
        assert_eq!(
            text,
            format!(
                "lesson02 · {title}\n  ✓ first property\n  ✗ second property\n      \
                 - x: broken\n        detail\n\nverify: 1 problem found.\n"
            )
        );
    }

    #[test]
    fn a_mutant_that_passes_or_does_not_compile_is_a_problem() {
        let (_, exercise) = crate::catalog::find_exercise("head_end").unwrap();
        let mutant = &exercise.mutants[0];
        let placed = [(exercise, mutant)];
        let caught = report(vec![group("head_end", &[true, false])]);
        assert!(uncaught_mutants(&caught, &placed).is_empty());
        let missed = report(vec![group("head_end", &[true, true])]);
        let problems = uncaught_mutants(&missed, &placed);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].contains("passes every test: the tests do not catch it"),
            "{problems:?}"
        );
        assert!(problems[0].contains(mutant.mistake), "{problems:?}");
        let mut broken = group("head_end", &[]);
        broken.compile_error = Some("error[E0308]".into());
        let problems = uncaught_mutants(&report(vec![broken]), &placed);
        assert!(problems[0].contains("does not compile"), "{problems:?}");
    }
}
