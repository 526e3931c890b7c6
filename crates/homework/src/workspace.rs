//! Where the workbench is on disk, and how paths into it are shown.
//!
//! Every path the checker reads, writes or prints is relative to the workspace root, so the
//! checker works from any directory inside the workbench and prints paths a learner can open.

use std::path::{Path, PathBuf};

/// A file only this workspace has, which marks its root.
const ROOT_MARKER: &str = "crates/homework/Cargo.toml";

/// The workspace root: the nearest directory, from the current one upwards, that holds
/// `crates/homework/Cargo.toml`; else the root this binary was built in.
pub fn workspace_root() -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|start| root_above(&start))
        .unwrap_or_else(built_in_root)
}

/// The nearest directory from `start` upwards that holds the root marker.
fn root_above(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(ROOT_MARKER).is_file())
        .map(Path::to_path_buf)
}

/// The workspace this binary was built from (`crates/homework/../..`).
fn built_in_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .and_then(Path::parent)
        .unwrap_or(manifest_dir)
        .to_path_buf()
}

/// Resolves `dir/..` pairs in a `/`-separated path without touching the disk, so that
/// `lessons/p/tests/exercises/../../exercises/e.rs:3:5` reads `lessons/p/exercises/e.rs:3:5`.
/// `.` segments go too; `..` that climbs above the start is kept.
pub fn clean_path(path: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "." if path != "." => {}
            ".." if kept
                .last()
                .is_some_and(|last| !last.is_empty() && *last != "..") =>
            {
                kept.pop();
            }
            _ => kept.push(segment),
        }
    }
    kept.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_dot_segments_are_resolved() {
        for (path, clean) in [
            (
                "lessons/p/tests/exercises/../../exercises/e.rs:3:5",
                "lessons/p/exercises/e.rs:3:5",
            ),
            ("./tests/x.rs", "tests/x.rs"),
            ("../outside/x.rs", "../outside/x.rs"),
            ("a/../../b", "../b"),
            ("/abs/./x/../y", "/abs/y"),
            ("plain.rs:1:2", "plain.rs:1:2"),
        ] {
            assert_eq!(clean_path(path), clean, "{path}");
        }
    }

    #[test]
    fn the_root_is_found_from_inside_it() {
        let root = built_in_root();
        assert!(root.join(ROOT_MARKER).is_file(), "{}", root.display());
        let inside = root.join("crates/homework/src");
        assert_eq!(root_above(&inside), Some(root));
    }
}
