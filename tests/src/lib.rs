//! Helpers for the end-to-end tests: start a real lesson binary, talk to it, stop it.
//!
//! Every server is started on port 0 — the operating system picks a free port — and the
//! helper reads the real port from the binary's start-up line (`Serving HTTP on 127.0.0.1 port
//! 41234 ...`). That is the "poll until ready" step, with no fixed sleeps and no race for a
//! port. Every wait here is bounded in time; a server is killed when its [`ServerProcess`] is
//! dropped, so a failing test never leaves one behind.
//!
//! The lesson binaries belong to other packages, so Cargo does not build them for these
//! tests by itself: [`binary`] runs `cargo build --bins` once per test process, in the same
//! target directory and profile as the tests (a no-op when they are already built).

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

pub mod homework_workspace;

/// Skips the rest of a test that cannot run on this machine (a missing tool, no IPv6): prints
/// why and returns, so that a learner's `cargo test` still passes. Under CI (`CI=true`, as
/// `.ci/run` runs) a skip is a failure instead: there every test must really run, or the
/// suite would report as passed what it never checked.
#[track_caller]
pub fn skip_unless_ci(reason: &str) {
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        panic!("this test must run in CI, but it would be skipped: {reason}");
    }
    println!("note: skipped: {reason}");
}

/// True when these tests run as root (uid 0), as CI does and a container often does.
pub fn running_as_root() -> bool {
    let uid = Command::new("id").arg("-u").output().map(|o| o.stdout);
    uid.as_deref().is_ok_and(|id| id.trim_ascii() == b"0")
}

/// How long a server may take to print its start-up line.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The workspace root (the parent of this `tests/` package).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The directory holding this test executable's profile (`target/debug` or `target/release`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    // target/<profile>/deps/<test-binary>
    exe.parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps")
        .to_path_buf()
}

/// Variables `cargo test` (like `cargo run`) sets for the program it runs. A shell has none
/// of them, and some build scripts watch them (`ring`'s does): a cargo started with them
/// rebuilds those crates, and the next cargo started from the shell rebuilds them again. (The
/// homework checker cleans the environment of the cargo it starts the same way:
/// crates/homework/src/runner/cargo.rs.)
fn set_by_cargo(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "CARGO",
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_MANIFEST_LINKS",
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_CURRENT_DIR",
        "OUT_DIR",
        "LD_LIBRARY_PATH",
        "DYLD_FALLBACK_LIBRARY_PATH",
    ];
    EXACT.contains(&name) || name.starts_with("CARGO_PKG_") || name.starts_with("CARGO_BIN_EXE_")
}

/// A `cargo` command (the one running these tests) in the environment of the shell that
/// started them: without what cargo set for the test program.
pub fn cargo_as_in_a_shell() -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    command.env_clear();
    for (name, value) in std::env::vars_os() {
        if !set_by_cargo(&name.to_string_lossy()) {
            command.env(name, value);
        }
    }
    command
}

/// Path to a workspace binary, building every workspace binary once per test process.
pub fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let profile = profile_dir();
    let built = BUILT.get_or_init(|| {
        let target_dir = profile.parent().expect("target/<profile> has a parent");
        let mut command = cargo_as_in_a_shell();
        command
            .current_dir(workspace_root())
            .args(["build", "--workspace", "--bins", "--quiet"])
            .env("CARGO_TARGET_DIR", target_dir);
        match profile.file_name().and_then(|n| n.to_str()) {
            Some("debug") => {}
            Some("release") => {
                command.arg("--release");
            }
            Some(other) => {
                command.args(["--profile", other]);
            }
            None => {}
        }
        let output = command
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    });
    if let Err(message) = built {
        panic!("building the lesson binaries failed:\n{message}");
    }
    let path = profile.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "no binary at {}", path.display());
    path
}

/// A lesson binary running in the background; killed on drop.
pub struct ServerProcess {
    child: Child,
    /// Where it listens, read from its start-up line.
    pub addr: SocketAddr,
    /// Everything it printed on stderr so far (the access log), filled by a thread.
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Everything it printed on stdout after the start-up line.
    stdout: Arc<Mutex<Vec<u8>>>,
}

/// Starts a binary and waits for its start-up line. `args` should ask for port 0.
pub fn start(name: &str, args: &[&str]) -> ServerProcess {
    start_in(name, args, &workspace_root())
}

