//! Builds a lesson's exercise tests with cargo, in the learner's own environment.
//!
//! # Why the environment is cleaned
//!
//! A learner starts the checker with `cargo run -p homework -- check`. `cargo run` exports
//! variables describing the homework package to the program it runs (`CARGO_MANIFEST_DIR`,
//! `CARGO_PKG_NAME` and the other `CARGO_PKG_*`, `CARGO_MANIFEST_PATH`) and puts its own
//! library directories in front of `LD_LIBRARY_PATH`. Passed on to the cargo the checker starts,
//! they change the environment some build scripts watch (`ring`'s among them, through
//! `cargo:rerun-if-env-changed`), so that `ring`, `rustls` and everything above them were
//! rebuilt on every second command: 20 to 70 seconds a check instead of under one.
//! [`learner_environment`] takes those variables out again, so the cargo the checker starts
//! sees what the learner's shell has, and every build is shared with the learner's own
//! `cargo run` and `cargo test`.
//!
//! # How the tests are built
//!
//! Each exercise is a test target of its own (`[[test]] name = "head_end"` in the lesson's
//! `Cargo.toml`), built with one command:
//!
//! ```text
//! cargo build -p lesson01-echo --test head_end --test hello_response --keep-going \
//!     --message-format json [--features reference]
//! ```
//!
//! `--keep-going` builds every exercise that compiles even when another does not, so a
//! compile error in one exercise hides nothing of the others. `--message-format json` makes
//! cargo say, for each test target, where its executable is and which compiler errors belong
//! to it; the checker then runs each executable itself, with a deadline.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;

use serde_json::Value;

use crate::catalog::Lesson;

use super::Code;

/// Variables `cargo run` sets for the program it runs; none of them is the learner's.
const CARGO_RUN_VARIABLES: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_MANIFEST_LINKS",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
    "OUT_DIR",
];

/// Prefixes of more variables `cargo run` sets: the package's metadata and its binaries.
const CARGO_RUN_PREFIXES: &[&str] = &["CARGO_PKG_", "CARGO_BIN_EXE_"];

/// The variables through which `cargo run` lets a program find shared libraries, per system.
const LIBRARY_PATHS: &[&str] = &["LD_LIBRARY_PATH", "DYLD_FALLBACK_LIBRARY_PATH"];

/// What the checker's own environment looked like, reduced to what it needs to undo.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// Every variable, as the checker received it.
    pub variables: Vec<(OsString, OsString)>,
    /// The directories `cargo run` adds to the library paths: the target directory the
    /// checker was built in, and the toolchain's own directory.
    pub cargo_directories: Vec<PathBuf>,
}

impl Environment {
    /// The environment of this process, with the directories cargo would have added.
    pub fn of_this_process() -> Environment {
        let mut cargo_directories = Vec::new();
        // target/debug/homework → target
        if let Some(target) = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent()?.parent().map(Path::to_path_buf))
        {
            cargo_directories.push(target);
        }
        // <toolchain>/bin/cargo → <toolchain>
        if let Some(toolchain) = std::env::var_os("CARGO")
            .map(PathBuf::from)
            .and_then(|cargo| cargo.parent()?.parent().map(Path::to_path_buf))
        {
            cargo_directories.push(toolchain);
        }
        Environment {
            variables: std::env::vars_os().collect(),
            cargo_directories,
        }
    }
}

/// The changes that make `environment` the learner's own again: variables to remove, and
/// library paths to set back (`None`: remove). Nothing changes unless `cargo run` started
/// the checker (it always sets `CARGO_MANIFEST_DIR`).
pub fn learner_environment(environment: &Environment) -> Vec<(OsString, Option<OsString>)> {
    let started_by_cargo = environment
        .variables
        .iter()
        .any(|(name, _)| name == "CARGO_MANIFEST_DIR");
    if !started_by_cargo {
        return Vec::new();
    }
    let mut changes = Vec::new();
    for (name, value) in &environment.variables {
        let text = name.to_string_lossy();
        let set_by_cargo_run = text == "CARGO"
            || CARGO_RUN_VARIABLES.contains(&text.as_ref())
            || CARGO_RUN_PREFIXES
                .iter()
                .any(|prefix| text.starts_with(prefix));
        if set_by_cargo_run {
            changes.push((name.clone(), None));
        } else if LIBRARY_PATHS.contains(&text.as_ref()) {
            let kept = without_directories(value, &environment.cargo_directories);
            changes.push((name.clone(), kept));
        }
    }
    changes
}

