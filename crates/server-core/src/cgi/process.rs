//! Running one script: a child process with three pipes, a time limit and a reaper (RFC 3875 §4.2, §7).
//!
//! What it teaches: the script is a separate program. The server starts it, writes the
//! request body into its standard input, reads the response from its standard output, and
//! copies its standard error into the log — it never hands the script the client's socket.
//! That is the lesson of chapter 3's TLS story: a script that writes straight to the socket
//! works over plain TCP and breaks the day the socket is encrypted, while a script whose
//! output the server relays works over anything.
//!
//! How one script runs ([`start`]):
//! - The program is started directly (no shell), with an environment built from scratch
//!   (`env_clear`, then the meta-variables), in the script's own folder, in a process group
//!   of its own, and as user `nobody` when the server runs as root ([`super::RunAs`]).
//! - Descriptors: the child gets stdin, stdout and stderr. The standard library opens every
//!   descriptor — sockets, files, pipes — with close-on-exec, and so do the crates the server
//!   uses, so the client's socket, the listener and the pipes of other scripts all close
//!   when the program starts. A descriptor the *server* inherited without close-on-exec from
//!   whatever started it (a build tool's jobserver pipe, a test harness's file) would be
//!   passed on too, so a CGI server calls [`close_inherited_descriptors`] first thing in
//!   `main`. A server started as root gives root up for good once its port is open
//!   ([`drop_privileges`]), so scripts start with `posix_spawn` (no fork of the server) as its
//!   own user; only a host that is still root sets `uid`/`gid` between fork and exec.
//! - Standard input is the request body, already complete ([`ScriptInput`]): nothing at all
//!   (`/dev/null`), bytes in memory written by a feeder thread, or an unnamed temporary file
//!   the script reads directly. Because the body is complete before the script starts, a
//!   script that prints a lot before it reads its input can never deadlock against us.
//! - Standard output is read by a *pump* thread into a small bounded channel; the response
//!   body ([`ScriptOutput`]) reads the channel with a deadline, so even a process that
//!   escaped our process group cannot hold a connection thread forever.
//! - Standard error is read line by line by a *logger* thread into the server log, escaped,
//!   never to the client; after [`MAX_STDERR_LINES`] lines the rest is counted, not logged.
//! - A *reaper* thread waits for the child from the start, so every child is reaped the
//!   moment it exits, whatever happens to the response, and logs a non-zero exit status.
//! - A *watchdog* thread enforces the time limit. Past it — or as soon as the response is
//!   abandoned, because the client went away — it sends SIGTERM to the whole process group
//!   (the script and anything it started), waits [`TERM_GRACE`], then sends SIGKILL. The
//!   watchdog holds the script's slot ([`SlotPermit`]) until the script is gone.
//! - Every helper is reserved *before* the child ([`super::helpers`]): a thread of the pool
//!   that waits for work, or a new one when none waits, so once a child exists nothing can
//!   fail to start and leave it unreaped. A helper whose script is done waits for the next
//!   script instead of ending: starting and ending four threads per script cost about half
//!   of the server's processor time on a short script.
//!
//! Signals use the `nix` crate: safe wrappers over `killpg(2)` and `geteuid(2)`, because this
//! workspace forbids `unsafe` code and the standard library can only SIGKILL the script
//! itself (`Child::kill`), not SIGTERM its whole process group.
//!
//! Honest caveat: a process that leaves our process group (`setsid`) survives the kill; it
//! cannot hold a connection (see the deadline above), but it keeps running.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use super::RunAs;
use super::env::MetaVariable;
use super::helpers::{HELPERS, Helper};
use crate::access_log;

/// How long a script has to exit after SIGTERM before it gets SIGKILL.
pub const TERM_GRACE: Duration = Duration::from_secs(2);
/// Most stderr lines of one script copied to the log.
pub const MAX_STDERR_LINES: usize = 200;
/// Longest stderr line logged in one piece; longer lines are split.
const MAX_STDERR_LINE: usize = 4096;
/// Size of each piece of output the pump passes on.
const PIECE: usize = 16 * 1024;
/// Pieces that may wait in the channel: a slow client holds at most this much in memory.
const PIECES_IN_FLIGHT: usize = 4;

