//! The homework checker: `cargo run -p homework -- <command>`.
//!
//! Learners run `check` to see which exercises of a lesson pass, with the first failing
//! assertion in plain words and a hint; instructors add `--json` for an autograder, or `--url`
//! to run a lesson's black-box HTTP checks against any running server, in any language
//! (`--url https://... --cacert FILE` over TLS, trusting only the certificate in `FILE`).
//!
//! # Layout
//!
//! - [`catalog`] — every lesson and exercise, with hints: the one place that names them.
//! - [`stubs`] — turns a reference solution into the learner's stub.
//! - [`runner`] — runs a lesson's exercise tests with `cargo test` and reads the results.
//! - [`blackbox`] — HTTP-level checks of a lesson against a URL, showing the bytes exchanged.
//! - [`report`] — results as text for people, or JSON for machines.
//! - [`terminal`] — text made safe to print: nothing a server sent can act on the terminal.
//! - [`progress`] — the learner's progress, kept in one small git-ignored file.
//! - [`commands`] — `check`, `list`, `hint`, `reset`, `watch` and `verify`.
//! - [`workspace`] — where the workbench is on disk, and how paths into it are shown.
//!
//! # How an exercise is laid out
//!
//! For exercise `E` of a lesson whose package is `P` (say `request_line` of `lesson02-http`):
//!
//! - `lessons/P/exercises/solutions/E.rs` is the reference solution and the single source of
//!   truth. Code only the solution has is fenced by two marker lines:
//!
//!   ```text
//!   // ANCHOR: solution stub: todo!("split the line at single spaces")
//!   ...the solution's lines...
//!   // ANCHOR_END: solution
//!   ```
//!
//!   The markers are mdBook anchors, so they vanish from every book page that includes the
//!   file by anchor. What the book shows of an exercise is fenced by `// ANCHOR: exercise` and
//!   `// ANCHOR_END: exercise`.
//! - `lessons/P/exercises/E.rs` is the learner's file: the solution with each fenced region
//!   replaced by the text after `stub:`, at the marker's indentation. `reset E` writes it
//!   again; `verify` checks that the committed copy is exactly what the solution generates.
//! - `lessons/P/tests/exercises/E.rs` holds E's tests, and is a test target of its own
//!   (`[[test]] name = "E"` in the lesson's `Cargo.toml`), so that each exercise compiles and
//!   runs apart from the others. It includes the code under test as a child module — the
//!   learner's file, or the solution when the package's `reference` feature is on:
//!
//!   ```text
//!   #[cfg_attr(not(feature = "reference"), path = "../../exercises/E.rs")]
//!   #[cfg_attr(feature = "reference", path = "../../exercises/solutions/E.rs")]
//!   mod code;
//!   ```
//!
//!   Every test is `#[ignore = "homework: cargo run -p homework -- check lessonNN"]`, so
//!   `cargo test --workspace` stays green while stubs are untouched, and lists the checks as
//!   ignored. Tests use `assert_eq!(got, expected, "what was called")`: the checker shows the
//!   message, then `expected` (the right side) and `got` (the left side).

/// `print!` for the checker: a reader that went away (`check | head`) ends the program quietly.
macro_rules! out {
    ($($arg:tt)*) => { $crate::emit(&format!($($arg)*)) };
}

/// `println!` for the checker; see [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::emit(&format!("{}\n", format_args!($($arg)*))) };
}

mod blackbox;
mod catalog;
mod commands;
mod progress;
mod report;
mod runner;
mod stubs;
mod terminal;
mod workspace;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

/// Check your homework for the web-server workbench.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Print machine-readable JSON instead of text (for autograders).
    #[arg(long, global = true)]
    json: bool,

    /// Also show what cargo does: every crate it compiles, or finds fresh.
    #[arg(long, short, global = true)]
    verbose: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a lesson's exercise tests against your code (default: your current lesson), or with
    /// --url its black-box HTTP checks against a running server.
    Check {
        /// The lesson: `lesson02`, `2` or `lesson02-http`.
        lesson: Option<String>,
        /// Check the server at this URL over HTTP instead of running the exercise tests
        /// (`https://` needs --cacert).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// For an https:// URL: the certificate to trust (PEM), and the only one trusted —
        /// what `cargo run -p lesson08-tls -- --write-cert FILE` saves.
        #[arg(long, value_name = "FILE", requires = "url")]
        cacert: Option<PathBuf>,
        /// Show every failing check, not only the first of each exercise or group.
        #[arg(long)]
        all: bool,
        /// How long one exercise's tests may run before they are stopped.
        #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
        timeout: u64,
    },
    /// List every lesson and exercise with your progress.
    List,
    /// Show the hint of an exercise.
    Hint {
        /// The exercise, e.g. `request_line` or `lesson02/request_line`.
        exercise: String,
    },
    /// Put an exercise's file back as it was at the start, keeping a backup of yours.
    Reset {
        /// The exercise, e.g. `request_line`.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        exercise: Option<String>,
        /// Reset every exercise of every lesson (asks first).
        #[arg(long)]
        all: bool,
        /// Do not ask before resetting everything.
        #[arg(long, requires = "all")]
        yes: bool,
    },
    /// Re-check your current lesson every time you save, moving on as exercises pass.
    Watch {
        /// The lesson to start with (default: your current lesson).
        lesson: Option<String>,
        /// How long one exercise's tests may run before they are stopped.
        #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
        timeout: u64,
    },
    /// For CI and instructors: every stub matches its solution, every solution passes, every
    /// untouched stub fails, and the tests catch each exercise's plausible wrong answers.
    Verify {
        /// One lesson only (default: every lesson).
        lesson: Option<String>,
    },
}

/// Writes to standard output. When the reader has gone (a closed pipe), exits at once with
/// the status a shell gives a program stopped by SIGPIPE, instead of panicking as `print!` does.
fn emit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        std::process::exit(141);
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let detail = |all: bool| {
        if all {
            report::Detail::AllFailures
        } else {
            report::Detail::FirstFailure
        }
    };
    match args.command {
        Command::Check {
            lesson,
            url: None,
            all,
            timeout,
            ..
        } => {
            let settings = commands::CheckSettings {
                json: args.json,
                detail: detail(all),
                deadline: Duration::from_secs(timeout),
                verbose: args.verbose,
            };
            commands::check(lesson.as_deref(), &settings)
        }
        Command::Check {
            lesson,
            url: Some(url),
            cacert,
            all,
            ..
        } => commands::check_url(
            lesson.as_deref(),
            &url,
            cacert.as_deref(),
            args.json,
            detail(all),
        ),
        Command::List => commands::list(args.json),
        Command::Hint { exercise } => commands::hint(&exercise),
        Command::Reset {
            exercise: Some(exercise),
            ..
        } => commands::reset(&exercise),
        Command::Reset {
            exercise: None,
            yes,
            ..
        } => commands::reset_all(yes),
        Command::Watch { lesson, timeout } => commands::watch(
            lesson.as_deref(),
            Duration::from_secs(timeout),
            args.verbose,
        ),
        Command::Verify { lesson } => commands::verify(lesson.as_deref(), args.json, args.verbose),
    }
}
