//! The learner's progress, kept in one small git-ignored file at the workspace root.
//!
//! `.homework-progress.json` records, per lesson and exercise, whether the last check passed
//! and when it ran. It is a convenience, never a source of truth: a missing or unreadable file
//! counts as no progress at all, and the next `check` writes a fresh one. The environment
//! variable `HOMEWORK_PROGRESS_FILE` puts it elsewhere (the end-to-end tests use it so that
//! they never touch a learner's real file).
//!
//! ```json
//! {
//!   "lessons": {
//!     "lesson02": {
//!       "request_line": { "status": "passed", "checked_at": "2025-05-01T09:30:00Z" }
//!     }
//!   }
//! }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::catalog::{LESSONS, Lesson};
use crate::report::{Report, Style};
use crate::workspace::workspace_root;

/// The file's name, at the workspace root.
const FILE_NAME: &str = ".homework-progress.json";

/// The environment variable that names another file to use.
pub const FILE_VARIABLE: &str = "HOMEWORK_PROGRESS_FILE";

/// Everything the checker remembers between runs.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Per lesson id, per exercise name, the last check's outcome. Names no longer in the
    /// catalog are kept as they are and ignored.
    #[serde(default)]
    pub lessons: BTreeMap<String, BTreeMap<String, ExerciseProgress>>,
}

/// The last check of one exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseProgress {
    /// Whether it passed.
    pub status: Status,
    /// When, in UTC: `2025-05-01T09:30:00Z`.
    pub checked_at: String,
}

/// The outcome of an exercise's last check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every test of the exercise passed.
    Passed,
    /// At least one test failed.
    Failed,
}

/// How far the learner is in one lesson, for the progress line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonCount {
    /// The lesson's id: `lesson02`.
    pub lesson: &'static str,
    /// Exercises whose last check passed.
    pub done: usize,
    /// Exercises in the lesson.
    pub total: usize,
}

/// Why the progress file could not be read.
#[derive(Debug)]
pub enum ProgressError {
    /// The file exists and cannot be read.
    Unreadable(io::Error),
    /// The file is not the JSON the checker writes.
    Corrupt(serde_json::Error),
}

impl fmt::Display for ProgressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProgressError::Unreadable(error) => write!(f, "it cannot be read ({error})"),
            ProgressError::Corrupt(error) => write!(f, "it is not valid progress JSON ({error})"),
        }
    }
}

impl std::error::Error for ProgressError {}

/// Where the progress file is: `$HOMEWORK_PROGRESS_FILE`, or `.homework-progress.json` at the
/// workspace root.
pub fn progress_file() -> PathBuf {
    match std::env::var_os(FILE_VARIABLE) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => workspace_root().join(FILE_NAME),
    }
}

impl Progress {
    /// Reads the file; a missing file is no progress yet.
    pub fn read(path: &Path) -> Result<Progress, ProgressError> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(ProgressError::Corrupt),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Progress::default()),
            Err(error) => Err(ProgressError::Unreadable(error)),
        }
    }

    /// Reads the file, or starts afresh (with a note on standard error) when it is unreadable.
    pub fn load(path: &Path) -> Progress {
        Progress::read(path).unwrap_or_else(|error| {
            eprintln!(
                "note: ignoring the progress file {} because {error}; the next check writes \
                 a new one.",
                path.display()
            );
            Progress::default()
        })
    }

    /// Writes the file, replacing it whole (a new file renamed over the old one).
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let json = serde_json::to_string_pretty(self).map_err(io::Error::other)?;
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        std::fs::write(&temporary, json + "\n")?;
        std::fs::rename(&temporary, path)
    }

    /// Records the outcome of each exercise of a report of `lesson`'s exercise tests. A report
    /// with a compile error records nothing: it says nothing about any single exercise.
    pub fn record(&mut self, lesson: &Lesson, report: &Report, checked_at: &str) {
        if report.compile_error.is_some() {
            return;
        }
        let exercises = self.lessons.entry(lesson.id.to_string()).or_default();
        for group in &report.groups {
            if lesson.exercises.iter().any(|e| e.name == group.name) {
                let status = if group.passed {
                    Status::Passed
                } else {
                    Status::Failed
                };
                let record = ExerciseProgress {
                    status,
                    checked_at: checked_at.to_string(),
                };
                exercises.insert(group.name.clone(), record);
            }
        }
    }

    /// The last check of an exercise, if it was ever checked.
    pub fn exercise(&self, lesson: &str, exercise: &str) -> Option<&ExerciseProgress> {
        self.lessons.get(lesson)?.get(exercise)
    }

    /// True when the exercise's last check passed.
    pub fn passed(&self, lesson: &str, exercise: &str) -> bool {
        self.exercise(lesson, exercise)
            .is_some_and(|record| record.status == Status::Passed)
    }

    /// The first lesson with an exercise not yet passed; the first lesson when all are done.
    pub fn current_lesson(&self) -> &'static Lesson {
        LESSONS
            .iter()
            .find(|lesson| {
                lesson
                    .exercises
                    .iter()
                    .any(|exercise| !self.passed(lesson.id, exercise.name))
            })
            .unwrap_or(&LESSONS[0])
    }

    /// Exercises done and in total, per lesson, in course order.
    pub fn counts(&self) -> Vec<LessonCount> {
        LESSONS
            .iter()
            .map(|lesson| LessonCount {
                lesson: lesson.id,
                done: lesson
                    .exercises
                    .iter()
                    .filter(|exercise| self.passed(lesson.id, exercise.name))
                    .count(),
                total: lesson.exercises.len(),
            })
            .collect()
    }
}

