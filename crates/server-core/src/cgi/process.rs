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
//!   (`/dev/null`), bytes in memory written into a pipe, or an unnamed temporary file the
//!   script reads directly. Because the body is complete before the script starts, a script
//!   that prints a lot before it reads its input can never deadlock against us.
//! - Standard output is read by the response body ([`ScriptOutput`]) straight from the pipe,
//!   on the connection's own thread, with `poll(2)` and a deadline, so even a process that
//!   escaped our process group cannot hold a connection thread forever.
//! - Everything else is done by *one helper thread* per script (`Watch::supervise`). It
//!   sleeps in `poll(2)` on the script's stderr, on its stdin while a body from memory is
//!   being written, and on a small pipe that the response closes when it is done with the
//!   output; `poll`'s timeout is the next thing due. When it wakes it does what is needed:
//!   - logs stderr line by line, escaped, never to the client; after [`MAX_STDERR_LINES`]
//!     lines the rest is counted, not logged;
//!   - writes more of the body into stdin, as much as the pipe takes without waiting;
//!   - asks whether the script has exited (`waitpid` without waiting): right after its pipes
//!     close, when scripts exit, and every 50 ms (`REAP_CHECK`) while a process the script left
//!     in the background keeps them open, so an exited script is never left a zombie for
//!     long; it logs a non-zero exit status;
//!   - past the time limit, or as soon as the response is abandoned because the client went
//!     away, sends SIGTERM to the whole process group (the script and anything it started),
//!     waits [`TERM_GRACE`], then sends SIGKILL;
//!   - once the script has exited, gives a process it left in the background
//!     [`EXIT_GRACE`] to let go of its output (`printf ...; sleep 30 & exit 0` keeps stdout
//!     open for 30 s), then ends the process group the same way and logs it: the script's
//!     answer is complete when the script exits, and the client gets it whole (its last chunk
//!     included) instead of waiting for the time limit.
//!
//!   It holds the script's slot ([`SlotPermit`]) until the script has exited and every pipe
//!   is closed.
//! - The helper comes from a pool ([`super::helpers`]) and is reserved *before* the child
//!   starts, so once a child exists nothing can fail and leave it unwatched. An earlier
//!   version used four threads per script (stdout pump, stderr logger, reaper, watchdog):
//!   one thread that waits on several pipes at once does the same work with fewer thread
//!   switches.
//!
//! Signals use the `nix` crate: safe wrappers over `killpg(2)` and `geteuid(2)`, because this
//! workspace forbids `unsafe` code and the standard library can only SIGKILL the script
//! itself (`Child::kill`), not SIGTERM its whole process group.
//!
//! Honest caveat: a process that leaves our process group (`setsid`) survives the kill; it
//! cannot hold a connection (see the deadline above), but it keeps running.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, BufRead, Read, Write};
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::{Pid, pipe2};

use super::RunAs;
use super::env::MetaVariable;
use super::helpers::HELPERS;
use crate::access_log;

/// How long a script has to exit after SIGTERM before it gets SIGKILL.
pub const TERM_GRACE: Duration = Duration::from_secs(2);
/// How long a process the script left behind may keep the script's output open after the
/// script itself exited: then the response is complete, and that process group is ended.
pub const EXIT_GRACE: Duration = Duration::from_secs(1);
/// Most stderr lines of one script copied to the log.
pub const MAX_STDERR_LINES: usize = 200;
/// Longest stderr line logged in one piece; longer lines are split.
const MAX_STDERR_LINE: usize = 4096;
/// Size of the buffer the response reads the script's output into.
const PIECE: usize = 16 * 1024;

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

/// Why the helper stopped a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StopReason {
    /// It ran past its time limit.
    Timeout,
    /// Its response was abandoned: the client went away, or the output was refused.
    Abandoned,
}

/// What the helper and the response know about one script, shared between them.
#[derive(Debug, Default)]
struct Progress {
    /// Set by the response when it is dropped before the end: stop the script now.
    abandoned: bool,
    /// Set by the helper when it stops the script, before the first signal.
    stopped: Option<StopReason>,
    /// Output a response will not send (HEAD, 204, 304), handed to the helper to discard.
    leftover: Option<ChildStdout>,
}