/// A `:`-separated path list without the entries inside `directories`; `None` when nothing
/// is left.
fn without_directories(list: &OsString, directories: &[PathBuf]) -> Option<OsString> {
    let kept: Vec<PathBuf> = std::env::split_paths(list)
        .filter(|entry| !directories.iter().any(|dir| entry.starts_with(dir)))
        .collect();
    if kept.is_empty() {
        return None;
    }
    std::env::join_paths(kept).ok()
}

/// A `cargo` command run from the workspace root, in the learner's environment.
pub fn cargo_command(root: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(root);
    for (name, value) in learner_environment(&Environment::of_this_process()) {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command
}

/// `cargo build -p PACKAGE --test E1 --test E2 ... --keep-going --message-format json`.
pub fn build_command(lesson: &Lesson, code: Code, root: &Path, verbose: bool) -> Command {
    let mut command = cargo_command(root);
    command
        .env("CARGO_TERM_COLOR", "never")
        .args(["build", "-p", lesson.package]);
    for exercise in lesson.exercises {
        command.args(["--test", exercise.name]);
    }
    command.args(["--keep-going", "--message-format", "json"]);
    if code == Code::Reference {
        command.args(["--features", "reference"]);
    }
    if verbose {
        command.arg("--verbose");
    }
    command
}

/// What one build produced.
#[derive(Debug, Default)]
pub struct Build {
    /// Each test target that compiled, by name (the exercise's name), with its executable.
    pub executables: BTreeMap<String, PathBuf>,
    /// The compiler's error messages, by the name of the target they stopped.
    pub errors: BTreeMap<String, Vec<String>>,
    /// True when cargo said the whole build succeeded.
    pub succeeded: bool,
    /// Cargo's own standard error: progress lines and its messages.
    pub stderr: String,
}

/// Runs the build command to its end; with `echo_stderr`, cargo's standard error is also
/// copied to the checker's as it arrives (for `--verbose`).
pub fn run_build(mut command: Command, echo_stderr: bool) -> io::Result<Build> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take();
    let stderr_reader = thread::spawn(move || read_stderr(stderr, echo_stderr));
    let mut build = Build::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            read_message(&line?, &mut build);
        }
    }
    child.wait()?;
    build.stderr = stderr_reader.join().unwrap_or_default();
    Ok(build)
}