/// Like [`start`], with the child's working directory set to `dir`.
pub fn start_in(name: &str, args: &[&str], dir: &Path) -> ServerProcess {
    let mut command = Command::new(binary(name));
    command.args(args).current_dir(dir);
    start_command(name, command)
}

/// Like [`start_in`], with `env` added to the environment the child inherits from the tests
/// (for example a variable that must *not* reach a CGI script).
pub fn start_with_env(
    name: &str,
    args: &[&str],
    dir: &Path,
    env: &[(&str, &str)],
) -> ServerProcess {
    let mut command = Command::new(binary(name));
    command
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied());
    start_command(name, command)
}

/// Starts a prepared `command` (program, arguments, directory, environment) as a server and
/// waits for its start-up line, as [`start_in`] does; `name` is used in failure messages.
/// Standard input, output and error are set here.
pub fn start_command(name: &str, mut command: Command) -> ServerProcess {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let stdout = Arc::new(Mutex::new(Vec::new()));
    collect(child.stderr.take().expect("piped"), Arc::clone(&stderr));

    let (line_tx, line_rx) = std::sync::mpsc::channel();
    let out = child.stdout.take().expect("piped");
    let stdout_sink = Arc::clone(&stdout);
    thread::spawn(move || {
        let mut reader = BufReader::new(out);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = line_tx.send(line);
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            stdout_sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let line = match line_rx.recv_timeout(START_TIMEOUT) {
        Ok(line) => line,
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name} printed no start-up line within {START_TIMEOUT:?}");
        }
    };
    let addr = parse_announcement(&line).unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        thread::sleep(Duration::from_millis(100));
        let err = String::from_utf8_lossy(&stderr.lock().unwrap()).into_owned();
        panic!("{name} did not announce an address; stdout: {line:?}; stderr: {err}");
    });
    ServerProcess {
        child,
        addr,
        stderr,
        stdout,
    }
}

/// Reads `Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ...`.
pub fn parse_announcement(line: &str) -> Option<SocketAddr> {
    let after_on = line.split(" on ").nth(1)?;
    let mut words = after_on.split_whitespace();
    let ip = words.next()?;
    if words.next()? != "port" {
        return None;
    }
    let port: u16 = words.next()?.parse().ok()?;
    let ip: std::net::IpAddr = ip.parse().ok()?;
    // A server bound to every interface is reached on loopback.
    let ip = match ip {
        std::net::IpAddr::V4(v4) if v4.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(v6) if v6.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    Some(SocketAddr::new(ip, port))
}

fn collect(mut source: impl Read + Send + 'static, sink: Arc<Mutex<Vec<u8>>>) {
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = source.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
}

impl ServerProcess {
    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        match self.addr {
            SocketAddr::V4(a) => format!("http://{}:{}{path}", a.ip(), a.port()),
            SocketAddr::V6(a) => format!("http://[{}]:{}{path}", a.ip(), a.port()),
        }
    }

    /// The server's process id (for `/proc/<pid>/...` and for finding its child processes).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server printed on stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// What the server printed on stdout after its start-up line.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    /// Waits until stdout contains `needle`; returns the whole stdout, or panics after `timeout`.
    pub fn wait_for_stdout(&self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.stdout();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "stdout never contained {needle:?} within {timeout:?}; it was:\n{text}"
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits until stderr contains `needle`; returns the whole stderr, or panics after `timeout`.
    pub fn wait_for_stderr(&self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.stderr();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "stderr never contained {needle:?} within {timeout:?}; it was:\n{text}"
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Sends SIGINT, as Ctrl-C in a terminal would.
    pub fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -INT failed");
    }

    /// Waits for the process to exit, up to `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Opens a raw TCP connection with read and write timeouts.
    pub fn connect(&self) -> TcpStream {
        connect(self.addr)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Opens a raw TCP connection with 10-second read and write timeouts.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Sends raw bytes, half-closes, and reads everything until the server closes (bounded).
pub fn raw_exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = connect(addr);
    stream.write_all(request).expect("request sent");
    let _ = stream.shutdown(std::net::Shutdown::Write);
    read_until_close(&mut stream, Duration::from_secs(10)).closed_by_server("a raw exchange")
}

/// How a read until the end of a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEnd {
    /// The server closed the connection: end-of-file.
    Closed,
    /// The server reset the connection (it closed with unread data, or aborted).
    Reset,
    /// Nothing ended it within the time allowed: the connection is still open.
    TimedOut,
    /// Reading failed for another reason: what the operating system said.
    Failed(String),
}

/// What arrived on a connection until it ended, and how it ended.
#[derive(Debug, Clone)]
pub struct Received {
    /// Every byte that arrived.
    pub bytes: Vec<u8>,
    /// Why reading stopped.
    pub end: StreamEnd,
}

impl Received {
    /// True when the server ended the connection (closed or reset), not the timeout.
    pub fn ended_by_server(&self) -> bool {
        matches!(self.end, StreamEnd::Closed | StreamEnd::Reset)
    }

    /// The bytes, after asserting that the server ended the connection: a test that means to
    /// prove a close must not pass on a connection left open.
    #[track_caller]
    pub fn closed_by_server(self, what: &str) -> Vec<u8> {
        assert!(
            self.ended_by_server(),
            "{what}: the server did not close the connection ({:?}); it sent {:?}",
            self.end,
            String::from_utf8_lossy(&self.bytes)
        );
        self.bytes
    }
}

/// Reads until the server closes or resets the connection, an error, or `timeout`, and says
/// which it was.
pub fn read_until_close(stream: &mut TcpStream, timeout: Duration) -> Received {
    let deadline = Instant::now() + timeout;
    let mut bytes = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let end = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break StreamEnd::TimedOut;
        }
        let _ = stream.set_read_timeout(Some(left.max(Duration::from_millis(1))));
        match stream.read(&mut buf) {
            Ok(0) => break StreamEnd::Closed,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            // A read timeout (the deadline is checked above), or EINTR, which Linux gives a
            // socket read with a timeout whenever a signal handler runs in this process.
            Err(err) if is_retryable(&err) => {}
            Err(err)
                if matches!(
                    err.kind(),
                    ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
                ) =>
            {
                break StreamEnd::Reset;
            }
            Err(err) => break StreamEnd::Failed(err.to_string()),
        }
    };
    Received { bytes, end }
}