/// The request body, complete, as the script will read it.
#[derive(Debug)]
pub enum ScriptInput {
    /// No body: the script's stdin is `/dev/null`.
    Empty,
    /// A small body, written into a pipe by a feeder thread.
    Memory(Vec<u8>),
    /// A large body in an unnamed temporary file, positioned at its start.
    File(File),
}

impl ScriptInput {
    /// The spooled body as something to read (lesson 05's gateway reads it in-process).
    pub fn into_reader(self) -> Box<dyn Read + Send> {
        match self {
            ScriptInput::Empty => Box::new(io::empty()),
            ScriptInput::Memory(bytes) => Box::new(io::Cursor::new(bytes)),
            ScriptInput::File(file) => Box::new(file),
        }
    }
}

/// Everything needed to start one script.
#[derive(Debug)]
pub struct Launch {
    /// The program to run: the script's canonical path.
    pub program: PathBuf,
    /// Its command-line arguments (RFC 3875 §4.4; usually none).
    pub arguments: Vec<OsString>,
    /// Its whole environment: the meta-variables.
    pub environment: Vec<MetaVariable>,
    /// Its working directory: the script's folder, as RFC 3875 §7.2 asks on Unix.
    pub directory: PathBuf,
    /// Its standard input.
    pub input: ScriptInput,
    /// The user it runs as.
    pub run_as: RunAs,
    /// How long it may run.
    pub timeout: Duration,
    /// How the log names it: the script's URL path.
    pub label: String,
    /// The client, for the log lines.
    pub client: SocketAddr,
}

// ANCHOR: slots
/// The cap on scripts running at once: each running script holds a [`SlotPermit`].
#[derive(Debug)]
pub struct Slots {
    /// Most scripts at once.
    max: usize,
    /// Scripts holding a permit now.
    running: Mutex<usize>,
}

impl Slots {
    /// A cap of `max` scripts (at least one).
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Slots {
            max: max.max(1),
            running: Mutex::new(0),
        })
    }

    /// A permit, or `None` when `max` scripts are already running.
    pub fn try_acquire(self: &Arc<Self>) -> Option<SlotPermit> {
        let mut running = lock(&self.running);
        if *running >= self.max {
            return None;
        }
        *running += 1;
        Some(SlotPermit(Arc::clone(self)))
    }

    /// Scripts running now.
    pub fn running(&self) -> usize {
        *lock(&self.running)
    }
}

/// One running script's place under the cap; dropping it frees the place.
#[derive(Debug)]
pub struct SlotPermit(Arc<Slots>);

impl Drop for SlotPermit {
    fn drop(&mut self) {
        *lock(&self.0.running) -= 1;
    }
}
// ANCHOR_END: slots

/// Locks a mutex, ignoring poisoning: the data here stays consistent if a thread panics.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why the watchdog stopped a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StopReason {
    /// It ran past its time limit.
    Timeout,
    /// Its response was abandoned: the client went away, or the output was refused.
    Abandoned,
}

/// How the script's standard output ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutputEnd {
    /// The script closed it: the output is complete.
    Complete,
    /// It ended because the script was stopped, or could not be read: the output is cut.
    Cut,
}

/// What the helper threads know about one script, shared between them.
#[derive(Debug, Default)]
struct Progress {
    /// Set by the reaper once the child has been waited for.
    exited: Option<ExitStatus>,
    /// Set by the pump once standard output has ended.
    output_end: Option<OutputEnd>,
    /// Set by the response when it is dropped before the end: stop the script now.
    abandoned: bool,
    /// Set by the watchdog when it stops the script, before the first signal.
    stopped: Option<StopReason>,
}

/// The shared state of one script, and the process group to signal.
#[derive(Debug)]
struct Supervisor {
    /// The child's process id, which is also its process group id.
    pgid: Pid,
    /// The time limit, for messages.
    timeout: Duration,
    /// When the time limit ends.
    deadline: Instant,
    /// What the threads know.
    progress: Mutex<Progress>,
    /// Signalled whenever `progress` changes.
    changed: Condvar,
}