/// The state one script's helper and its response share.
#[derive(Debug)]
struct Shared {
    /// The time limit, for messages.
    timeout: Duration,
    /// When the time limit ends.
    deadline: Instant,
    /// What both sides know.
    progress: Mutex<Progress>,
}

impl Shared {
    fn progress(&self) -> MutexGuard<'_, Progress> {
        lock(&self.progress)
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
    /// No pipe could be opened to wake its helper (out of descriptors).
    Pipe(io::Error),
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
            StartError::Pipe(err) => {
                write!(f, "no pipe could be opened for the script: {err}")
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
    // The helper and the pipe that wakes it come first: once a child exists, nothing may fail.
    let helper = HELPERS.reserve().map_err(StartError::Threads)?;
    let (wake, done) = pipe2(OFlag::O_CLOEXEC).map_err(|err| StartError::Pipe(err.into()))?;
    let (stdin, body) = match input {
        ScriptInput::Empty => (Stdio::null(), None),
        ScriptInput::Memory(bytes) => (Stdio::piped(), Some(bytes)),
        ScriptInput::File(file) => (Stdio::from(file), None),
    };
    let mut child = command(&launch)
        .stdin(stdin)
        .spawn()
        .map_err(StartError::Spawn)?;

    // From here on nothing can fail: the helper is already waiting for its job.
    let shared = Arc::new(Shared {
        timeout: launch.timeout,
        deadline: Instant::now() + launch.timeout,
        progress: Mutex::new(Progress::default()),
    });
    let log = ScriptLog {
        label: launch.label,
        client: launch.client,
    };
    let stdout = child.stdout.take();
    let watch = Watch::new(child, body, wake, Arc::clone(&shared), log);
    helper.run(move || watch.supervise(permit));
    Ok(ScriptOutput {
        stdout,
        buffer: vec![0; PIECE],
        filled: 0,
        read_at: 0,
        shared,
        done: Some(done),
        ended: false,
        discard_on_drop: false,
    })
}
// ANCHOR_END: start

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

/// How often the helper asks whether the script has exited while its pipes are still open
/// (a process the script started in the background may hold them): the longest an exited
/// script can stay a zombie.
const REAP_CHECK: Duration = Duration::from_millis(50);
/// The first wait for the exit once the script's pipes have closed; doubled up to
/// [`REAP_CHECK`]. A process closes its pipes a moment before it can be waited for.
const REAP_FIRST: Duration = Duration::from_millis(1);

/// Everything the one helper of a script looks after.
struct Watch {
    /// The script's process.
    child: Child,
    /// Its exit status, once it has been waited for.
    status: Option<ExitStatus>,
    /// What to log about an unexpected exit status.
    exit_note: Option<String>,
    /// A body held in memory, until the script has all of it.
    feed: Option<Feed>,
    /// Standard error, copied into the log line by line, until it closes.
    stderr: Option<StderrLines>,
    /// The read end of a pipe whose write end the response holds: it closes when the
    /// response is done with the output (read to the end, or dropped), which wakes the helper.
    wake: Option<OwnedFd>,
    /// Output handed over by a response that will not send it: read and thrown away.
    leftover: Option<ChildStdout>,
    /// Set once the helper has started to stop the script (or what it left running).
    stopped: bool,
    /// When the script was seen to have exited while a pipe was still open.
    exited_at: Option<Instant>,
    /// What the helper and the response share.
    shared: Arc<Shared>,
    /// How log lines are labelled.
    log: ScriptLog,
}

impl Watch {
    fn new(
        mut child: Child,
        body: Option<Vec<u8>>,
        wake: OwnedFd,
        shared: Arc<Shared>,
        log: ScriptLog,
    ) -> Self {
        let feed = match (child.stdin.take(), body) {
            (Some(stdin), Some(body)) => Feed::new(stdin, body, &log),
            _ => None,
        };
        let stderr = child.stderr.take().map(|stderr| StderrLines {
            stderr,
            pending: Vec::new(),
            logged: 0,
            dropped: 0,
        });
        Watch {
            child,
            status: None,
            exit_note: None,
            feed,
            stderr,
            wake: Some(wake),
            leftover: None,
            stopped: false,
            exited_at: None,
            shared,
            log,
        }
    }

