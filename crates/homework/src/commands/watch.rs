//! `watch [LESSON]`: checks a lesson again every time one of its exercise files is saved.
//!
//! It polls instead of asking the operating system for change events: twice a second it reads
//! the modification time and size of each `exercises/*.rs` file of the lesson, which is cheap,
//! portable and needs no extra crate. The size is compared too because some file systems keep
//! modification times to the second, and two saves can fall in the same second. It runs until
//! Ctrl-C, which also stops a check under way (cargo is in the same process group).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use super::{Audience, check_lesson, finish, resolve_lesson};
use crate::catalog::Lesson;
use crate::progress::{Progress, progress_file};
use crate::workspace::workspace_root;

/// How often the files are looked at.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

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
pub fn watch(lesson: Option<&str>) -> ExitCode {
    let progress = Progress::load(&progress_file());
    match resolve_lesson(lesson, &progress) {
        Ok(lesson) => watch_lesson(lesson),
        Err(error) => finish(Err(error)),
    }
}

/// The watch loop; returns only if the process is stopped.
fn watch_lesson(lesson: &Lesson) -> ExitCode {
    let directory = workspace_root().join(lesson.dir()).join("exercises");
    eprintln!(
        "Watching {}/exercises/*.rs: every save checks {} again. Press Ctrl-C to stop.",
        lesson.dir(),
        lesson.id
    );
    let mut seen = snapshot(&directory);
    check_and_report(lesson);
    loop {
        std::thread::sleep(POLL_INTERVAL);
        let now = snapshot(&directory);
        let changed = changed_files(&seen, &now);
        if changed.is_empty() {
            continue;
        }
        seen = now;
        outln!(
            "\n── {} changed; checking {} again ──\n",
            names(&changed),
            lesson.id
        );
        check_and_report(lesson);
    }
}

/// Runs one check, printing an error instead of stopping the watch.
fn check_and_report(lesson: &Lesson) {
    if let Err(error) = check_lesson(Some(lesson.id), Audience::Watcher) {
        eprintln!("{error}");
    }
    eprintln!(
        "Watching for changes to {}/exercises/*.rs (Ctrl-C stops)...",
        lesson.dir()
    );
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