impl Supervisor {
    fn new(pid: u32, timeout: Duration) -> Self {
        Supervisor {
            pgid: Pid::from_raw(i32::try_from(pid).unwrap_or(i32::MAX)),
            timeout,
            deadline: Instant::now() + timeout,
            progress: Mutex::new(Progress::default()),
            changed: Condvar::new(),
        }
    }

    fn update(&self, change: impl FnOnce(&mut Progress)) {
        change(&mut lock(&self.progress));
        self.changed.notify_all();
    }

    fn progress(&self) -> MutexGuard<'_, Progress> {
        lock(&self.progress)
    }

    /// Waits until `done` holds or `until` passes; returns whether `done` holds.
    fn wait_for(&self, until: Instant, done: impl Fn(&Progress) -> bool) -> bool {
        let mut progress = self.progress();
        loop {
            if done(&progress) {
                return true;
            }
            let now = Instant::now();
            if now >= until {
                return false;
            }
            progress = self
                .changed
                .wait_timeout(progress, until - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Signals the whole process group; a group that is already gone is fine.
    fn signal(&self, signal: Signal) {
        let _ = killpg(self.pgid, signal);
    }
}

/// Why a script could not be started.
#[derive(Debug)]
pub enum StartError {
    /// The operating system would not run the program: a bad `#!` line, a missing
    /// interpreter, a file that is not a program, no permission.
    Spawn(io::Error),
    /// No helper thread could be started to watch it (the machine is out of resources).
    Threads(io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Spawn(err) => {
                write!(
                    f,
                    "the script could not be started ({err}): {}",
                    spawn_hint(err)
                )
            }
            StartError::Threads(err) => {
                write!(f, "no thread could be started for the script: {err}")
            }
        }
    }
}

impl std::error::Error for StartError {}

/// What usually causes each way a program fails to start.
fn spawn_hint(err: &io::Error) -> &'static str {
    if err.raw_os_error() == Some(nix::errno::Errno::ENOEXEC as i32) {
        return "the file is not a program and does not start with a #! line";
    }
    match err.kind() {
        io::ErrorKind::NotFound => {
            "the interpreter named on its first line (#!/path/to/interpreter) does not exist"
        }
        io::ErrorKind::PermissionDenied => {
            "the user scripts run as may not enter a folder above the script, \
             or may not read and execute the script or its interpreter"
        }
        _ => "check its first line (#!/path/to/interpreter) and its permissions",
    }
}

// ANCHOR: start
/// Starts a script; its output is read from the returned [`ScriptOutput`].
pub fn start(mut launch: Launch, permit: SlotPermit) -> Result<ScriptOutput, StartError> {
    let input = std::mem::replace(&mut launch.input, ScriptInput::Empty);
    let needs_feeder = matches!(input, ScriptInput::Memory(_));
    let helpers = Helpers::reserve(needs_feeder).map_err(StartError::Threads)?;
    let (stdin, body) = match input {
        ScriptInput::Empty => (Stdio::null(), None),
        ScriptInput::Memory(bytes) => (Stdio::piped(), Some(bytes)),
        ScriptInput::File(file) => (Stdio::from(file), None),
    };
    let child = command(&launch)
        .stdin(stdin)
        .spawn()
        .map_err(StartError::Spawn)?;

    // From here on nothing can fail: every helper thread is already waiting for its job.
    let supervisor = Arc::new(Supervisor::new(child.id(), launch.timeout));
    let log = ScriptLog {
        label: launch.label,
        client: launch.client,
    };
    let pieces = helpers.run(child, body, &supervisor, permit, log);
    Ok(ScriptOutput {
        pieces,
        piece: Vec::new(),
        read_at: 0,
        supervisor,
        ended: false,
        discard_on_drop: false,
    })
}
// ANCHOR_END: start

/// The helper threads of one script, reserved before the script starts.
struct Helpers {
    /// Writes a body held in memory into stdin (only for such bodies).
    feeder: Option<Helper>,
    /// Copies stdout into the channel the response reads.
    pump: Helper,
    /// Copies stderr into the log.
    logger: Helper,
    /// Waits for the child.
    reaper: Helper,
    /// Enforces the time limit and stops abandoned scripts.
    watchdog: Helper,
}