    // ANCHOR: watchdog
    /// The helper's whole job: one loop that waits, with `poll(2)`, for whichever comes first —
    /// a line on stderr, room in stdin, the response being done, the deadline — and then does
    /// what that event asks. Past the deadline, or as soon as the response is abandoned, it
    /// stops the script (SIGTERM to its process group, SIGKILL after [`TERM_GRACE`]). It holds
    /// the script's slot until the script has exited and all its pipes are closed.
    fn supervise(mut self, permit: SlotPermit) {
        let mut next_step = self.shared.deadline;
        let mut reap_wait = REAP_FIRST;
        loop {
            if self.finished() {
                break;
            }
            let now = Instant::now();
            if self.status.is_some() && !self.stopped && self.group_alive() {
                // The script exited and was reaped, yet its process group lives on: something
                // it started is still running, and may hold its output open.
                let let_go_by = *self.exited_at.get_or_insert(now) + EXIT_GRACE;
                if now >= let_go_by {
                    self.end_leftovers();
                    next_step = now + TERM_GRACE;
                    continue;
                }
                next_step = next_step.min(let_go_by);
            }
            if now >= next_step {
                if self.stopped {
                    self.signal(Signal::SIGKILL);
                    break;
                }
                self.stop(StopReason::Timeout);
                next_step = now + TERM_GRACE;
                continue;
            }
            let mut until = next_step;
            if self.status.is_none() {
                // Without a signal, an exit is only noticed by asking: soon after the pipes
                // close (that is when scripts exit), now and then while they stay open.
                let pipes_closed = self.stderr.is_none() || self.wake.is_none();
                let check = if pipes_closed { reap_wait } else { REAP_CHECK };
                reap_wait = (reap_wait * 2).min(REAP_CHECK);
                until = until.min(now + check);
            }
            let abandoned = self.wait(until);
            if abandoned && !self.stopped {
                self.stop(StopReason::Abandoned);
                next_step = Instant::now() + TERM_GRACE;
            }
            self.try_reap();
        }
        self.reap_for_good();
        if let Some(stderr) = self.stderr.take() {
            stderr.finish(&self.log);
        }
        if let Some(note) = self.exit_note.take() {
            self.log.write(&note);
        }
        drop(permit);
    }

    /// Records why the script is being stopped (the response reads it), then sends SIGTERM.
    fn stop(&mut self, reason: StopReason) {
        if reason == StopReason::Timeout {
            self.log.write(&format!(
                "ran longer than {:?}; stopping it",
                self.shared.timeout
            ));
        }
        self.shared.progress().stopped = Some(reason);
        self.stopped = true;
        self.signal(Signal::SIGTERM);
    }

    /// Ends what the script left running after it exited (see [`EXIT_GRACE`]): SIGTERM to its
    /// process group now, SIGKILL after [`TERM_GRACE`]. The response is not marked stopped:
    /// the script finished its answer, and the closed pipe completes it.
    fn end_leftovers(&mut self) {
        self.log.write(&format!(
            "exited, but a process it started was still running {EXIT_GRACE:?} later \
             (holding its output open, the response waits for it); ending that process group"
        ));
        self.stopped = true;
        self.signal(Signal::SIGTERM);
    }

    /// True while some process of the script's group exists (signal 0 probes without
    /// signalling). Asked after the script itself was reaped, so any member is a leftover.
    fn group_alive(&self) -> bool {
        let pgid = Pid::from_raw(i32::try_from(self.child.id()).unwrap_or(i32::MAX));
        killpg(pgid, None).is_ok()
    }

    /// Signals the script's whole process group; a group that is already gone is fine.
    fn signal(&self, signal: Signal) {
        let pgid = Pid::from_raw(i32::try_from(self.child.id()).unwrap_or(i32::MAX));
        let _ = killpg(pgid, signal);
    }
    // ANCHOR_END: watchdog