/// True for read errors after which the read should simply be tried again.
pub fn is_retryable(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::WouldBlock
            | std::io::ErrorKind::TimedOut
            | std::io::ErrorKind::Interrupted
    )
}

/// How a process that ran to its end (a start-up error, a checker run) finished.
pub struct Finished {
    /// Its exit status.
    pub status: ExitStatus,
    /// Everything it printed on stdout.
    pub stdout: String,
    /// Everything it printed on stderr.
    pub stderr: String,
}

/// Runs `command` to its end within `timeout`, capturing stdout and stderr (stdin is empty).
/// A command still running at the deadline is killed and the test fails.
pub fn run_command(mut command: Command, timeout: Duration) -> Finished {
    let what = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let stdout = read_to_end_on_a_thread(child.stdout.take().expect("piped"));
    let stderr = read_to_end_on_a_thread(child.stderr.take().expect("piped"));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} was still running after {timeout:?}");
        }
        thread::sleep(Duration::from_millis(10));
    };
    // The pipes reach end-of-file once the process (and any child holding them) is gone.
    let collect = |receiver: std::sync::mpsc::Receiver<Vec<u8>>| {
        let bytes = receiver
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Finished {
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
    }
}

/// Reads a pipe to its end on a thread; the bytes arrive on the returned channel.
fn read_to_end_on_a_thread(
    mut pipe: impl Read + Send + 'static,
) -> std::sync::mpsc::Receiver<Vec<u8>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = sender.send(bytes);
    });
    receiver
}

/// Runs a workspace binary that should exit by itself within `timeout`, from the workspace root.
pub fn run_to_exit(name: &str, args: &[&str], timeout: Duration) -> Finished {
    let mut command = Command::new(binary(name));
    command.args(args).current_dir(workspace_root());
    run_command(command, timeout)
}