/// The current time in UTC: `2025-05-01T09:30:00Z`.
pub fn now_utc() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs())
        .unwrap_or(0);
    format_utc(seconds)
}

/// Formats seconds since 1970-01-01 UTC as `YYYY-MM-DDTHH:MM:SSZ`.
fn format_utc(seconds: u64) -> String {
    let (days, time_of_day) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_date(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        time_of_day / 3600,
        time_of_day % 3600 / 60,
        time_of_day % 60
    )
}

/// The calendar date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`:
/// count in 400-year eras of 146 097 days, with years starting in March so the leap day
/// comes last).
fn civil_date(days_since_1970: u64) -> (u64, u64, u64) {
    let days = days_since_1970 + 719_468; // days since 0000-03-01
    let era = days / 146_097;
    let day_of_era = days % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month, day)
}

/// How many cells the progress bar has.
const BAR_WIDTH: usize = 20;

/// `Progress  ████░░░░  2 of 5 exercises · lesson01 2/2 · lesson02 0/3`.
pub fn progress_line(counts: &[LessonCount], style: Style) -> String {
    let done: usize = counts.iter().map(|count| count.done).sum();
    let total: usize = counts.iter().map(|count| count.total).sum();
    let per_lesson: Vec<String> = counts
        .iter()
        .map(|count| {
            let text = format!("{} {}/{}", count.lesson, count.done, count.total);
            if count.total > 0 && count.done == count.total {
                style.good(&text)
            } else {
                text
            }
        })
        .collect();
    format!(
        "{}  {}  {done} of {total} exercises · {}",
        style.bold("Progress"),
        bar(done, total),
        per_lesson.join(" · ")
    )
}

