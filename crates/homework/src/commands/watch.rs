//! `watch [LESSON]`: checks again every time an exercise file is saved, rustlings style.
//!
//! Each round clears the screen and shows the lesson's exercises, with the failure and hint of
//! the first one that does not pass yet — the one to work on. When every exercise of the lesson
//! passes, it moves on by itself to the next lesson that has work left.
//!
//! It polls instead of asking the operating system for change events: a few times a second it
//! reads the modification time and size of each `exercises/*.rs` file of the lesson, which is
//! cheap, portable and needs no extra crate. The size is compared too because some file
//! systems keep modification times to the second, and two saves can fall in the same second.
//!
//! A save while a check runs stops it: a thread keeps polling during the check and raises the
//! check's stop flag, which kills a test program at once (one stuck in `loop {}`, say). A
//! compilation under way is let finish, since its work is kept for the next one. It runs until
//! Ctrl-C, which also stops a check under way (its programs are in the same process group).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, SystemTime};

use super::{
    Audience, CommandError, check_lesson, counted_lessons, finish, next_step, resolve_lesson,
};
use crate::catalog::Lesson;
use crate::progress::{Progress, progress_file, progress_line};
use crate::report::{Detail, Report, Style, render_text};
use crate::runner::{Code, RunError, RunLimits, RunOptions, StopFlag};
use crate::workspace::workspace_root;

/// How often the files are looked at.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// What is compared to notice a save: modification time and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    /// The modification time, when the file system reports one.
    modified: Option<SystemTime>,
    /// The size in bytes.
    len: u64,
}

/// Every watched file with its fingerprint.
pub type Snapshot = BTreeMap<PathBuf, Fingerprint>;

/// `watch [LESSON]`: checks once, then again after every save, until Ctrl-C.
pub fn watch(lesson: Option<&str>, deadline: Duration, verbose: bool) -> ExitCode {
    let progress = Progress::load(&progress_file());
    match resolve_lesson(lesson, &progress) {
        Ok(lesson) => watch_from(lesson, deadline, verbose),
        Err(error) => finish(Err(error)),
    }
}

/// The watch loop, starting with `lesson`; returns only if the process is stopped.
fn watch_from(mut lesson: &'static Lesson, deadline: Duration, verbose: bool) -> ExitCode {
    let mut banner: Option<String> = None;
    loop {
        let directory = exercises_directory(lesson);
        let seen = snapshot(&directory);
        let stop: StopFlag = Arc::new(AtomicBool::new(false));
        let checking = Arc::new(AtomicBool::new(true));
        let poller = spawn_save_poller(&directory, &seen, &stop, &checking);
        let options = RunOptions {
            code: Code::Learner,
            limits: RunLimits {
                deadline,
                stop: Some(Arc::clone(&stop)),
            },
            verbose,
        };
        let outcome = check_lesson(Some(lesson.id), &options, Audience::Watcher);
        checking.store(false, Ordering::Relaxed);
        let _ = poller.join();
        clear_screen();
        if let Some(text) = banner.take() {
            outln!("{text}\n");
        }
        match outcome {
            Err(CommandError::Run(RunError::Stopped)) => {
                outln!(
                    "── a file changed during the check; checking {} again ──",
                    lesson.id
                );
                continue;
            }
            Err(error) => eprintln!("{error}"),
            Ok((checked, report, progress)) => {
                let next = progress.current_lesson();
                if report.all_passed() && next.id != checked.id && has_work_left(next, &progress) {
                    banner = Some(Style::for_stdout().good(&format!(
                        "✓ Every exercise of {} passes. On to {} · {}!",
                        checked.id, next.id, next.title
                    )));
                    lesson = next;
                    continue;
                }
                print_watch_screen(checked, &report, &progress);
            }
        }
        eprintln!(
            "Watching {}/exercises/*.rs: save a file to check again; Ctrl-C stops.",
            lesson.dir()
        );
        wait_for_change(&directory, &seen);
    }
}

/// True when some exercise of `lesson` has not passed yet.
fn has_work_left(lesson: &Lesson, progress: &Progress) -> bool {
    lesson
        .exercises
        .iter()
        .any(|exercise| !progress.passed(lesson.id, exercise.name))
}

/// What `watch` shows after a check: every exercise's mark, the first unfinished one's
/// failure and hint, the progress, and what to do next.
fn print_watch_screen(lesson: &'static Lesson, report: &Report, progress: &Progress) {
    let style = Style::for_stdout();
    out!("{}", render_text(report, style, Detail::FirstUnfinished));
    outln!("{}", progress_line(&counted_lessons(progress), style));
    outln!(
        "{}",
        next_step(lesson, report, progress, Audience::Watcher, style)
    );
}

/// Clears the terminal and puts the cursor at the top, when standard output is one.
fn clear_screen() {
    if std::io::stdout().is_terminal() {
        out!("\x1b[2J\x1b[H");
    }
}