impl Helpers {
    fn reserve(needs_feeder: bool) -> io::Result<Helpers> {
        let feeder = match needs_feeder {
            true => Some(HELPERS.reserve()?),
            false => None,
        };
        Ok(Helpers {
            feeder,
            pump: HELPERS.reserve()?,
            logger: HELPERS.reserve()?,
            reaper: HELPERS.reserve()?,
            watchdog: HELPERS.reserve()?,
        })
    }

    /// Gives every helper its job; returns the channel the script's output arrives on.
    fn run(
        self,
        mut child: Child,
        body: Option<Vec<u8>>,
        supervisor: &Arc<Supervisor>,
        permit: SlotPermit,
        log: ScriptLog,
    ) -> Receiver<Vec<u8>> {
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        if let (Some(feeder), Some(stdin), Some(body)) = (self.feeder, child.stdin.take(), body) {
            feeder.run(move || feed(stdin, &body));
        }
        let (sender, receiver) = mpsc::sync_channel(PIECES_IN_FLIGHT);
        let shared = Arc::clone(supervisor);
        self.pump.run(move || pump_output(stdout, &sender, &shared));
        let stderr_log = log.clone();
        self.logger.run(move || log_stderr(stderr, &stderr_log));
        let (shared, reaper_log) = (Arc::clone(supervisor), log.clone());
        self.reaper.run(move || reap(child, &shared, &reaper_log));

        let shared = Arc::clone(supervisor);
        self.watchdog.run(move || watch(&shared, permit, &log));
        receiver
    }
}

/// How a script's log lines are labelled: the client's address and the script's path.
#[derive(Debug, Clone)]
struct ScriptLog {
    /// The script's URL path.
    label: String,
    /// The client whose request runs it.
    client: SocketAddr,
}

impl ScriptLog {
    fn write(&self, message: &str) {
        access_log::log_message(Some(self.client), &format!("{}: {message}", self.label));
    }
}

// ANCHOR: command
/// The command for a script: no shell, a clean environment, its own folder and process group.
fn command(launch: &Launch) -> Command {
    let mut command = Command::new(&launch.program);
    command
        .args(&launch.arguments)
        .env_clear()
        .envs(
            launch
                .environment
                .iter()
                .map(|(name, value)| (name, OsStr::from_bytes(value))),
        )
        .current_dir(&launch.directory)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    // A server that already became this user (see [`drop_privileges`]) starts the script as
    // itself: the standard library can then use posix_spawn instead of fork.
    if let RunAs::User { uid, gid } = launch.run_as
        && nix::unistd::geteuid().as_raw() != uid
    {
        command.uid(uid).gid(gid);
    }
    command
}

// ANCHOR: drop_privileges
/// Makes the whole server `run_as` for good: no supplementary groups, then the group, then
/// the user (in that order: once the user is not root, the group cannot change). Call it after
/// the listening socket is open and before any thread starts. Does nothing for
/// [`RunAs::ServerUser`] or when the server is not root.
///
/// Why: a server that runs its scripts as `nobody` but stays root itself must *fork* for every
/// script (a user change happens between fork and exec), and after a fork every page the
/// server writes is copied on first touch — measured on two cores, 570 scripts per second
/// instead of 1,400. A server that is `nobody` already starts scripts with `posix_spawn`,
/// which shares memory with the server until the exec. And the part that parses what
/// strangers send no longer runs as root — the reason nginx and Apache drop root too.
pub fn drop_privileges(run_as: RunAs) -> io::Result<()> {
    let RunAs::User { uid, gid } = run_as else {
        return Ok(());
    };
    if !nix::unistd::geteuid().is_root() {
        return Ok(());
    }
    let gid = nix::unistd::Gid::from_raw(gid);
    nix::unistd::setgroups(&[gid]).map_err(io::Error::from)?;
    nix::unistd::setgid(gid).map_err(io::Error::from)?;
    nix::unistd::setuid(nix::unistd::Uid::from_raw(uid)).map_err(io::Error::from)?;
    Ok(())
}
// ANCHOR_END: drop_privileges
// ANCHOR_END: command