/// Reads a pipe to its end as text, copying each line to standard error when asked.
fn read_stderr(pipe: Option<impl Read>, echo: bool) -> String {
    let Some(pipe) = pipe else {
        return String::new();
    };
    let mut text = String::new();
    for line in BufReader::new(pipe).lines().map_while(Result::ok) {
        if echo {
            eprintln!("{line}");
        }
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// Takes what matters from one line of cargo's JSON messages.
fn read_message(line: &str, build: &mut Build) {
    let Ok(message) = serde_json::from_str::<Value>(line) else {
        return;
    };
    let target = message["target"]["name"].as_str().unwrap_or("").to_string();
    match message["reason"].as_str() {
        Some("compiler-artifact") => {
            let is_test = message["profile"]["test"].as_bool() == Some(true);
            if let (true, Some(path)) = (is_test, message["executable"].as_str()) {
                build.executables.insert(target, PathBuf::from(path));
            }
        }
        Some("compiler-message") => {
            let diagnostic = &message["message"];
            let text = diagnostic["message"].as_str().unwrap_or("");
            let is_error = diagnostic["level"].as_str() == Some("error");
            if is_error && !text.starts_with("aborting due to") {
                let rendered = diagnostic["rendered"].as_str().unwrap_or(text);
                build
                    .errors
                    .entry(target)
                    .or_default()
                    .push(rendered.trim_end().to_string());
            }
        }
        Some("build-finished") => build.succeeded = message["success"].as_bool() == Some(true),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn os(text: &str) -> OsString {
        OsString::from(text)
    }

    fn environment(variables: &[(&str, &str)]) -> Environment {
        Environment {
            variables: variables
                .iter()
                .map(|(name, value)| (os(name), os(value)))
                .collect(),
            cargo_directories: vec![
                PathBuf::from("/work/target"),
                PathBuf::from("/home/me/.rustup/toolchains/stable"),
            ],
        }
    }

    #[test]
    fn what_cargo_run_added_is_taken_out_again() {
        let changes = learner_environment(&environment(&[
            ("HOME", "/home/me"),
            ("CARGO", "/home/me/.rustup/toolchains/stable/bin/cargo"),
            ("CARGO_HOME", "/home/me/.cargo"),
            ("CARGO_TARGET_DIR", "/work/target"),
            ("CARGO_MANIFEST_DIR", "/work/crates/homework"),
            ("CARGO_PKG_NAME", "homework"),
            ("CARGO_PKG_VERSION_MAJOR", "0"),
            (
                "LD_LIBRARY_PATH",
                "/work/target/debug/deps:/home/me/.rustup/toolchains/stable/lib:/opt/mine/lib",
            ),
        ]));
        assert_eq!(
            changes,
            [
                (os("CARGO"), None),
                (os("CARGO_MANIFEST_DIR"), None),
                (os("CARGO_PKG_NAME"), None),
                (os("CARGO_PKG_VERSION_MAJOR"), None),
                (os("LD_LIBRARY_PATH"), Some(os("/opt/mine/lib"))),
            ]
        );
    }

    #[test]
    fn a_library_path_of_cargo_s_only_goes_entirely() {
        let changes = learner_environment(&environment(&[
            ("CARGO_MANIFEST_DIR", "/work/crates/homework"),
            (
                "LD_LIBRARY_PATH",
                "/work/target/debug:/work/target/debug/deps",
            ),
        ]));
        assert_eq!(changes[1], (os("LD_LIBRARY_PATH"), None));
    }

    #[test]
    fn nothing_changes_when_the_checker_was_not_started_by_cargo() {
        let changes = learner_environment(&environment(&[
            ("LD_LIBRARY_PATH", "/work/target/debug"),
            ("CARGO_PKG_NAME", "something"),
        ]));
        assert!(changes.is_empty(), "{changes:?}");
    }

    #[test]
    fn cargo_messages_give_executables_and_errors_by_target() {
        let lines = [
            r#"{"reason":"compiler-artifact","target":{"name":"head_end"},"profile":{"test":true},"executable":"/t/debug/deps/head_end-1"}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"lesson01-echo"},"profile":{"test":false},"executable":"/t/debug/lesson01-echo"}"#,
            r#"{"reason":"compiler-message","target":{"name":"hello_response"},"message":{"level":"warning","message":"unused","rendered":"warning: unused\n"}}"#,
            r#"{"reason":"compiler-message","target":{"name":"hello_response"},"message":{"level":"error","message":"mismatched types","rendered":"error[E0308]: mismatched types\n --> a.rs:1:2\n\n"}}"#,
            r#"{"reason":"compiler-message","target":{"name":"hello_response"},"message":{"level":"error","message":"aborting due to 1 previous error","rendered":"error: aborting due to 1 previous error\n"}}"#,
            r#"{"reason":"build-finished","success":false}"#,
            "not json at all",
        ];
        let mut build = Build::default();
        for line in lines {
            read_message(line, &mut build);
        }
        assert_eq!(
            build.executables.into_iter().collect::<Vec<_>>(),
            [(
                "head_end".to_string(),
                PathBuf::from("/t/debug/deps/head_end-1")
            )]
        );
        assert_eq!(
            build.errors["hello_response"],
            ["error[E0308]: mismatched types\n --> a.rs:1:2"]
        );
        assert!(!build.succeeded);
    }

    #[test]
    fn the_build_names_every_exercise_and_keeps_going() {
        let lesson = crate::catalog::find_lesson("lesson02").unwrap();
        let command = build_command(lesson, Code::Reference, Path::new("/w"), false);
        let args: Vec<String> = command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args.join(" "),
            "build -p lesson02-http --test request_line --test safe_path --test listing_entry \
             --keep-going --message-format json --features reference"
        );
        assert_eq!(command.get_current_dir(), Some(Path::new("/w")));
    }
}