/// `lessons/<package>/exercises`.
fn exercises_directory(lesson: &Lesson) -> PathBuf {
    workspace_root().join(lesson.dir()).join("exercises")
}

/// Polls `directory` while `checking` is raised, and raises `stop` at the first change
/// against `seen`.
fn spawn_save_poller(
    directory: &Path,
    seen: &Snapshot,
    stop: &StopFlag,
    checking: &Arc<AtomicBool>,
) -> thread::JoinHandle<()> {
    let (directory, seen) = (directory.to_path_buf(), seen.clone());
    let (stop, checking) = (Arc::clone(stop), Arc::clone(checking));
    thread::spawn(move || {
        while checking.load(Ordering::Relaxed) {
            if !changed_files(&seen, &snapshot(&directory)).is_empty() {
                stop.store(true, Ordering::Relaxed);
                return;
            }
            thread::sleep(POLL_INTERVAL);
        }
    })
}

/// Waits until a file in `directory` differs from `seen`.
fn wait_for_change(directory: &Path, seen: &Snapshot) {
    loop {
        let now = snapshot(directory);
        let changed = changed_files(seen, &now);
        if !changed.is_empty() {
            eprintln!("{} changed; checking again...", names(&changed));
            return;
        }
        thread::sleep(POLL_INTERVAL);
    }
}

/// The `.rs` files directly in `directory` (not the solutions below it), with fingerprints.
/// A directory that cannot be read gives an empty snapshot.
pub fn snapshot(directory: &Path) -> Snapshot {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return Snapshot::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "rs"))
        .filter_map(|entry| {
            let metadata = entry.metadata().ok().filter(|m| m.is_file())?;
            let fingerprint = Fingerprint {
                modified: metadata.modified().ok(),
                len: metadata.len(),
            };
            Some((entry.path(), fingerprint))
        })
        .collect()
}

/// The files added, removed or changed between two snapshots, in path order.
pub fn changed_files(before: &Snapshot, after: &Snapshot) -> Vec<PathBuf> {
    let mut changed: Vec<PathBuf> = after
        .iter()
        .filter(|(path, fingerprint)| before.get(*path) != Some(fingerprint))
        .map(|(path, _)| path.clone())
        .collect();
    changed.extend(
        before
            .keys()
            .filter(|path| !after.contains_key(*path))
            .cloned(),
    );
    changed.sort();
    changed
}

/// `request_line.rs, safe_path.rs`.
fn names(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|path| {
            path.file_name()
                .unwrap_or(path.as_os_str())
                .to_string_lossy()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint(seconds: u64, len: u64) -> Fingerprint {
        Fingerprint {
            modified: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)),
            len,
        }
    }

    fn snapshot_of(files: &[(&str, Fingerprint)]) -> Snapshot {
        files
            .iter()
            .map(|(name, fingerprint)| (PathBuf::from(name), *fingerprint))
            .collect()
    }

    #[test]
    fn nothing_changed_is_no_change() {
        let files = snapshot_of(&[("a.rs", fingerprint(1, 10)), ("b.rs", fingerprint(2, 20))]);
        assert!(changed_files(&files, &files.clone()).is_empty());
    }

    #[test]
    fn a_new_time_or_a_new_size_is_a_change() {
        let before = snapshot_of(&[("a.rs", fingerprint(1, 10)), ("b.rs", fingerprint(2, 20))]);
        let after = snapshot_of(&[("a.rs", fingerprint(5, 10)), ("b.rs", fingerprint(2, 21))]);
        assert_eq!(
            changed_files(&before, &after),
            [PathBuf::from("a.rs"), PathBuf::from("b.rs")]
        );
    }

    #[test]
    fn added_and_removed_files_are_changes() {
        let before = snapshot_of(&[("a.rs", fingerprint(1, 10))]);
        let after = snapshot_of(&[("b.rs", fingerprint(1, 10))]);
        assert_eq!(
            changed_files(&before, &after),
            [PathBuf::from("a.rs"), PathBuf::from("b.rs")]
        );
    }

    #[test]
    fn a_snapshot_sees_rust_files_only_and_not_the_solutions() {
        let directory = std::env::temp_dir().join(format!("homework-watch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        std::fs::create_dir_all(directory.join("solutions")).unwrap();
        std::fs::write(directory.join("a.rs"), "fn a() {}").unwrap();
        std::fs::write(directory.join("notes.txt"), "").unwrap();
        std::fs::write(directory.join("solutions/a.rs"), "").unwrap();
        let files: Vec<PathBuf> = snapshot(&directory).into_keys().collect();
        let _ = std::fs::remove_dir_all(&directory);
        assert_eq!(files, [directory.join("a.rs")]);
    }

    #[test]
    fn a_missing_directory_is_an_empty_snapshot() {
        assert!(snapshot(Path::new("/no/such/directory/here")).is_empty());
    }
}