/// One parsed HTTP/1.1 response read from a raw stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// Header fields in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body, de-framed by Content-Length (or everything up to close).
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first value of a header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Splits a byte stream of responses, read until the server closed, into responses (framed
/// by Content-Length, chunked, or the close). A last response whose body is incomplete — the
/// answer to a HEAD, or a body cut short — is kept with the body bytes that did arrive.
pub fn parse_responses(mut bytes: &[u8]) -> Vec<RawResponse> {
    let mut responses = Vec::new();
    while let Some((response, used)) = parse_response(bytes, false, true) {
        responses.push(response);
        bytes = &bytes[used..];
    }
    if let Some(end) = find(bytes, b"\r\n\r\n") {
        if let Some((mut last, _)) = parse_response(&bytes[..end + 4], true, true) {
            let rest = &bytes[end + 4..];
            let announced = last
                .header("content-length")
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(rest.len());
            last.body = rest[..announced.min(rest.len())].to_vec();
            responses.push(last);
        }
    }
    responses
}

/// Parses one response at the start of `bytes`; `None` while it is incomplete. A response
/// delimited by the close of the connection is complete only when `at_eof`.
pub fn parse_response(bytes: &[u8], is_head: bool, at_eof: bool) -> Option<(RawResponse, usize)> {
    let end = find(bytes, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()?
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &bytes[end + 4..];
    let mut response = RawResponse {
        status,
        headers,
        body: Vec::new(),
    };
    let chunked = response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let length = response
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok());
    let used = if is_head || status / 100 == 1 || status == 204 || status == 304 {
        0
    } else if chunked {
        let (body, used) = dechunk(rest)?;
        response.body = body;
        used
    } else if let Some(length) = length {
        response.body = rest.get(..length)?.to_vec();
        length
    } else if at_eof {
        response.body = rest.to_vec();
        rest.len()
    } else {
        return None;
    };
    Some((response, end + 4 + used))
}

/// Decodes a chunked body; returns it and the bytes it took, or `None` while incomplete.
fn dechunk(bytes: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut body = Vec::new();
    let mut pos = 0;
    loop {
        let line_end = pos + find(&bytes[pos..], b"\r\n")?;
        let line = std::str::from_utf8(&bytes[pos..line_end]).ok()?;
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        pos = line_end + 2;
        if size == 0 {
            // Trailer fields, up to the empty line.
            loop {
                let end = pos + find(&bytes[pos..], b"\r\n")?;
                let empty = end == pos;
                pos = end + 2;
                if empty {
                    return Some((body, pos));
                }
            }
        }
        body.extend_from_slice(bytes.get(pos..pos + size)?);
        pos += size;
        if bytes.get(pos..pos + 2)? != b"\r\n" {
            return None;
        }
        pos += 2;
    }
}

/// The position of `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A ureq agent for tests: statuses are values, not errors; every call is time-bounded.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .max_redirects(0)
        .build()
        .into()
}

/// A fresh, empty temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `$TMPDIR/workbench-<label>-<pid>-<n>`.
    pub fn new(label: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("workbench-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir created");
        TempDir(dir)
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How long [`Conn`] waits for one response, and for a close.
pub const CONN_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest response [`Conn`] buffers before it gives up.
pub const CONN_MAX_RESPONSE: usize = 16 * 1024 * 1024;

/// One raw connection kept open across requests: requests are sent as bytes and responses
/// read one by one, so keep-alive, pipelining and what a server does after an error can be
/// seen exactly. Every read is bounded in time ([`CONN_TIMEOUT`]) and size.
pub struct Conn {
    /// The connection.
    pub stream: TcpStream,
    /// Bytes received and not yet parsed as a response.
    pending: Vec<u8>,
}

impl Conn {
    /// Wraps an open connection.
    pub fn new(stream: TcpStream) -> Conn {
        Conn {
            stream,
            pending: Vec::new(),
        }
    }

    /// Opens a connection to `server`.
    pub fn open(server: &ServerProcess) -> Conn {
        Conn::new(server.connect())
    }

    /// Sends raw bytes.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap_or_else(|e| {
            panic!(
                "sending {:?} failed: {e}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
            )
        });
    }

    /// Stops sending: the server reads end-of-file after what was sent.
    pub fn shutdown_write(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Write);
    }

    /// Sends a keep-alive `GET` and reads its response.
    pub fn get(&mut self, path: &str) -> RawResponse {
        self.send(format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").as_bytes());
        self.response(false)
    }

    /// Reads the next whole response; `is_head` when it answers a HEAD (no body follows).
    pub fn response(&mut self, is_head: bool) -> RawResponse {
        let deadline = Instant::now() + CONN_TIMEOUT;
        let mut buf = [0u8; 16 * 1024];
        loop {
            if let Some((response, used)) = parse_response(&self.pending, is_head, false) {
                self.pending.drain(..used);
                return response;
            }
            let now = Instant::now();
            assert!(
                now < deadline && self.pending.len() < CONN_MAX_RESPONSE,
                "no whole response within {CONN_TIMEOUT:?}; received {:?}",
                String::from_utf8_lossy(&self.pending)
            );
            let _ = self.stream.set_read_timeout(Some(deadline - now));
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    let (response, used) = parse_response(&self.pending, is_head, true)
                        .unwrap_or_else(|| {
                            panic!(
                                "the connection closed before a whole response; received {:?}",
                                String::from_utf8_lossy(&self.pending)
                            )
                        });
                    self.pending.drain(..used);
                    return response;
                }
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                Err(err) if is_retryable(&err) => {}
                Err(err) => panic!(
                    "reading a response failed: {err}; received {:?}",
                    String::from_utf8_lossy(&self.pending)
                ),
            }
        }
    }

    /// Everything left until the server closes the connection; fails the test if it does
    /// not close it in time.
    pub fn rest_until_close(&mut self) -> Vec<u8> {
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend(
            read_until_close(&mut self.stream, CONN_TIMEOUT).closed_by_server("the connection"),
        );
        bytes
    }

    /// Asserts that the server closes the connection without sending anything more.
    pub fn assert_closed(&mut self, after: &str) {
        let rest = self.rest_until_close();
        assert!(
            rest.is_empty(),
            "after {after} the server sent more: {:?}",
            String::from_utf8_lossy(&rest)
        );
    }
}