    /// Done: the script has exited, its stderr is closed, and the response is done with its
    /// output (a background process of the script would still hold a pipe).
    fn finished(&self) -> bool {
        self.status.is_some()
            && self.stderr.is_none()
            && self.wake.is_none()
            && self.leftover.is_none()
    }

    // ANCHOR: reaper
    /// Asks whether the script has exited, without waiting; once it has, it is no zombie any
    /// more, and an unexpected exit status is noted for the log.
    fn try_reap(&mut self) {
        if self.status.is_some() {
            return;
        }
        match self.child.try_wait() {
            Ok(Some(status)) => self.exited(status),
            Ok(None) => {}
            Err(_) => self.exited(ExitStatus::from_raw(0)),
        }
    }

    /// After SIGKILL: waits for the script, which cannot take long now.
    fn reap_for_good(&mut self) {
        if self.status.is_none() {
            let status = self
                .child
                .wait()
                .unwrap_or_else(|_| ExitStatus::from_raw(0));
            self.exited(status);
        }
    }

    fn exited(&mut self, status: ExitStatus) {
        self.status = Some(status);
        // Nobody reads the rest of the body now.
        self.feed = None;
        // Logged at the end, after the script's last stderr lines.
        if !self.stopped && !status.success() {
            self.exit_note = Some(describe_exit(status));
        }
    }
    // ANCHOR_END: reaper

    /// Waits until `until` or until one of the pipes needs the helper, and serves that pipe.
    /// Returns true when the response turns out to have been abandoned.
    fn wait(&mut self, until: Instant) -> bool {
        let timeout = poll_timeout(until);
        let mut fds = Vec::with_capacity(4);
        let (read, write) = (PollFlags::POLLIN, PollFlags::POLLOUT);
        let stderr = add(
            &mut fds,
            self.stderr.as_ref().map(|s| s.stderr.as_fd()),
            read,
        );
        let feed = add(&mut fds, self.feed.as_ref().map(|f| f.stdin.as_fd()), write);
        let wake = add(&mut fds, self.wake.as_ref().map(AsFd::as_fd), read);
        let leftover = add(&mut fds, self.leftover.as_ref().map(AsFd::as_fd), read);
        match poll(&mut fds, timeout) {
            Ok(0) | Err(Errno::EINTR) => return false,
            Ok(_) => {}
            Err(_) => {
                // Cannot happen with valid descriptors; never spin on it.
                std::thread::sleep(until.saturating_duration_since(Instant::now()));
                return false;
            }
        }
        let ready = |at: Option<usize>| at.is_some_and(|i| fds[i].any().unwrap_or(true));
        let (stderr, feed, wake, leftover) =
            (ready(stderr), ready(feed), ready(wake), ready(leftover));
        drop(fds);

        if stderr && !self.stderr.as_mut().is_some_and(|s| s.read(&self.log)) {
            if let Some(closed) = self.stderr.take() {
                closed.finish(&self.log);
            }
        }
        if feed && !self.feed.as_mut().is_some_and(Feed::write_more) {
            self.feed = None;
        }
        if leftover && !self.leftover.as_mut().is_some_and(discard) {
            self.leftover = None;
        }
        if !wake {
            return false;
        }
        // Nobody writes to this pipe: it is ready only once the response has closed it.
        self.wake = None;
        let mut progress = self.shared.progress();
        self.leftover = progress.leftover.take();
        progress.abandoned
    }
}

/// Adds `fd`, when there is one, to the descriptors `poll` watches; returns its place.
fn add<'fd>(
    fds: &mut Vec<PollFd<'fd>>,
    fd: Option<BorrowedFd<'fd>>,
    events: PollFlags,
) -> Option<usize> {
    let fd = fd?;
    fds.push(PollFd::new(fd, events));
    Some(fds.len() - 1)
}

/// A `poll` timeout that lasts until `until`, in milliseconds rounded up (a wait must never
/// end just before its time).
fn poll_timeout(until: Instant) -> PollTimeout {
    let wait = until.saturating_duration_since(Instant::now());
    PollTimeout::try_from(wait.as_micros().div_ceil(1000)).unwrap_or(PollTimeout::MAX)
}