/// The feeder: writes the body into the script's stdin, then closes it (end of file).
/// A script that exits without reading makes the write fail; that is not our problem.
fn feed(mut stdin: std::process::ChildStdin, body: &[u8]) {
    let _ = stdin.write_all(body);
}

// ANCHOR: pump
/// The pump: copies stdout into the channel. Once nobody listens any more, it keeps reading
/// and discards, so the script never blocks on a full pipe.
fn pump_output(stdout: Option<ChildStdout>, pieces: &SyncSender<Vec<u8>>, supervisor: &Supervisor) {
    let mut listening = true;
    if let Some(mut stdout) = stdout {
        // On the helper's stack: each piece is then allocated at the size actually read.
        let mut buffer = [0u8; PIECE];
        loop {
            match stdout.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    listening = listening && pieces.send(buffer[..n].to_vec()).is_ok();
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    supervisor.update(|p| p.output_end = Some(OutputEnd::Cut));
                    return;
                }
            }
        }
    }
    supervisor.update(|p| {
        let end = if p.stopped.is_some() {
            OutputEnd::Cut
        } else {
            OutputEnd::Complete
        };
        p.output_end = Some(end);
    });
}
// ANCHOR_END: pump

// ANCHOR: reaper
/// The reaper: waits for the child as soon as it exits, so it never lingers as a zombie, and
/// logs an unexpected exit status.
fn reap(mut child: Child, supervisor: &Supervisor, log: &ScriptLog) {
    let status = child.wait();
    let stopped = supervisor.progress().stopped;
    if let (Ok(status), None) = (&status, stopped) {
        if !status.success() {
            log.write(&describe_exit(*status));
        }
    }
    let status = status.unwrap_or_else(|_| ExitStatus::from_raw(0));
    supervisor.update(|p| p.exited = Some(status));
}
// ANCHOR_END: reaper

/// "exited with status 3" or "was killed by signal 9".
fn describe_exit(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("the script exited with status {code}"),
        (None, Some(signal)) => format!("the script was killed by signal {signal}"),
        _ => "the script ended abnormally".to_string(),
    }
}