/// Reading other processes through Linux's `/proc`: memory, threads, command lines and
/// zombies, for the tests that check what a server leaves behind.
pub mod procfs {
    use std::fs;

    /// A number field of `/proc/PID/status` (`VmHWM:`, `Threads:`), or `None`.
    pub fn status_number(pid: u32, field: &str) -> Option<u64> {
        let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
    }

    /// The peak resident memory of a process (VmHWM), in bytes.
    pub fn peak_rss(pid: u32) -> u64 {
        status_number(pid, "VmHWM:").expect("a VmHWM line") * 1024
    }

    /// How many threads a process has.
    pub fn threads(pid: u32) -> u64 {
        status_number(pid, "Threads:").expect("a Threads line")
    }

    /// The command line of a running (not zombie) process, or `None` when there is no such
    /// process or it is a zombie (whose command line is empty).
    pub fn cmdline(pid: u32) -> Option<String> {
        let raw = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        if raw.is_empty() {
            return None;
        }
        Some(String::from_utf8_lossy(&raw).replace('\0', " "))
    }

    /// The state, parent and name of a process, from `/proc/PID/stat`.
    pub fn stat(pid: u32) -> Option<(char, u32, String)> {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
        let (open, close) = (stat.find('(')?, stat.rfind(')')?);
        let mut fields = stat[close + 1..].split_whitespace();
        let state = fields.next()?.chars().next()?;
        let ppid = fields.next()?.parse().ok()?;
        Some((state, ppid, stat[open + 1..close].to_string()))
    }

    /// Every process id in `/proc` but this test's own.
    pub fn all_pids() -> Vec<u32> {
        fs::read_dir("/proc")
            .unwrap()
            .filter_map(Result::ok)
            .filter_map(|entry| entry.file_name().to_string_lossy().parse::<u32>().ok())
            .filter(|&pid| pid != std::process::id())
            .collect()
    }

    /// Every live process whose command line contains `token`, with its command line.
    pub fn processes_with(token: &str) -> Vec<(u32, String)> {
        all_pids()
            .into_iter()
            .filter_map(|pid| Some((pid, cmdline(pid)?)))
            .filter(|(_, line)| line.contains(token))
            .collect()
    }

    /// Zombies (state Z) for which `chosen(parent, name)` holds, as `pid (name), parent P`.
    pub fn zombies(chosen: impl Fn(u32, &str) -> bool) -> Vec<String> {
        all_pids()
            .into_iter()
            .filter_map(|pid| {
                let (state, ppid, name) = stat(pid)?;
                (state == 'Z' && chosen(ppid, &name))
                    .then(|| format!("{pid} ({name}), parent {ppid}"))
            })
            .collect()
    }
}