/// Reads and throws away what is there; false once the pipe is closed.
fn discard(output: &mut ChildStdout) -> bool {
    let mut scratch = [0u8; PIECE];
    match output.read(&mut scratch) {
        Ok(0) => false,
        Ok(_) => true,
        Err(err) => err.kind() == io::ErrorKind::Interrupted,
    }
}

/// A request body held in memory, written into the script's stdin as the pipe takes it.
/// The pipe is non-blocking, so the helper never waits on a script that does not read.
struct Feed {
    stdin: ChildStdin,
    body: Vec<u8>,
    written: usize,
}

impl Feed {
    fn new(stdin: ChildStdin, body: Vec<u8>, log: &ScriptLog) -> Option<Feed> {
        // Only our end of the pipe becomes non-blocking; the script's end is another file.
        match fcntl(&stdin, FcntlArg::F_SETFL(OFlag::O_NONBLOCK)) {
            Ok(_) => Some(Feed {
                stdin,
                body,
                written: 0,
            }),
            Err(err) => {
                log.write(&format!("the body could not be given to the script: {err}"));
                None
            }
        }
    }

    /// Writes as much as the pipe takes now; false once the feed is over: the whole body is
    /// written (closing stdin is the end of file), or the script stopped reading.
    fn write_more(&mut self) -> bool {
        while self.written < self.body.len() {
            match self.stdin.write(&self.body[self.written..]) {
                Ok(0) => return false,
                Ok(n) => self.written += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return err.kind() == io::ErrorKind::WouldBlock,
            }
        }
        false
    }
}

/// "exited with status 3" or "was killed by signal 9".
fn describe_exit(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("the script exited with status {code}"),
        (None, Some(signal)) => format!("the script was killed by signal {signal}"),
        _ => "the script ended abnormally".to_string(),
    }
}

/// The script's stderr, logged line by line, escaped, up to [`MAX_STDERR_LINES`]; the rest is
/// read and counted (a script must never block on a full stderr pipe).
struct StderrLines {
    stderr: ChildStderr,
    /// The start of a line whose end has not arrived yet.
    pending: Vec<u8>,
    logged: usize,
    dropped: u64,
}

impl StderrLines {
    /// Reads what is there and logs the complete lines; false once stderr is closed.
    fn read(&mut self, log: &ScriptLog) -> bool {
        let mut chunk = [0u8; MAX_STDERR_LINE];
        let n = match self.stderr.read(&mut chunk) {
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => return true,
            Err(_) => 0,
        };
        if n == 0 {
            return false;
        }
        self.pending.extend_from_slice(&chunk[..n]);
        let mut start = 0;
        loop {
            let rest = &self.pending[start..];
            let window = &rest[..rest.len().min(MAX_STDERR_LINE + 1)];
            let (line, next) = match window.iter().position(|&b| b == b'\n') {
                Some(at) => (at, at + 1),
                // Longer lines are split.
                None if rest.len() > MAX_STDERR_LINE => (MAX_STDERR_LINE, MAX_STDERR_LINE),
                None => break,
            };
            log_line(&rest[..line], &mut self.logged, &mut self.dropped, log);
            start += next;
        }
        self.pending.drain(..start);
        true
    }

    /// At the end: the last line when it had no newline, and how many lines were not logged.
    fn finish(mut self, log: &ScriptLog) {
        if !self.pending.is_empty() {
            let last = std::mem::take(&mut self.pending);
            log_line(&last, &mut self.logged, &mut self.dropped, log);
        }
        if self.dropped > 0 {
            log.write(&format!("{} more stderr line(s) not logged", self.dropped));
        }
    }
}

fn log_line(line: &[u8], logged: &mut usize, dropped: &mut u64, log: &ScriptLog) {
    if *logged < MAX_STDERR_LINES {
        log.write(&String::from_utf8_lossy(line));
        *logged += 1;
    } else {
        *dropped += 1;
    }
}