/// The logger: logs each stderr line, escaped, up to [`MAX_STDERR_LINES`], and reads the
/// rest to the end (a script must never block on a full stderr pipe).
fn log_stderr(stderr: Option<ChildStderr>, log: &ScriptLog) {
    let Some(stderr) = stderr else {
        return;
    };
    // Most scripts write nothing there: a small buffer (long lines still arrive whole).
    let mut reader = BufReader::with_capacity(1024, stderr);
    let mut line = Vec::new();
    let mut logged = 0;
    let mut dropped = 0u64;
    loop {
        line.clear();
        match (&mut reader)
            .take(MAX_STDERR_LINE as u64)
            .read_until(b'\n', &mut line)
        {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if logged < MAX_STDERR_LINES {
            log.write(&String::from_utf8_lossy(
                line.strip_suffix(b"\n").unwrap_or(&line),
            ));
            logged += 1;
        } else {
            dropped += 1;
        }
    }
    if dropped > 0 {
        log.write(&format!("{dropped} more stderr line(s) not logged"));
    }
}

// ANCHOR: watchdog
/// The watchdog: stops the script at its deadline, or as soon as its response is abandoned,
/// unless it has finished (exited, and its output ended) by then. Holds the slot till the end.
fn watch(supervisor: &Supervisor, permit: SlotPermit, log: &ScriptLog) {
    let finished = |p: &Progress| p.exited.is_some() && p.output_end.is_some();
    supervisor.wait_for(supervisor.deadline, |p| finished(p) || p.abandoned);
    let Some(reason) = decide_to_stop(supervisor, finished) else {
        return;
    };
    if reason == StopReason::Timeout {
        log.write(&format!(
            "ran longer than {:?}; stopping it",
            supervisor.timeout
        ));
    }
    supervisor.signal(Signal::SIGTERM);
    if !supervisor.wait_for(Instant::now() + TERM_GRACE, finished) {
        supervisor.signal(Signal::SIGKILL);
        // The slot is freed once the script is really gone (or after one more grace period).
        supervisor.wait_for(Instant::now() + TERM_GRACE, |p| p.exited.is_some());
    }
    drop(permit);
}

/// Records why the script is being stopped, or returns `None` when it has finished after all.
fn decide_to_stop(
    supervisor: &Supervisor,
    finished: impl Fn(&Progress) -> bool,
) -> Option<StopReason> {
    let mut progress = supervisor.progress();
    if finished(&progress) {
        return None;
    }
    let reason = if progress.abandoned {
        StopReason::Abandoned
    } else {
        StopReason::Timeout
    };
    progress.stopped = Some(reason);
    drop(progress);
    supervisor.changed.notify_all();
    Some(reason)
}
// ANCHOR_END: watchdog

// ANCHOR: script_output
/// The script's standard output, as the response body reads it.
///
/// Reading ends with end-of-file when the script closed its output, and with an error when
/// the output was cut (the script was stopped), so that a cut response is never mistaken for
/// a complete one. Dropping it before the end stops the script, unless
/// [`ScriptOutput::discard_rest_on_drop`] was called (for HEAD, 204 and 304 responses, whose
/// bodies are not sent).
pub struct ScriptOutput {
    /// Pieces of output from the pump.
    pieces: Receiver<Vec<u8>>,
    /// The piece being read, and how far.
    piece: Vec<u8>,
    read_at: usize,
    /// The script's shared state.
    supervisor: Arc<Supervisor>,
    /// True once end-of-file or an error was returned.
    ended: bool,
    /// When dropped early, let the script finish (output discarded) instead of stopping it.
    discard_on_drop: bool,
}
// ANCHOR_END: script_output

impl ScriptOutput {
    /// Dropping this output early lets the script run to its end, discarding its output.
    pub fn discard_rest_on_drop(&mut self) {
        self.discard_on_drop = true;
    }

    /// True when the watchdog stopped the script because it ran past its time limit.
    pub fn timed_out(&self) -> bool {
        self.supervisor.progress().stopped == Some(StopReason::Timeout)
    }

    /// Waits for the next piece; `Ok(false)` at a clean end of the output.
    fn next_piece(&mut self) -> io::Result<bool> {
        // The watchdog stops the script at the deadline; this only bounds a wait on a
        // process that escaped the process group and still holds the pipe.
        let limit = self.supervisor.deadline + TERM_GRACE * 2;
        let wait = limit.saturating_duration_since(Instant::now());
        match self.pieces.recv_timeout(wait) {
            Ok(piece) => {
                self.piece = piece;
                self.read_at = 0;
                Ok(true)
            }
            Err(RecvTimeoutError::Disconnected) => {
                let end = self.supervisor.progress().output_end;
                match end {
                    Some(OutputEnd::Complete) => Ok(false),
                    _ => Err(self.cut_error()),
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                self.supervisor.update(|p| p.abandoned = true);
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the script's output stayed open past its time limit",
                ))
            }
        }
    }

    /// The error for an output that ended because the script was stopped.
    fn cut_error(&self) -> io::Error {
        let stopped = self.supervisor.progress().stopped;
        match stopped {
            Some(StopReason::Timeout) => io::Error::new(
                io::ErrorKind::TimedOut,
                "the script ran past its time limit and was stopped",
            ),
            _ => io::Error::other("the script's output was cut off"),
        }
    }
}

impl BufRead for ScriptOutput {
    /// The rest of the current piece, waiting for the next one when it is used up. The pieces
    /// are the buffer: no second buffer, no second copy.
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.read_at == self.piece.len() && !self.ended {
            match self.next_piece() {
                Ok(true) => {}
                Ok(false) => self.ended = true,
                Err(err) => {
                    self.ended = true;
                    return Err(err);
                }
            }
        }
        Ok(&self.piece[self.read_at..])
    }

    fn consume(&mut self, amount: usize) {
        self.read_at = (self.read_at + amount).min(self.piece.len());
    }
}