/// A bar of [`BAR_WIDTH`] cells, `done / total` of them full.
fn bar(done: usize, total: usize) -> String {
    let full = (done * BAR_WIDTH)
        .checked_div(total)
        .unwrap_or(0)
        .min(BAR_WIDTH);
    format!("{}{}", "█".repeat(full), "░".repeat(BAR_WIDTH - full))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find_lesson;
    use crate::report::{CheckResult, GroupResult};
    use pretty_assertions::assert_eq;

    fn check(passed: bool) -> CheckResult {
        CheckResult {
            passed,
            ..CheckResult::pass("t")
        }
    }

    /// A report of `lesson` where the named exercises pass and the others fail.
    fn report(lesson: &Lesson, passing: &[&str]) -> Report {
        let groups = lesson
            .exercises
            .iter()
            .map(|exercise| {
                let passed = passing.contains(&exercise.name);
                GroupResult {
                    name: exercise.name.into(),
                    passed,
                    hint: None,
                    compile_error: None,
                    checks: vec![check(passed)],
                }
            })
            .collect();
        Report::new(lesson.id, "exercises", None, groups)
    }

    /// A temporary file path, removed on drop.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(label: &str) -> TempFile {
            let name = format!("homework-progress-{label}-{}.json", std::process::id());
            TempFile(std::env::temp_dir().join(name))
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn the_current_lesson_is_the_first_one_not_finished() {
        let lesson01 = find_lesson("lesson01").unwrap();
        let mut progress = Progress::default();
        assert_eq!(progress.current_lesson().id, "lesson01");
        progress.record(lesson01, &report(lesson01, &["head_end"]), "t");
        assert_eq!(progress.current_lesson().id, "lesson01");
        progress.record(
            lesson01,
            &report(lesson01, &["head_end", "hello_response"]),
            "t",
        );
        assert_eq!(progress.current_lesson().id, "lesson02");
    }

    #[test]
    fn when_everything_is_done_the_current_lesson_is_the_first() {
        let mut progress = Progress::default();
        for lesson in LESSONS {
            let names: Vec<&str> = lesson.exercises.iter().map(|e| e.name).collect();
            progress.record(lesson, &report(lesson, &names), "t");
        }
        assert_eq!(progress.current_lesson().id, LESSONS[0].id);
    }

    #[test]
    fn a_later_failure_undoes_a_pass() {
        let lesson02 = find_lesson("lesson02").unwrap();
        let mut progress = Progress::default();
        progress.record(lesson02, &report(lesson02, &["safe_path"]), "first");
        assert!(progress.passed("lesson02", "safe_path"));
        progress.record(lesson02, &report(lesson02, &[]), "second");
        let record = progress.exercise("lesson02", "safe_path").unwrap();
        assert_eq!(
            (record.status, record.checked_at.as_str()),
            (Status::Failed, "second")
        );
    }

    #[test]
    fn a_compile_error_records_nothing() {
        let lesson02 = find_lesson("lesson02").unwrap();
        let mut progress = Progress::default();
        let mut broken = report(lesson02, &[]);
        broken.compile_error = Some("error[E0308]".into());
        progress.record(lesson02, &broken, "t");
        assert_eq!(progress, Progress::default());
    }

    #[test]
    fn counts_cover_every_lesson_of_the_catalog() {
        let lesson02 = find_lesson("lesson02").unwrap();
        let mut progress = Progress::default();
        progress.record(lesson02, &report(lesson02, &["request_line"]), "t");
        let counts = progress.counts();
        assert_eq!(counts.len(), LESSONS.len());
        assert_eq!(
            counts[1],
            LessonCount {
                lesson: "lesson02",
                done: 1,
                total: 3
            }
        );
    }

    #[test]
    fn progress_survives_a_save_and_a_read() {
        let file = TempFile::new("roundtrip");
        let lesson02 = find_lesson("lesson02").unwrap();
        let mut progress = Progress::default();
        progress.record(
            lesson02,
            &report(lesson02, &["safe_path"]),
            "2025-05-01T09:30:00Z",
        );
        progress.save(&file.0).unwrap();
        assert_eq!(Progress::read(&file.0).unwrap(), progress);
    }

    #[test]
    fn a_missing_or_corrupt_file_is_no_progress() {
        let file = TempFile::new("corrupt");
        assert_eq!(Progress::load(&file.0), Progress::default());
        for junk in ["", "{", "[1, 2]", "{\"lessons\": {\"lesson01\": 7}}"] {
            std::fs::write(&file.0, junk).unwrap();
            assert!(Progress::read(&file.0).is_err(), "{junk:?}");
            assert_eq!(Progress::load(&file.0), Progress::default(), "{junk:?}");
        }
    }

    #[test]
    fn an_empty_object_is_no_progress() {
        let file = TempFile::new("empty");
        std::fs::write(&file.0, "{}").unwrap();
        assert_eq!(Progress::read(&file.0).unwrap(), Progress::default());
    }

    #[test]
    fn times_are_formatted_in_utc() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_746_091_800), "2025-05-01T09:30:00Z");
        assert_eq!(format_utc(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(format_utc(4_107_542_400), "2100-03-01T00:00:00Z");
    }

    #[test]
    fn the_progress_line_counts_every_lesson() {
        let counts = [
            LessonCount {
                lesson: "lesson01",
                done: 2,
                total: 2,
            },
            LessonCount {
                lesson: "lesson02",
                done: 0,
                total: 3,
            },
        ];
        assert_eq!(
            progress_line(&counts, Style::plain()),
            "Progress  ████████░░░░░░░░░░░░  2 of 5 exercises · lesson01 2/2 · lesson02 0/3"
        );
        assert_eq!(bar(0, 0), "░".repeat(BAR_WIDTH));
        assert_eq!(bar(3, 3), "█".repeat(BAR_WIDTH));
    }
}