// ANCHOR: script_output
/// The script's standard output, as the response body reads it — straight from the pipe, on
/// the connection's own thread, waiting at most until shortly after the script's deadline.
///
/// Reading ends with end-of-file when the script closed its output, and with an error when
/// the output was cut (the script was stopped), so that a cut response is never mistaken for
/// a complete one. Dropping it before the end stops the script, unless
/// [`ScriptOutput::discard_rest_on_drop`] was called (for HEAD, 204 and 304 responses, whose
/// bodies are not sent).
pub struct ScriptOutput {
    /// The script's stdout, until the output has ended.
    stdout: Option<ChildStdout>,
    /// Output read and not yet consumed: `buffer[read_at..filled]`.
    buffer: Vec<u8>,
    filled: usize,
    read_at: usize,
    /// What the response and the script's helper share.
    shared: Arc<Shared>,
    /// Closed when the response is done with the output, which wakes the helper.
    done: Option<OwnedFd>,
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

    /// True when the helper stopped the script because it ran past its time limit.
    pub fn timed_out(&self) -> bool {
        self.shared.progress().stopped == Some(StopReason::Timeout)
    }

    /// Reads more output into `into`; `Ok(0)` at a clean end. Ends the output at its end or
    /// on an error.
    fn read_into(&mut self, into: &mut [u8]) -> io::Result<usize> {
        let result = match self.stdout.as_mut() {
            Some(stdout) => read_output(stdout, &self.shared, into),
            None => Ok(0),
        };
        if !matches!(result, Ok(n) if n > 0) {
            self.end();
        }
        result
    }

    /// The output is over: closing the wake pipe tells the helper.
    fn end(&mut self) {
        self.ended = true;
        self.stdout = None;
        self.done = None;
    }
}

/// One read of the script's output, waiting for it at most until shortly after the deadline.
/// The helper stops the script at the deadline; this only bounds a wait on a process that
/// escaped the process group and still holds the pipe.
fn read_output(stdout: &mut ChildStdout, shared: &Shared, into: &mut [u8]) -> io::Result<usize> {
    let limit = shared.deadline + TERM_GRACE * 2;
    loop {
        let mut fds = [PollFd::new(stdout.as_fd(), PollFlags::POLLIN)];
        if matches!(poll(&mut fds, PollTimeout::ZERO), Ok(0)) {
            // The script is still working: other connections should not wait for it.
            crate::server::about_to_wait();
        }
        match poll(&mut fds, poll_timeout(limit)) {
            Ok(0) if Instant::now() >= limit => {
                shared.progress().abandoned = true;
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the script's output stayed open past its time limit",
                ));
            }
            Ok(0) | Err(Errno::EINTR) => continue,
            Ok(_) => {}
            Err(err) => return Err(err.into()),
        }
        match stdout.read(into) {
            Ok(0) => {
                return match shared.progress().stopped {
                    None => Ok(0),
                    Some(StopReason::Timeout) => Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the script ran past its time limit and was stopped",
                    )),
                    Some(StopReason::Abandoned) => {
                        Err(io::Error::other("the script's output was cut off"))
                    }
                };
            }
            Ok(n) => return Ok(n),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
}

impl BufRead for ScriptOutput {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.read_at == self.filled && !self.ended {
            let mut buffer = std::mem::take(&mut self.buffer);
            let result = self.read_into(&mut buffer);
            self.buffer = buffer;
            self.read_at = 0;
            self.filled = *result.as_ref().unwrap_or(&0);
            result?;
        }
        Ok(&self.buffer[self.read_at..self.filled])
    }

    fn consume(&mut self, amount: usize) {
        self.read_at = (self.read_at + amount).min(self.filled);
    }
}

impl Read for ScriptOutput {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        // A large read with nothing buffered goes straight into the caller's buffer.
        if self.read_at == self.filled && out.len() >= self.buffer.len() {
            if self.ended {
                return Ok(0);
            }
            return self.read_into(out);
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
        if self.ended {
            return;
        }
        let mut progress = self.shared.progress();
        if self.discard_on_drop {
            progress.leftover = self.stdout.take();
        } else {
            progress.abandoned = true;
        }
        // Dropping `done` next, with the other fields, wakes the helper.
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