impl Read for ScriptOutput {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let available = self.fill_buf()?;
        let n = out.len().min(available.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl Drop for ScriptOutput {
    fn drop(&mut self) {
        if !self.ended && !self.discard_on_drop {
            self.supervisor.update(|p| p.abandoned = true);
        }
    }
}

/// Bodies up to this size are kept in memory; larger ones go to a temporary file.
pub const MEMORY_BODY_MAX: usize = 64 * 1024;

// ANCHOR: spool
/// Reads a whole request body before the script starts, counting it: into memory when it is
/// small, into an unnamed temporary file (deleted when closed, never visible by name)
/// otherwise, so a body of any size takes constant memory. The count becomes
/// `CONTENT_LENGTH`, which is how a chunked body gets a length.
pub fn spool(body: &mut impl Read) -> io::Result<(ScriptInput, u64)> {
    let mut head = Vec::new();
    (&mut *body)
        .take(MEMORY_BODY_MAX as u64 + 1)
        .read_to_end(&mut head)?;
    if head.len() <= MEMORY_BODY_MAX {
        let length = head.len() as u64;
        let input = if head.is_empty() {
            ScriptInput::Empty
        } else {
            ScriptInput::Memory(head)
        };
        return Ok((input, length));
    }
    let mut file = tempfile::tempfile()?;
    file.write_all(&head)?;
    let length = head.len() as u64 + io::copy(body, &mut file)?;
    io::Seek::rewind(&mut file)?;
    Ok((ScriptInput::File(file), length))
}
// ANCHOR_END: spool

/// Closes every descriptor above standard error that this process inherited, so that none
/// can reach a CGI script. Call it first thing in `main`, before anything is opened and
/// before any thread starts: it closes descriptors no Rust value owns. Linux lists them in
/// `/proc/self/fd`; elsewhere this does nothing.
pub fn close_inherited_descriptors() {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    // Collecting first closes the directory's own descriptor before any `close` below; its
    // number is in the list, and closing it again just fails with EBADF.
    let inherited: Vec<i32> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&fd| fd > 2)
        .collect();
    for fd in inherited {
        let _ = nix::unistd::close(fd);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_bodies_stay_in_memory_and_large_ones_go_to_a_file() {
        let (input, length) = spool(&mut &b""[..]).unwrap();
        assert!(matches!(input, ScriptInput::Empty));
        assert_eq!(length, 0);

        let small = vec![b'a'; MEMORY_BODY_MAX];
        let (input, length) = spool(&mut small.as_slice()).unwrap();
        assert!(matches!(&input, ScriptInput::Memory(bytes) if *bytes == small));
        assert_eq!(length, MEMORY_BODY_MAX as u64);

        let large: Vec<u8> = (0..MEMORY_BODY_MAX * 3).map(|i| i as u8).collect();
        let (input, length) = spool(&mut large.as_slice()).unwrap();
        assert_eq!(length, large.len() as u64);
        let ScriptInput::File(mut file) = input else {
            panic!("a large body is spooled to a file");
        };
        let mut back = Vec::new();
        file.read_to_end(&mut back).unwrap();
        assert_eq!(back, large);
    }

    #[test]
    fn start_errors_say_what_to_check() {
        let message = |err: io::Error| StartError::Spawn(err).to_string();
        let not_a_program = io::Error::from_raw_os_error(nix::errno::Errno::ENOEXEC as i32);
        assert!(message(not_a_program).contains("does not start with a #! line"));
        let no_interpreter = io::Error::from(io::ErrorKind::NotFound);
        assert!(message(no_interpreter).contains("does not exist"));
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(message(denied).contains("may not enter a folder"));
    }

    #[test]
    fn slots_cap_running_scripts_and_free_on_drop() {
        let slots = Slots::new(2);
        let first = slots.try_acquire().unwrap();
        let second = slots.try_acquire().unwrap();
        assert!(slots.try_acquire().is_none());
        assert_eq!(slots.running(), 2);
        drop(first);
        let third = slots.try_acquire();
        assert!(third.is_some());
        drop((second, third));
        assert_eq!(slots.running(), 0);
        // A cap of zero would refuse everything; it is raised to one.
        assert!(Slots::new(0).try_acquire().is_some());
    }
}
