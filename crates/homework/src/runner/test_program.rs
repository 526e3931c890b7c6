//! Runs one exercise's test program, with a deadline and a way to stop it early.
//!
//! A learner's code can loop forever (`loop {}`), or block on a read that never returns, and
//! a test program does not stop by itself: libtest only prints that a test "has been running
//! for over 60 seconds". So the checker runs each exercise's test executable itself, looks at
//! it every few milliseconds, and kills it once the exercise's [deadline](RunLimits::deadline)
//! has passed. The test it was running is the unfinished last line of its output, which
//! libtest prints before running each test (`test NAME ... `) when tests run on one thread.
//!
//! `watch` also needs to stop a check as soon as a file is saved: [`RunLimits::stop`] is a
//! flag it raises from another thread, seen here within one look.

use std::io::{self, Read};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often a running test program is looked at: often enough that a quick exercise costs
/// no noticeable wait, rarely enough to cost nothing.
const LOOK_INTERVAL: Duration = Duration::from_millis(5);

/// A flag another thread raises to stop the check under way (`watch`, on a save).
pub type StopFlag = Arc<AtomicBool>;

/// How long an exercise's tests may run, and what may stop them sooner.
#[derive(Debug, Clone)]
pub struct RunLimits {
    /// How long one exercise's test program may run before it is killed.
    pub deadline: Duration,
    /// Raised when the check is no longer wanted.
    pub stop: Option<StopFlag>,
}

impl RunLimits {
    /// True when the check was asked to stop.
    pub fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }
}

/// How a test program's run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// It exited by itself (all tests ran, some failed, or it crashed).
    Exited,
    /// It was still running at the deadline and was killed.
    TimedOut,
    /// The check was stopped from outside before the program ended; it was killed.
    Stopped,
}

/// What a test program printed, and how it ended.
#[derive(Debug)]
pub struct ProgramRun {
    /// Its standard output: libtest's report.
    pub stdout: String,
    /// Its standard error: a crash's messages.
    pub stderr: String,
    /// How it ended.
    pub ending: Ending,
    /// Its exit status, when it exited by itself.
    pub status: Option<ExitStatus>,
}

/// The arguments that make libtest run every homework test (they are `#[ignore]`d until the
/// learner asks), one at a time so each is named before it runs, in its stable text format.
pub const TEST_ARGUMENTS: &[&str] = &[
    "--include-ignored",
    "--test-threads=1",
    "--format",
    "pretty",
    "--color",
    "never",
];

/// Runs the test executable `program` from `directory` (its package's, as `cargo test`
/// would), within `limits`.
pub fn run_test_program(
    program: &Path,
    directory: &Path,
    limits: &RunLimits,
) -> io::Result<ProgramRun> {
    let mut child = Command::new(program)
        .args(TEST_ARGUMENTS)
        .current_dir(directory)
        .env("RUST_BACKTRACE", "0")
        .env("CARGO_MANIFEST_DIR", directory)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let readers = [
        collect(child.stdout.take(), Arc::clone(&stdout)),
        collect(child.stderr.take(), Arc::clone(&stderr)),
    ];
    let started = Instant::now();
    let mut status = None;
    let ending = loop {
        if let Some(exited) = child.try_wait()? {
            status = Some(exited);
            break Ending::Exited;
        }
        let ending = if limits.stopped() {
            Ending::Stopped
        } else if started.elapsed() >= limits.deadline {
            Ending::TimedOut
        } else {
            thread::sleep(LOOK_INTERVAL);
            continue;
        };
        // It may have exited a moment ago; then killing fails harmlessly.
        let _ = child.kill();
        child.wait()?;
        break ending;
    };
    finish_reading(readers);
    let text = |bytes: &Mutex<Vec<u8>>| String::from_utf8_lossy(&lock(bytes)).into_owned();
    Ok(ProgramRun {
        stdout: text(&stdout),
        stderr: text(&stderr),
        ending,
        status,
    })
}

/// How long the output of a program that ended may still take to arrive: only a child the
/// program started, still holding its pipes, makes it take longer.
const LAST_OUTPUT_WAIT: Duration = Duration::from_secs(1);

/// Waits until the readers have taken everything, or for [`LAST_OUTPUT_WAIT`] at most.
fn finish_reading(readers: [JoinHandle<()>; 2]) {
    let started = Instant::now();
    while readers.iter().any(|reader| !reader.is_finished()) && started.elapsed() < LAST_OUTPUT_WAIT
    {
        thread::sleep(LOOK_INTERVAL);
    }
}

/// Locks a buffer even if a reader thread panicked while holding it.
fn lock(buffer: &Mutex<Vec<u8>>) -> MutexGuard<'_, Vec<u8>> {
    buffer
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Copies everything from a pipe into a shared buffer, on a thread. The pipe ends when the
/// program does (killed or not), unless a child it started still holds it; see
/// [`finish_reading`].
fn collect(pipe: Option<impl Read + Send + 'static>, sink: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    thread::spawn(move || {
        let Some(mut pipe) = pipe else { return };
        let mut chunk = [0u8; 8192];
        while let Ok(count @ 1..) = pipe.read(&mut chunk) {
            lock(&sink).extend_from_slice(&chunk[..count]);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(deadline: Duration) -> RunLimits {
        RunLimits {
            deadline,
            stop: None,
        }
    }

    #[test]
    fn a_program_that_ends_is_read_whole() {
        let run = run_test_program(Path::new("echo"), Path::new("/"), &limits(Duration::MAX));
        let run = run.unwrap();
        assert_eq!(run.ending, Ending::Exited);
        assert!(
            run.stdout.starts_with("--include-ignored"),
            "{}",
            run.stdout
        );
    }

    /// A stand-in for a test program stuck in its test `stuck`, in a directory of its own.
    fn stuck_program(label: &str) -> (std::path::PathBuf, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("homework-{label}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("forever.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\nprintf 'test stuck ... '\nexec sleep 60\n",
        )
        .unwrap();
        let chmod = Command::new("chmod").arg("+x").arg(&script).status();
        assert!(chmod.unwrap().success());
        (dir, script)
    }

    #[test]
    fn a_program_past_its_deadline_is_killed() {
        let (dir, script) = stuck_program("deadline");
        let started = Instant::now();
        let run = run_test_program(&script, &dir, &limits(Duration::from_millis(300))).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(run.ending, Ending::TimedOut);
        assert_eq!(run.stdout, "test stuck ... ");
        // Bounded: the 60 s sleep was cut short (a generous bound, not a timing claim).
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn a_raised_stop_flag_stops_the_program() {
        let (dir, script) = stuck_program("stop");
        let flag: StopFlag = Arc::new(AtomicBool::new(false));
        let limits = RunLimits {
            deadline: Duration::MAX,
            stop: Some(Arc::clone(&flag)),
        };
        let raiser = thread::spawn(move || {
            thread::sleep(Duration::from_millis(200));
            flag.store(true, Ordering::Relaxed);
        });
        let run = run_test_program(&script, &dir, &limits).unwrap();
        raiser.join().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(run.ending, Ending::Stopped);
        assert_eq!(run.stdout, "test stuck ... ");
    }
}
