//! Lesson 03's CGI/1.1 host (RFC 3875), end to end: the real `lesson03-cgi` binary serving a
//! temporary directory whose `cgi-bin/` (and `htbin/`) hold small POSIX `sh` scripts written
//! by these tests, asked over raw `TcpStream`s so that every byte of the exchange is seen.
//!
//! The central script is `cgi-bin/dump`, the pattern of Go's `net/http/cgi` tests: it prints
//! its argument count and arguments, its working directory and its whole environment (with
//! the shell's built-in `export -p`, so it needs no `PATH`), as text/plain. Other scripts each
//! do one thing — echo standard input, count it, print a broken header block, sleep, crash —
//! and every script's source holds [`SOURCE_MARKER`], which no script ever prints: finding it
//! in a response means the server sent a script's source.
//!
//! Every server is started with `SECRET_TOKEN=leak` added to its environment, which must not
//! reach any script. Scripts that must be seen from outside (the sleeper, the ticker, the
//! gate) write their process ids into `started/` under the served directory; processes are
//! found through `/proc`, so these tests need Linux.
//!
//! The last tests start the server from the workspace root and ask the repository's own
//! scripts (`cgi-bin/index`, `hello`, `env`, `sums`, `hello-rust`).
//!
//! Every wait is a poll with a deadline; no test sleeps for a fixed time to let something
//! happen.
#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use end_to_end::{RawResponse, ServerProcess, TempDir, find, is_retryable, parse_response, procfs};
use pretty_assertions::assert_eq;

/// Written into every test script's source, printed by none: it must never reach a client.
const SOURCE_MARKER: &str = "SOURCE-MARKER-of-a-cgi-script";
/// A variable in the server's own environment that must not reach a script.
const SECRET: (&str, &str) = ("SECRET_TOKEN", "leak");
/// The static file served next to the scripts.
const HELLO: &str = "Hello, static!\n";
/// How long one exchange may take before the test fails.
const IO_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a process may take to disappear once it should be gone.
const GONE_TIMEOUT: Duration = Duration::from_secs(10);
/// The size of the large upload.
const TEN_MIB: usize = 10 * 1024 * 1024;

// ---------------------------------------------------------------------------------------
// The scripts. `@ROOT@` is replaced by the served directory, `@TOKEN@` by a string unique
// to the test, so that a test can find its own processes in /proc.
// ---------------------------------------------------------------------------------------

/// Prints its arguments, working directory and environment (`export -p`, a shell built-in).
const DUMP: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Content-Type: text/plain\r\n\r\n'
printf 'argc=%s\n' "$#"
for arg in "$@"; do printf 'arg=%s\n' "$arg"; done
printf 'cwd=%s\n' "$(pwd)"
export -p
"#;

/// Echoes standard input; ends only when standard input ends.
const CAT: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Content-Type: application/octet-stream\r\n\r\n'
exec cat
"#;

/// CONTENT_LENGTH as the script sees it, then the body.
const BODY_INFO: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Content-Type: text/plain\r\n\r\n'
printf 'CONTENT_LENGTH=%s\n' "${CONTENT_LENGTH-unset}"
printf 'body='
cat
"#;

/// Counts the bytes of standard input.
const WC: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Content-Type: text/plain\r\n\r\n'
wc -c | tr -d ' '
"#;

/// Writes 1 MiB without ever reading its (large) request body.
const CHATTY: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Content-Type: text/plain\r\n\r\n'
head -c 1048576 /dev/zero | tr '\000' x
"#;

/// A header of its own, a Content-Type with a parameter and a body.
const RELAY: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Content-Type: text/plain; charset=utf-8\r\n'
printf 'X-Custom: custom value\r\n'
printf '\r\n'
printf 'relayed body\n'
"#;

/// Lines ending in a bare LF, as `echo` writes them (RFC 3875 §6 allows it).
const HTBIN_HI: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
echo 'Content-Type: text/plain'
echo
echo 'from htbin'
"#;

const CREATED: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Status: 201 Created\r\nContent-Type: text/plain\r\n\r\ncreated\n'
"#;

const BAD_STATUS: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Status: abc\r\nContent-Type: text/plain\r\n\r\nbad status\n'
"#;

const REDIRECT: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Location: http://example.com/\r\n\r\n'
"#;

const LOCAL_REDIRECT: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Location: /hello.txt\r\n\r\n'
"#;

/// A header block with neither Content-Type nor Status nor Location.
const UNTYPED: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'X-Foo: 1\r\n\r\nno type\n'
"#;

const SILENT: &str = "#!/bin/sh\n# SOURCE-MARKER-of-a-cgi-script\nexit 0\n";

const NO_COLON: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Content-Type: text/plain\r\nthis line has no colon\r\n\r\nbody\n'
"#;

/// A bare CR inside a header value, trying to smuggle a second header line.
const CR_INJECT: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Content-Type: text/plain\r\nX-A: a\rSet-Cookie: evil=1\r\n\r\nbody\n'
"#;

const COOKIES: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Content-Type: text/plain\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\n\r\ntwo cookies\n'
"#;

/// Framing headers of its own, all wrong: the server must drop them and frame the body.
const FRAMING: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'Content-Type: text/plain\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n'
printf 'Connection: close\r\nX-Kept: yes\r\n\r\nhello world\n'
"#;

/// Writes an escape sequence to stderr, and a normal answer.
const NOISY: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
printf 'noisy-stderr-marker \033[31m red\n' >&2
printf 'Content-Type: text/plain\r\n\r\nquiet body\n'
"#;

const CRASH: &str = "#!/bin/sh\n# SOURCE-MARKER-of-a-cgi-script\nexit 1\n";

const SEGV: &str = "#!/bin/sh\n# SOURCE-MARKER-of-a-cgi-script\nkill -SEGV $$\n";

/// Says nothing and sleeps in a child process (`bin/napper-TOKEN`, a link to `sleep`).
const SLEEPER: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
echo $$ > "@ROOT@/started/sleeper.pid"
"@ROOT@/bin/napper-@TOKEN@" 30 &
echo $! > "@ROOT@/started/napper.pid"
wait
"#;

/// Streams a line every tenth of a second for up to 30 seconds.
const TICKER: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
echo $$ > "@ROOT@/started/ticker.pid"
printf 'Content-Type: text/plain\r\n\r\n'
i=0
while [ "$i" -lt 300 ]; do
    echo "tick $i"
    sleep 0.1
    i=$((i + 1))
done
"#;

/// Announces itself in `started/`, then waits (at most 20 s) for the file `gate` to appear.
const GATE: &str = r#"#!/bin/sh
# SOURCE-MARKER-of-a-cgi-script
: > "@ROOT@/started/gate-$$"
i=0
while [ ! -e "@ROOT@/gate" ] && [ "$i" -lt 400 ]; do
    sleep 0.05
    i=$((i + 1))
done
printf 'Content-Type: text/plain\r\n\r\nreleased\n'
"#;

// ---------------------------------------------------------------------------------------
// The fixture
// ---------------------------------------------------------------------------------------

/// A served directory full of test scripts, and `lesson03-cgi` serving it.
struct Cgi {
    server: ServerProcess,
    /// The served directory (canonical).
    root: PathBuf,
    /// Unique to this fixture; part of the names of the sleeper and ticker scripts.
    token: String,
    /// Kept last so the server is stopped before its directory is removed.
    _temp: TempDir,
}

impl Cgi {
    /// Writes this tree and starts `lesson03-cgi 0 -d ROOT FLAGS...` in ROOT, with
    /// [`SECRET`] added to the server's environment:
    ///
    /// ```text
    /// hello.txt                         HELLO
    /// cgi-bin/dump, cat, body-info, wc, chatty, relay, created, bad-status, redirect,
    ///         local-redirect, untyped, silent, no-colon, cr-inject, cookies, framing,
    ///         noisy, crash, segv, gate, sleeper-TOKEN, ticker-TOKEN   (all mode 0755)
    /// cgi-bin/not-executable            (mode 0644)
    /// cgi-bin/subdir/inner              (a directory, with a script in it)
    /// htbin/hi
    /// bin/napper-TOKEN -> sleep         (the sleeper's child, findable by name)
    /// linked -> cgi-bin, linked-dump -> cgi-bin/dump   (other ways to reach a script)
    /// started/                          (where scripts leave their process ids; mode 0777)
    /// ```
    fn start(label: &str, flags: &[&str]) -> Cgi {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let token = format!(
            "{}x{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let temp = TempDir::new(&format!("lesson03-cgi-{label}"));
        let root = temp.path().canonicalize().expect("the temp dir exists");
        let fill = |text: &str| {
            text.replace("@ROOT@", root.to_str().expect("a UTF-8 temp path"))
                .replace("@TOKEN@", &token)
        };
        fs::write(root.join("hello.txt"), HELLO).unwrap();
        for dir in ["cgi-bin/subdir", "htbin", "bin", "started"] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        // A server running as root runs its scripts as `nobody`, who must be able to write
        // here.
        fs::set_permissions(root.join("started"), fs::Permissions::from_mode(0o777)).unwrap();
        let scripts = [
            ("dump", DUMP),
            ("cat", CAT),
            ("body-info", BODY_INFO),
            ("wc", WC),
            ("chatty", CHATTY),
            ("relay", RELAY),
            ("created", CREATED),
            ("bad-status", BAD_STATUS),
            ("redirect", REDIRECT),
            ("local-redirect", LOCAL_REDIRECT),
            ("untyped", UNTYPED),
            ("silent", SILENT),
            ("no-colon", NO_COLON),
            ("cr-inject", CR_INJECT),
            ("cookies", COOKIES),
            ("framing", FRAMING),
            ("noisy", NOISY),
            ("crash", CRASH),
            ("segv", SEGV),
            ("gate", GATE),
            ("subdir/inner", DUMP),
        ];
        for (name, text) in scripts {
            write_script(&root.join("cgi-bin").join(name), &fill(text), 0o755);
        }
        let sleeper = root.join(format!("cgi-bin/sleeper-{token}"));
        write_script(&sleeper, &fill(SLEEPER), 0o755);
        let ticker = root.join(format!("cgi-bin/ticker-{token}"));
        write_script(&ticker, &fill(TICKER), 0o755);
        write_script(&root.join("cgi-bin/not-executable"), RELAY, 0o644);
        write_script(&root.join("htbin/hi"), HTBIN_HI, 0o755);
        symlink(sleep_program(), root.join(format!("bin/napper-{token}"))).unwrap();
        symlink("cgi-bin", root.join("linked")).unwrap();
        symlink("cgi-bin/dump", root.join("linked-dump")).unwrap();

        let root_arg = root.to_str().unwrap().to_string();
        let mut args = vec!["0", "-d", &root_arg];
        args.extend_from_slice(flags);
        let server = end_to_end::start_with_env("lesson03-cgi", &args, &root, &[SECRET]);
        Cgi {
            server,
            root,
            token,
            _temp: temp,
        }
    }

    /// The server's log so far, for failure messages (after a moment for it to arrive).
    fn log(&self) -> String {
        thread::sleep(Duration::from_millis(200));
        self.server.stderr()
    }

    /// Sends `request` on a new connection and reads until the server closes it.
    fn exchange(&self, request: &[u8]) -> Vec<u8> {
        let mut stream = self.server.connect();
        if let Err(err) = stream.write_all(request) {
            panic!(
                "sending the request failed: {err}; the server's stderr:\n{}",
                self.log()
            );
        }
        read_to_close(&mut stream).unwrap_or_else(|(what, received)| {
            panic!(
                "{what}, after receiving {:?}; the server's stderr:\n{}",
                String::from_utf8_lossy(&received),
                self.log()
            )
        })
    }

    /// Sends one request (which should say `Connection: close`) and parses its one answer.
    fn one(&self, request: &str) -> RawResponse {
        let bytes = self.exchange(request.as_bytes());
        self.single(request, &bytes)
    }

    /// The one response `bytes` hold, or a failure naming the request and the log.
    fn single(&self, request: &str, bytes: &[u8]) -> RawResponse {
        let is_head = request.starts_with("HEAD ");
        let (mut responses, rest) = parse_all(bytes, &[is_head]);
        assert!(
            responses.len() == 1 && rest.is_empty(),
            "expected one whole response to {request:?}, got {:?}; the server's stderr:\n{}",
            String::from_utf8_lossy(bytes),
            self.log()
        );
        responses.remove(0)
    }

    /// `GET target` with `Connection: close`.
    fn get(&self, target: &str) -> RawResponse {
        self.one(&request("GET", target, ""))
    }

    /// Asserts a status, showing the response and the log when it differs.
    fn assert_status(&self, response: &RawResponse, status: u16, what: &str) {
        assert_eq!(
            response.status,
            status,
            "{what}: the response was {response:?} ({:?}); the server's stderr:\n{}",
            response.text(),
            self.log()
        );
    }

    /// Runs `cgi-bin/dump` with `request` (its target should name the dump script) and
    /// returns what the script saw.
    fn dump(&self, request: &str) -> Dump {
        let response = self.one(request);
        self.assert_status(&response, 200, &format!("the dump script for {request:?}"));
        Dump::parse(&response.text())
    }

    /// The process id a script wrote into `started/NAME` (bounded wait for the file).
    fn started_pid(&self, name: &str) -> u32 {
        let path = self.root.join("started").join(name);
        let text = poll(Duration::from_secs(10), || {
            fs::read_to_string(&path)
                .ok()
                .filter(|text| text.ends_with('\n'))
        })
        .unwrap_or_else(|| {
            panic!(
                "the script never wrote {}; log:\n{}",
                path.display(),
                self.log()
            )
        });
        text.trim().parse().expect("a process id")
    }

    /// How many `gate` scripts have started.
    fn gates_started(&self) -> usize {
        fs::read_dir(self.root.join("started"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_name().to_string_lossy().starts_with("gate-"))
            .count()
    }

    /// Waits until the server has no zombie children (reaped within [`GONE_TIMEOUT`]).
    fn assert_no_zombies(&self) {
        let pid = self.server.pid();
        let left = poll(GONE_TIMEOUT, || {
            let zombies = zombie_children(pid);
            zombies.is_empty().then_some(())
        });
        assert!(
            left.is_some(),
            "the server (pid {pid}) left zombie children: {:?}; log:\n{}",
            zombie_children(pid),
            self.log()
        );
    }
}

/// What `cgi-bin/dump` printed: arguments, working directory, environment.
#[derive(Debug)]
struct Dump {
    args: Vec<String>,
    cwd: String,
    env: BTreeMap<String, String>,
}

impl Dump {
    fn parse(text: &str) -> Dump {
        let exports = text
            .find("export ")
            .unwrap_or_else(|| panic!("no `export` lines in the dump:\n{text}"));
        let (meta, env) = text.split_at(exports);
        let mut args = Vec::new();
        let mut argc = None;
        let mut cwd = None;
        for line in meta.lines() {
            match line.split_once('=') {
                Some(("argc", n)) => argc = n.parse::<usize>().ok(),
                Some(("arg", value)) => args.push(value.to_string()),
                Some(("cwd", value)) => cwd = Some(value.to_string()),
                _ => panic!("unexpected line {line:?} in the dump:\n{text}"),
            }
        }
        assert_eq!(argc, Some(args.len()), "argc and the arguments:\n{text}");
        Dump {
            args,
            cwd: cwd.unwrap_or_else(|| panic!("no cwd in the dump:\n{text}")),
            env: parse_exports(env),
        }
    }

    /// A variable's value, or `None` when it is not set.
    fn var(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }
}

/// Parses dash's `export -p`: lines `export NAME='value'`, where a `'` inside a value is
/// written `'"'"'` and a value may span lines.
fn parse_exports(text: &str) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    let mut rest = text;
    while let Some(line) = rest.strip_prefix("export ") {
        let name_end = line.find(['=', '\n']).unwrap_or(line.len());
        let name = line[..name_end].to_string();
        let mut chars = line[name_end..].char_indices().peekable();
        let mut value = String::new();
        let mut end = line.len();
        if line[name_end..].starts_with('=') {
            chars.next();
            loop {
                match chars.next() {
                    Some((_, quote @ ('\'' | '"'))) => {
                        for (_, c) in chars.by_ref() {
                            if c == quote {
                                break;
                            }
                            value.push(c);
                        }
                    }
                    Some((i, '\n')) => {
                        end = name_end + i + 1;
                        break;
                    }
                    Some((_, c)) => value.push(c),
                    None => break,
                }
            }
        } else {
            end = (name_end + 1).min(line.len());
        }
        vars.insert(name, value);
        rest = &line[end..];
    }
    assert!(rest.is_empty(), "unparsed `export -p` output: {rest:?}");
    vars
}

fn write_script(path: &Path, text: &str, mode: u32) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// The `sleep` program, for the sleeper's uniquely named link.
fn sleep_program() -> &'static str {
    ["/usr/bin/sleep", "/bin/sleep"]
        .into_iter()
        .find(|path| Path::new(path).exists())
        .expect("a sleep program")
}

/// A request with `Host: test`, `extra` header lines and `Connection: close`.
fn request(method: &str, target: &str, extra: &str) -> String {
    format!("{method} {target} HTTP/1.1\r\nHost: test\r\n{extra}Connection: close\r\n\r\n")
}

/// Calls `probe` every 20 ms until it returns something or `timeout` passes.
fn poll<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = probe() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Reads until the server closes; on an error or the deadline, says what happened.
fn read_to_close(stream: &mut TcpStream) -> Result<Vec<u8>, (String, Vec<u8>)> {
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut received = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(("the server did not close in time".into(), received));
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(received),
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(err) if is_retryable(&err) => {}
            Err(err) => return Err((format!("the connection failed: {err}"), received)),
        }
    }
}

/// Sends `request` to `addr` on a new connection and reads to close (for helper threads).
fn exchange_at(addr: SocketAddr, request: &str) -> Vec<u8> {
    let mut stream = end_to_end::connect(addr);
    stream.write_all(request.as_bytes()).unwrap();
    match read_to_close(&mut stream) {
        Ok(bytes) => bytes,
        Err((what, received)) => [what.as_bytes(), b": ", &received].concat(),
    }
}

// ---------------------------------------------------------------------------------------
// Parsing responses, chunked ones included
// ---------------------------------------------------------------------------------------

/// Parses the responses to requests whose methods were HEAD or not (`heads`), from a
/// stream that has ended; returns them and whatever bytes followed.
fn parse_all<'a>(mut bytes: &'a [u8], heads: &[bool]) -> (Vec<RawResponse>, &'a [u8]) {
    let mut responses = Vec::new();
    for &is_head in heads {
        match parse_response(bytes, is_head, true) {
            Some((response, used)) => {
                responses.push(response);
                bytes = &bytes[used..];
            }
            None => break,
        }
    }
    (responses, bytes)
}

/// Reads from an open connection until `heads.len()` whole responses have arrived.
fn read_responses(cgi: &Cgi, stream: &mut TcpStream, heads: &[bool]) -> Vec<RawResponse> {
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut received = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let mut rest = received.as_slice();
        let mut responses = Vec::new();
        for &is_head in heads {
            let Some((response, used)) = parse_response(rest, is_head, false) else {
                break;
            };
            responses.push(response);
            rest = &rest[used..];
        }
        if responses.len() == heads.len() {
            assert!(
                rest.is_empty(),
                "bytes after the last response: {:?}",
                String::from_utf8_lossy(rest)
            );
            return responses;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let so_far = String::from_utf8_lossy(&received).into_owned();
        assert!(
            !left.is_zero(),
            "{} responses never came: {so_far:?}; log:\n{}",
            heads.len(),
            cgi.log()
        );
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => panic!(
                "the server closed early after {so_far:?}; log:\n{}",
                cgi.log()
            ),
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(err) if is_retryable(&err) => {}
            Err(err) => panic!(
                "reading failed ({err}) after {so_far:?}; log:\n{}",
                cgi.log()
            ),
        }
    }
}

/// Everything after the first empty line of a raw response.
fn after_head(bytes: &[u8]) -> &[u8] {
    let end = find(bytes, b"\r\n\r\n").expect("a complete head");
    &bytes[end + 4..]
}

/// All values of a header (name in lower case).
fn all_values<'a>(response: &'a RawResponse, name: &str) -> Vec<&'a str> {
    response
        .headers
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Processes, through /proc
// ---------------------------------------------------------------------------------------

/// True while `pid` is a live process whose command line contains `token` (a recycled pid
/// that now belongs to another program does not count).
fn alive_with(pid: u32, token: &str) -> bool {
    procfs::cmdline(pid).is_some_and(|line| line.contains(token))
}

/// The zombie (state Z) children of `parent`, as `pid (comm)` strings.
fn zombie_children(parent: u32) -> Vec<String> {
    procfs::zombies(|ppid, _| ppid == parent)
}

// ---------------------------------------------------------------------------------------
// Scripts run; static files are still served
// ---------------------------------------------------------------------------------------

#[test]
fn static_files_are_still_served_outside_cgi_bin() {
    let cgi = Cgi::start("static", &[]);
    let response = cgi.get("/hello.txt");
    cgi.assert_status(&response, 200, "a static file");
    assert_eq!(response.text(), HELLO);
    assert_eq!(response.header("content-type"), Some("text/plain"));

    let listing = cgi.get("/");
    cgi.assert_status(&listing, 200, "the listing of the root");
    assert!(listing.text().contains("hello.txt"), "{}", listing.text());
}

#[test]
fn a_script_under_cgi_bin_runs_and_its_headers_and_body_are_relayed() {
    let cgi = Cgi::start("relay", &[]);
    let response = cgi.get("/cgi-bin/relay");
    cgi.assert_status(&response, 200, "a script without Status");
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(response.header("x-custom"), Some("custom value"));
    assert_eq!(response.text(), "relayed body\n");
    assert!(
        cgi.server
            .wait_for_stderr("\"GET /cgi-bin/relay HTTP/1.1\" 200", IO_TIMEOUT)
            .contains("/cgi-bin/relay")
    );
}

#[test]
fn a_script_under_htbin_runs_too_with_bare_lf_lines() {
    let cgi = Cgi::start("htbin", &[]);
    let response = cgi.get("/htbin/hi");
    cgi.assert_status(&response, 200, "a script in htbin/ whose lines end in LF");
    assert_eq!(response.header("content-type"), Some("text/plain"));
    assert_eq!(response.text(), "from htbin\n");
}

// ---------------------------------------------------------------------------------------
// The environment (RFC 3875 §4)
// ---------------------------------------------------------------------------------------

#[test]
fn the_environment_is_built_from_scratch() {
    let cgi = Cgi::start("scratch", &[]);
    let dump = cgi.dump(&request("GET", "/cgi-bin/dump", ""));
    assert_eq!(dump.var(SECRET.0), None, "the server's own variable leaked");
    let inherited: Vec<&String> = dump
        .env
        .keys()
        .filter(|name| name.starts_with("CARGO") || name.starts_with("RUST"))
        .collect();
    assert!(
        inherited.is_empty(),
        "variables of the test's environment reached the script: {inherited:?}"
    );
    let path = dump.var("PATH").unwrap_or_default();
    assert!(!path.is_empty(), "PATH is missing: {:?}", dump.env);
    // The scripts that use `cat`, `wc` or `sleep` rely on it.
    let response = cgi.one(&request("GET", "/cgi-bin/wc", ""));
    assert_eq!(response.text(), "0\n", "PATH finds `wc`");
}

#[test]
fn the_request_meta_variables_follow_rfc_3875() {
    let cgi = Cgi::start("meta", &[]);
    let mut stream = cgi.server.connect();
    let client_port = stream.local_addr().unwrap().port();
    let request = "GET /cgi-bin/dump/extra/path?a=1&b=%20x HTTP/1.1\r\n\
                   Host: example.test:8123\r\n\
                   User-Agent: cgi-test\r\n\
                   Connection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).unwrap();
    let bytes = read_to_close(&mut stream).unwrap_or_else(|(what, received)| {
        panic!("{what} after {received:?}; log:\n{}", cgi.log())
    });
    let response = cgi.single(request, &bytes);
    cgi.assert_status(&response, 200, "the dump");
    let dump = Dump::parse(&response.text());

    let port = cgi.server.addr.port().to_string();
    let client_port = client_port.to_string();
    let translated = format!("{}/extra/path", cgi.root.display());
    let expected = [
        ("GATEWAY_INTERFACE", "CGI/1.1"),
        ("SERVER_NAME", "example.test"),
        ("SERVER_PORT", port.as_str()),
        ("SERVER_PROTOCOL", "HTTP/1.1"),
        ("REQUEST_METHOD", "GET"),
        ("SCRIPT_NAME", "/cgi-bin/dump"),
        ("PATH_INFO", "/extra/path"),
        ("PATH_TRANSLATED", translated.as_str()),
        ("QUERY_STRING", "a=1&b=%20x"),
        ("REQUEST_URI", "/cgi-bin/dump/extra/path?a=1&b=%20x"),
        ("REMOTE_ADDR", "127.0.0.1"),
        ("REMOTE_PORT", client_port.as_str()),
        ("HTTP_HOST", "example.test:8123"),
        ("HTTP_USER_AGENT", "cgi-test"),
    ];
    let seen: Vec<(&str, Option<&str>)> = expected
        .iter()
        .map(|(name, _)| (*name, dump.var(name)))
        .collect();
    let wanted: Vec<(&str, Option<&str>)> = expected
        .iter()
        .map(|(name, value)| (*name, Some(*value)))
        .collect();
    assert_eq!(seen, wanted);
    assert_eq!(
        dump.var("SERVER_SOFTWARE"),
        response.header("server"),
        "SERVER_SOFTWARE names the server as its Server header does"
    );
    // No body: no CONTENT_TYPE and no CONTENT_LENGTH (RFC 3875 §4.1.2, §4.1.3).
    assert_eq!(dump.var("CONTENT_LENGTH"), None);
    assert_eq!(dump.var("CONTENT_TYPE"), None);
    // A query with `=` is never split into command-line arguments (§4.4).
    assert_eq!(dump.args, Vec::<String>::new());
    // The script runs in its own directory, as Apache and Go's net/http/cgi run it.
    assert_eq!(
        dump.cwd,
        cgi.root.join("cgi-bin").display().to_string(),
        "the script's working directory"
    );
}

#[test]
fn path_info_only_with_extra_path_and_query_string_always() {
    let cgi = Cgi::start("pathinfo", &[]);
    let plain = cgi.dump(&request("GET", "/cgi-bin/dump", ""));
    assert_eq!(
        plain.var("QUERY_STRING"),
        Some(""),
        "QUERY_STRING is always set"
    );
    assert_eq!(plain.var("PATH_INFO"), None);
    assert_eq!(plain.var("PATH_TRANSLATED"), None);
    assert_eq!(plain.var("SCRIPT_NAME"), Some("/cgi-bin/dump"));
    assert_eq!(plain.var("REQUEST_URI"), Some("/cgi-bin/dump"));

    let queried = cgi.dump(&request("GET", "/cgi-bin/dump?x=%41", ""));
    assert_eq!(
        queried.var("QUERY_STRING"),
        Some("x=%41"),
        "the query stays encoded"
    );
    assert_eq!(queried.var("PATH_INFO"), None);

    let nested = cgi.dump(&request("GET", "/cgi-bin/dump/a/b", ""));
    assert_eq!(nested.var("SCRIPT_NAME"), Some("/cgi-bin/dump"));
    assert_eq!(nested.var("PATH_INFO"), Some("/a/b"));
}

#[test]
fn a_script_in_a_folder_below_cgi_bin_runs_as_cpython_finds_it() {
    let cgi = Cgi::start("subfolder", &[]);
    // `cgi-bin/subdir` is a directory, so the walk goes down into it; `inner` is not, so it
    // is the script, and what follows it is PATH_INFO.
    let nested = cgi.dump(&request("GET", "/cgi-bin/subdir/inner/a/b?x=1", ""));
    assert_eq!(nested.var("SCRIPT_NAME"), Some("/cgi-bin/subdir/inner"));
    assert_eq!(nested.var("PATH_INFO"), Some("/a/b"));
    assert_eq!(nested.var("QUERY_STRING"), Some("x=1"));
    let script_file = cgi.root.join("cgi-bin/subdir/inner");
    assert_eq!(
        nested.var("SCRIPT_FILENAME"),
        Some(script_file.to_str().unwrap())
    );
    assert_eq!(
        nested.cwd,
        cgi.root.join("cgi-bin/subdir").display().to_string(),
        "the script runs in its own folder"
    );
    let plain = cgi.dump(&request("GET", "/cgi-bin/subdir/inner", ""));
    assert_eq!(plain.var("SCRIPT_NAME"), Some("/cgi-bin/subdir/inner"));
    assert_eq!(plain.var("PATH_INFO"), None);

    // The safety rules hold below the folder too.
    write_script(&cgi.root.join("cgi-bin/subdir/plain"), RELAY, 0o644);
    let not_executable = cgi.get("/cgi-bin/subdir/plain");
    cgi.assert_status(&not_executable, 403, "a script without the execute bit");
    assert!(!not_executable.text().contains(SOURCE_MARKER));
    cgi.assert_status(
        &cgi.get("/cgi-bin/subdir/missing/x"),
        404,
        "a missing script",
    );
    cgi.assert_status(
        &cgi.get("/cgi-bin/subdir/../dump"),
        404,
        "a `..` segment below the folder",
    );
    let outside = TempDir::new("lesson03-cgi-outside");
    write_script(&outside.path().join("run"), RELAY, 0o755);
    symlink(outside.path(), cgi.root.join("cgi-bin/escape")).unwrap();
    cgi.assert_status(
        &cgi.get("/cgi-bin/escape/run"),
        404,
        "a folder that leads out of the served directory",
    );
}

#[test]
fn server_name_and_protocol_come_from_the_request() {
    let cgi = Cgi::start("names", &[]);
    let v6 = cgi.dump(&request_with_host("[::1]:8080", "HTTP/1.1"));
    assert_eq!(
        v6.var("SERVER_NAME"),
        Some("[::1]"),
        "an IPv6 Host keeps its brackets"
    );
    let bare = cgi.dump(&request_with_host("plain.test", "HTTP/1.1"));
    assert_eq!(bare.var("SERVER_NAME"), Some("plain.test"));
    let old = cgi.dump(&request_with_host("old.test", "HTTP/1.0"));
    assert_eq!(old.var("SERVER_PROTOCOL"), Some("HTTP/1.0"));
    assert_eq!(old.var("SERVER_NAME"), Some("old.test"));
}

fn request_with_host(host: &str, version: &str) -> String {
    format!("GET /cgi-bin/dump {version}\r\nHost: {host}\r\nConnection: close\r\n\r\n")
}

#[test]
fn header_fields_become_http_variables_safely() {
    let cgi = Cgi::start("headers", &[]);
    let dump = cgi.dump(&request(
        "GET",
        "/cgi-bin/dump",
        "X-Multi: one\r\nX-Multi: two\r\n\
         Cookie: a=1\r\nCookie: b=2\r\n\
         X-Real: good\r\nX_Real: evil\r\nX_Evil: 1\r\n\
         Proxy: http://evil.example/\r\n\
         Authorization: Basic dXNlcjpwYXNz\r\n",
    ));
    assert_eq!(
        dump.var("HTTP_X_MULTI"),
        Some("one, two"),
        "duplicates merged"
    );
    assert_eq!(
        dump.var("HTTP_COOKIE"),
        Some("a=1; b=2"),
        "cookies merged with ; "
    );
    assert_eq!(
        dump.var("HTTP_X_REAL"),
        Some("good"),
        "a field with `_` must not pose as (or join) the one with `-`"
    );
    assert_eq!(
        dump.var("HTTP_X_EVIL"),
        None,
        "a field name with `_` is dropped"
    );
    assert_eq!(
        dump.var("HTTP_PROXY"),
        None,
        "httpoxy: Proxy never becomes HTTP_PROXY"
    );
    assert_eq!(
        dump.var("HTTP_AUTHORIZATION"),
        None,
        "credentials withheld by default"
    );
    let leaked: Vec<(&String, &String)> = dump
        .env
        .iter()
        .filter(|(_, value)| value.contains("dXNlcjpwYXNz") || value.contains("evil"))
        .collect();
    assert!(
        leaked.is_empty(),
        "hostile values reached the script: {leaked:?}"
    );
}

#[test]
fn pass_authorization_hands_the_credentials_to_the_script() {
    let cgi = Cgi::start("auth", &["--pass-authorization"]);
    let dump = cgi.dump(&request(
        "GET",
        "/cgi-bin/dump",
        "Authorization: Basic dXNlcjpwYXNz\r\n",
    ));
    assert_eq!(dump.var("HTTP_AUTHORIZATION"), Some("Basic dXNlcjpwYXNz"));
}

// ---------------------------------------------------------------------------------------
// The request body on standard input
// ---------------------------------------------------------------------------------------

#[test]
fn a_post_body_reaches_stdin_exactly_and_then_eof() {
    let cgi = Cgi::start("stdin", &[]);
    // Every byte value, line endings included, and something that looks like a request.
    let mut body: Vec<u8> = (0..=255u8).collect();
    body.extend_from_slice(b"\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    let mut request = format!(
        "POST /cgi-bin/cat HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    let bytes = cgi.exchange(&request);
    let response = cgi.single("POST /cgi-bin/cat", &bytes);
    cgi.assert_status(&response, 200, "cat of a POST body");
    assert_eq!(
        response.body, body,
        "the body arrives byte for byte, then EOF"
    );

    // Without a body, standard input is at its end at once.
    let empty = cgi.get("/cgi-bin/cat");
    cgi.assert_status(&empty, 200, "cat without a body");
    assert_eq!(empty.text(), "");
}

#[test]
fn content_type_and_length_are_set_only_with_a_body() {
    let cgi = Cgi::start("post-env", &[]);
    let mut request = request(
        "POST",
        "/cgi-bin/dump",
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n",
    );
    request.push_str("x=1");
    // The dump script never reads its body: the server must cope with that too.
    let dump = cgi.dump(&request);
    assert_eq!(dump.var("REQUEST_METHOD"), Some("POST"));
    assert_eq!(dump.var("CONTENT_LENGTH"), Some("3"));
    assert_eq!(
        dump.var("CONTENT_TYPE"),
        Some("application/x-www-form-urlencoded")
    );
}

#[test]
fn a_chunked_body_arrives_dechunked_with_content_length() {
    let cgi = Cgi::start("chunked", &[]);
    let request = "POST /cgi-bin/body-info HTTP/1.1\r\nHost: test\r\n\
                   Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
                   6\r\nhello \r\n5;ext=1\r\nworld\r\n0\r\n\r\n";
    let response = cgi.one(request);
    cgi.assert_status(&response, 200, "a chunked POST");
    assert_eq!(response.text(), "CONTENT_LENGTH=11\nbody=hello world");
}

#[test]
fn a_pipelined_request_after_a_post_is_not_fed_to_the_script() {
    let cgi = Cgi::start("pipelined", &[]);
    let both = "POST /cgi-bin/cat HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello\
                GET /hello.txt HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
    let mut stream = cgi.server.connect();
    stream.write_all(both.as_bytes()).unwrap();
    let responses = read_responses(&cgi, &mut stream, &[false, false]);
    cgi.assert_status(&responses[0], 200, "the POST");
    assert_eq!(responses[0].text(), "hello", "the script saw only its body");
    cgi.assert_status(&responses[1], 200, "the pipelined GET");
    assert_eq!(responses[1].text(), HELLO);
}

/// The large upload streams through a pipe: the server holds a few buffers of it at a time,
/// never the whole body. The bound — half the body, 5 MiB above the peak before the upload —
/// is far above what streaming needs (a few 64 KiB buffers and a thread's stack) and far
/// below what holding the body in memory needs (at least the body's 10 MiB).
#[test]
fn a_ten_mib_body_streams_through_in_bounded_memory() {
    let cgi = Cgi::start("upload", &[]);
    let post = |size: usize| -> RawResponse {
        let mut stream = cgi.server.connect();
        let head = format!(
            "POST /cgi-bin/wc HTTP/1.1\r\nHost: test\r\nContent-Length: {size}\r\n\
             Connection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).unwrap();
        let block = vec![b'z'; 64 * 1024];
        let mut sent = 0;
        while sent < size {
            let n = block.len().min(size - sent);
            if let Err(err) = stream.write_all(&block[..n]) {
                panic!(
                    "upload failed after {sent} bytes: {err}; log:\n{}",
                    cgi.log()
                );
            }
            sent += n;
        }
        let bytes = read_to_close(&mut stream).expect("the answer to the upload");
        cgi.single("POST /cgi-bin/wc", &bytes)
    };
    // A first, small upload pages in the CGI code paths before the baseline is read.
    let warm_up = post(1000);
    cgi.assert_status(&warm_up, 200, "the small upload");
    assert_eq!(warm_up.text(), "1000\n");
    let before = procfs::peak_rss(cgi.server.pid());

    let response = post(TEN_MIB);
    cgi.assert_status(&response, 200, "the 10 MiB upload");
    assert_eq!(response.text(), format!("{TEN_MIB}\n"));
    let after = procfs::peak_rss(cgi.server.pid());
    let bound = (TEN_MIB / 2) as u64;
    assert!(
        after.saturating_sub(before) < bound,
        "the server's peak memory grew by {} KiB (from {} KiB to {} KiB) during a {} KiB \
         upload; the bound is {} KiB",
        (after - before) / 1024,
        before / 1024,
        after / 1024,
        TEN_MIB / 1024,
        bound / 1024
    );
}

#[test]
fn a_script_that_answers_without_reading_its_body_does_not_deadlock() {
    // 1 MiB in, 1 MiB out, and the script never reads: a server that writes the whole
    // body before reading the answer waits forever on a full pipe (each holds 64 KiB).
    let cgi = Cgi::start("deadlock", &["--cgi-timeout", "60"]);
    let size = 1024 * 1024;
    let mut request = format!(
        "POST /cgi-bin/chatty HTTP/1.1\r\nHost: test\r\nContent-Length: {size}\r\n\
         Connection: close\r\n\r\n"
    )
    .into_bytes();
    request.resize(request.len() + size, b'q');
    let mut stream = cgi.server.connect();
    // The server may answer and close before taking the whole body: send from a thread.
    let mut writer = stream.try_clone().unwrap();
    let sender = thread::spawn(move || writer.write_all(&request));
    let started = Instant::now();
    let bytes = read_to_close(&mut stream).unwrap_or_else(|(what, received)| {
        panic!(
            "{what} after {} bytes: a deadlock between the body and the answer? log:\n{}",
            received.len(),
            cgi.log()
        )
    });
    let _ = sender.join();
    let response = cgi.single("POST /cgi-bin/chatty", &bytes);
    cgi.assert_status(&response, 200, "the chatty script");
    assert_eq!(response.body.len(), size);
    assert!(response.body.iter().all(|&b| b == b'x'));
    assert!(started.elapsed() < IO_TIMEOUT);
}

// ---------------------------------------------------------------------------------------
// Parsing the script's output (RFC 3875 §6)
// ---------------------------------------------------------------------------------------

#[test]
fn a_status_header_sets_the_status() {
    let cgi = Cgi::start("status", &[]);
    let response = cgi.get("/cgi-bin/created");
    cgi.assert_status(&response, 201, "Status: 201 Created");
    assert_eq!(response.text(), "created\n");
    assert_eq!(
        response.header("status"),
        None,
        "Status is not a response header"
    );
}

#[test]
fn an_invalid_status_is_502() {
    let cgi = Cgi::start("bad-status", &[]);
    let response = cgi.get("/cgi-bin/bad-status");
    cgi.assert_status(&response, 502, "Status: abc");
    assert!(
        !response.text().contains("bad status"),
        "{}",
        response.text()
    );
}

#[test]
fn an_absolute_location_is_a_302_redirect() {
    let cgi = Cgi::start("redirect", &[]);
    let response = cgi.get("/cgi-bin/redirect");
    cgi.assert_status(&response, 302, "Location: http://example.com/");
    assert_eq!(response.header("location"), Some("http://example.com/"));
}

/// RFC 3875 §6.2.2: a local Location (a path, no scheme) is a *local redirect*: the server
/// answers as if the client had asked for that path.
#[test]
fn a_local_location_is_served_as_an_internal_redirect() {
    let cgi = Cgi::start("local-redirect", &[]);
    let response = cgi.get("/cgi-bin/local-redirect");
    cgi.assert_status(&response, 200, "Location: /hello.txt");
    assert_eq!(response.text(), HELLO);
    assert_eq!(response.header("location"), None);
}

#[test]
fn broken_header_blocks_are_502() {
    let cgi = Cgi::start("broken", &[]);
    for (script, what) in [
        ("untyped", "no Content-Type, no Status, no Location"),
        ("silent", "no output at all"),
        ("no-colon", "a header line without a colon"),
    ] {
        let response = cgi.get(&format!("/cgi-bin/{script}"));
        cgi.assert_status(&response, 502, what);
    }
}

#[test]
fn a_carriage_return_inside_a_header_is_502_and_injects_nothing() {
    let cgi = Cgi::start("cr", &[]);
    let bytes = cgi.exchange(request("GET", "/cgi-bin/cr-inject", "").as_bytes());
    let response = cgi.single("GET /cgi-bin/cr-inject", &bytes);
    cgi.assert_status(&response, 502, "a CR inside X-A");
    assert!(
        find(&bytes, b"evil").is_none(),
        "the injected cookie reached the client: {:?}",
        String::from_utf8_lossy(&bytes)
    );
}

#[test]
fn two_set_cookie_lines_stay_two_header_lines() {
    let cgi = Cgi::start("cookies", &[]);
    let response = cgi.get("/cgi-bin/cookies");
    cgi.assert_status(&response, 200, "two Set-Cookie lines");
    assert_eq!(all_values(&response, "set-cookie"), ["a=1; Path=/", "b=2"]);
}

#[test]
fn the_server_frames_the_response_itself() {
    let cgi = Cgi::start("framing", &[]);
    // HTTP/1.1 and keep-alive: the script's Content-Length, Transfer-Encoding and
    // Connection are dropped; the body goes out chunked and the connection stays open.
    let mut stream = cgi.server.connect();
    let first = "GET /cgi-bin/framing HTTP/1.1\r\nHost: test\r\n\r\n";
    stream.write_all(first.as_bytes()).unwrap();
    let responses = read_responses(&cgi, &mut stream, &[false]);
    let response = &responses[0];
    cgi.assert_status(response, 200, "the framing script");
    assert_eq!(all_values(response, "transfer-encoding"), ["chunked"]);
    assert_eq!(all_values(response, "content-length"), Vec::<&str>::new());
    assert_eq!(all_values(response, "connection"), Vec::<&str>::new());
    assert_eq!(response.header("x-kept"), Some("yes"));
    assert_eq!(response.text(), "hello world\n");
    stream
        .write_all(b"GET /hello.txt HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .unwrap();
    let next = read_responses(&cgi, &mut stream, &[false]);
    assert_eq!(
        next[0].text(),
        HELLO,
        "the connection outlived the script's Connection: close"
    );

    // HTTP/1.0: no chunks; the body ends with the connection.
    let bytes = cgi.exchange(b"GET /cgi-bin/framing HTTP/1.0\r\nHost: test\r\n\r\n");
    let old = cgi.single("GET /cgi-bin/framing HTTP/1.0", &bytes);
    cgi.assert_status(&old, 200, "the framing script over HTTP/1.0");
    assert_eq!(old.header("transfer-encoding"), None);
    assert_eq!(old.text(), "hello world\n");
}

#[test]
fn head_gets_the_headers_and_no_body() {
    let cgi = Cgi::start("head", &[]);
    // HEAD then GET in one write: a stray body after the HEAD would garble the GET.
    let both = "HEAD /cgi-bin/relay HTTP/1.1\r\nHost: test\r\n\r\n\
                GET /cgi-bin/relay HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
    let bytes = cgi.exchange(both.as_bytes());
    let (responses, rest) = parse_all(&bytes, &[true, false]);
    assert!(
        responses.len() == 2 && rest.is_empty(),
        "expected two responses, got {:?}",
        String::from_utf8_lossy(&bytes)
    );
    cgi.assert_status(&responses[0], 200, "HEAD");
    assert_eq!(
        responses[0].header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(responses[1].text(), "relayed body\n");

    let bytes = cgi.exchange(request("HEAD", "/cgi-bin/relay", "").as_bytes());
    assert_eq!(after_head(&bytes), b"", "HEAD must not send a body");
}

// ---------------------------------------------------------------------------------------
// stderr, timeouts, disconnects, crashes
// ---------------------------------------------------------------------------------------

#[test]
fn a_scripts_stderr_goes_to_the_log_escaped_and_never_to_the_client() {
    let cgi = Cgi::start("stderr", &[]);
    let bytes = cgi.exchange(request("GET", "/cgi-bin/noisy", "").as_bytes());
    let response = cgi.single("GET /cgi-bin/noisy", &bytes);
    cgi.assert_status(&response, 200, "a script that writes to stderr");
    assert_eq!(response.text(), "quiet body\n");
    assert!(find(&bytes, b"noisy-stderr-marker").is_none());
    let log = cgi
        .server
        .wait_for_stderr("noisy-stderr-marker", IO_TIMEOUT);
    assert!(
        !log.contains('\x1b'),
        "a raw ESC byte reached the server's log:\n{log:?}"
    );
    assert!(
        log.contains("\\x1b[31m"),
        "the ESC is shown escaped:\n{log}"
    );
}

#[test]
fn a_script_past_its_timeout_gets_504_and_is_killed() {
    let cgi = Cgi::start("timeout", &["--cgi-timeout", "0.5"]);
    let started = Instant::now();
    let response = cgi.get(&format!("/cgi-bin/sleeper-{}", cgi.token));
    let took = started.elapsed();
    cgi.assert_status(&response, 504, "a script that sleeps 30 s, timeout 0.5 s");
    assert!(took < Duration::from_secs(5), "the 504 took {took:?}");

    // The script and the child it started are both gone.
    let shell = cgi.started_pid("sleeper.pid");
    let child = cgi.started_pid("napper.pid");
    let gone = poll(GONE_TIMEOUT, || {
        let left = procfs::processes_with(&cgi.token);
        (left.is_empty() && !alive_with(shell, "sleeper") && !alive_with(child, "napper"))
            .then_some(())
    });
    assert!(
        gone.is_some(),
        "processes of the timed-out script are still running: {:?}; log:\n{}",
        procfs::processes_with(&cgi.token),
        cgi.log()
    );
    cgi.assert_no_zombies();
}

#[test]
fn a_script_that_exits_leaving_a_process_on_its_output_is_answered_whole() {
    // A long timeout: only the script's exit may end the response.
    let cgi = Cgi::start("leftover", &["--cgi-timeout", "120"]);
    let leaver = format!(
        "#!/bin/sh\n\
         printf 'Content-Type: text/plain\\r\\n\\r\\nleft a helper running\\n'\n\
         \"{root}/bin/napper-{token}\" 30 &\n\
         echo $! > \"{root}/started/left.pid\"\n\
         exit 0\n",
        root = cgi.root.display(),
        token = cgi.token
    );
    write_script(&cgi.root.join("cgi-bin/leaver"), &leaver, 0o755);
    // Keep-alive, so that only a complete chunked body (its last chunk) ends the response.
    let mut stream = cgi.server.connect();
    stream
        .write_all(b"GET /cgi-bin/leaver HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    let responses = read_responses(&cgi, &mut stream, &[false]);
    cgi.assert_status(&responses[0], 200, "a script that left a process behind");
    assert_eq!(responses[0].text(), "left a helper running\n");
    // The connection is still usable: the response ended properly.
    stream
        .write_all(b"GET /hello.txt HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .unwrap();
    let next = read_responses(&cgi, &mut stream, &[false]);
    cgi.assert_status(&next[0], 200, "the next request on the connection");

    // What the script left behind was ended, and the log says so.
    let left = cgi.started_pid("left.pid");
    let gone = poll(GONE_TIMEOUT, || (!alive_with(left, "napper")).then_some(()));
    assert!(
        gone.is_some(),
        "the process the script left is still running; log:\n{}",
        cgi.log()
    );
    cgi.server
        .wait_for_stderr("a process it started was still running", IO_TIMEOUT);
    cgi.assert_no_zombies();
}

#[test]
fn a_client_that_disconnects_gets_its_script_killed() {
    // A long timeout, so that only the disconnect can stop the script in time.
    let cgi = Cgi::start("disconnect", &["--cgi-timeout", "120"]);
    let mut stream = cgi.server.connect();
    let request = format!(
        "GET /cgi-bin/ticker-{} HTTP/1.1\r\nHost: test\r\n\r\n",
        cgi.token
    );
    stream.write_all(request.as_bytes()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    let ticking = poll(IO_TIMEOUT, || {
        match stream.read(&mut chunk) {
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(err) if is_retryable(&err) => {}
            Err(err) => panic!("reading the ticks failed: {err}"),
        }
        find(&received, b"tick 1").map(|_| ())
    });
    assert!(
        ticking.is_some(),
        "the ticker never ticked: {:?}; log:\n{}",
        String::from_utf8_lossy(&received),
        cgi.log()
    );
    let pid = cgi.started_pid("ticker.pid");
    assert!(
        alive_with(pid, &cgi.token),
        "the ticker runs while its client listens"
    );
    drop(stream);

    let gone = poll(GONE_TIMEOUT, || {
        (!alive_with(pid, &cgi.token)).then_some(())
    });
    assert!(
        gone.is_some(),
        "the script of a client that left still runs: {:?}; log:\n{}",
        procfs::processes_with(&cgi.token),
        cgi.log()
    );
    cgi.assert_no_zombies();
}

#[test]
fn a_crashing_script_is_502() {
    let cgi = Cgi::start("crash", &[]);
    for (script, what) in [("crash", "exit 1 without output"), ("segv", "SIGSEGV")] {
        let response = cgi.get(&format!("/cgi-bin/{script}"));
        cgi.assert_status(&response, 502, what);
    }
    // How each one ended is in the log, for the person running the server.
    cgi.server.wait_for_stderr("status 1", IO_TIMEOUT);
    cgi.server.wait_for_stderr("signal 11", IO_TIMEOUT);
    cgi.assert_no_zombies();
}

#[test]
fn scripts_that_cannot_run_are_403_or_404() {
    let cgi = Cgi::start("refusals", &[]);
    let not_executable = cgi.get("/cgi-bin/not-executable");
    cgi.assert_status(&not_executable, 403, "a script without the execute bit");
    assert!(!not_executable.text().contains(SOURCE_MARKER));
    cgi.assert_status(&cgi.get("/cgi-bin/missing"), 404, "a missing script");
    cgi.assert_status(
        &cgi.get("/cgi-bin/subdir"),
        403,
        "a directory under cgi-bin",
    );
    cgi.assert_status(
        &cgi.get("/cgi-bin/subdir/"),
        403,
        "a directory, with its slash",
    );
    // This folder has no index script, so its page links nowhere.
    let folder = cgi.get("/cgi-bin/");
    cgi.assert_status(&folder, 403, "the script folder itself");
    assert!(!folder.text().contains("<a "), "{}", folder.text());
}

#[test]
fn the_source_of_a_script_is_never_served() {
    let cgi = Cgi::start("source", &[]);
    let spellings = [
        "/cgi-bin%2fdump",
        "/cgi-bin%2Fdump",
        "//cgi-bin/dump",
        "/./cgi-bin/dump",
        "/cgi-bin/./dump",
        "/cgi-bin//dump",
        "/CGI-BIN/dump",
        "/Cgi-Bin/dump",
        "/cgi-bin./dump",
        "/cgi-bin%20/dump",
        "/cgi-bin%00/dump",
        "/%63gi-bin/dump",
        "/cgi-bin/%64ump",
        "/cgi-bin/dump%00",
        "/cgi-bin/dump.",
        "/cgi-bin/dump/",
        "/cgi-bin/dump%2f",
        "/cgi-bin\\dump",
        "/cgi-bin%5cdump",
        "/htbin/../cgi-bin/dump",
        "/htbin/%2e%2e/cgi-bin/dump",
        "/x/../cgi-bin/dump",
        "/cgi-bin",
        "/cgi-bin/",
        "/cgi-bin/not-executable",
        "/linked/dump",
        "/linked/",
        "/linked-dump",
        "/cgi-bin%2fnot-executable",
        "/htbin%2fhi",
        "http://test/cgi-bin%2fdump",
    ];
    let mut leaks = Vec::new();
    let mut unanswered = Vec::new();
    for target in spellings {
        for method in ["GET", "HEAD"] {
            let bytes = cgi.exchange(request(method, target, "").as_bytes());
            if find(&bytes, SOURCE_MARKER.as_bytes()).is_some() {
                leaks.push(format!("{method} {target}"));
            }
            // An empty or garbled reply would hold no source either, and prove nothing:
            // every request must get a real answer.
            if parse_response(&bytes, method == "HEAD", true).is_none() {
                unanswered.push(format!(
                    "{method} {target}: {:?}",
                    String::from_utf8_lossy(&bytes)
                ));
            }
        }
    }
    assert_eq!(
        leaks,
        Vec::<String>::new(),
        "these requests got a script's source"
    );
    assert_eq!(
        unanswered,
        Vec::<String>::new(),
        "these requests got no well-formed response"
    );
}

// ---------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------

#[test]
fn past_max_scripts_a_request_gets_503_and_then_succeeds_again() {
    let cgi = Cgi::start("cap", &["--max-scripts", "2", "--cgi-timeout", "60"]);
    let addr = cgi.server.addr;
    let gate = request("GET", "/cgi-bin/gate", "");
    thread::scope(|scope| {
        let waiting: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| exchange_at(addr, &gate)))
            .collect();
        let both = poll(IO_TIMEOUT, || (cgi.gates_started() == 2).then_some(()));
        assert!(
            both.is_some(),
            "two gate scripts never ran; log:\n{}",
            cgi.log()
        );

        let third = cgi.get("/cgi-bin/dump");
        cgi.assert_status(&third, 503, "a third script while two run, --max-scripts 2");
        assert_eq!(third.header("retry-after"), Some("1"));
        let file = cgi.get("/hello.txt");
        cgi.assert_status(&file, 200, "a static file is not a script");

        fs::write(cgi.root.join("gate"), "open").unwrap();
        for thread in waiting {
            let bytes = thread.join().unwrap();
            let response = cgi.single("GET /cgi-bin/gate", &bytes);
            cgi.assert_status(&response, 200, "a gate script once released");
            assert_eq!(response.text(), "released\n");
        }
    });
    // The slots are given back: a script runs again (a slot may be returned a moment after
    // its response was sent, so a 503 is retried until the deadline).
    let again = poll(Duration::from_secs(5), || {
        let response = cgi.get("/cgi-bin/dump");
        (response.status != 503).then_some(response)
    });
    let again =
        again.unwrap_or_else(|| panic!("still 503 after the scripts ended; log:\n{}", cgi.log()));
    cgi.assert_status(&again, 200, "a script after the others ended");
    cgi.assert_no_zombies();
}

#[test]
fn other_clients_are_served_while_a_script_runs() {
    let cgi = Cgi::start("parallel", &["--cgi-timeout", "60"]);
    let addr = cgi.server.addr;
    let gate = request("GET", "/cgi-bin/gate", "");
    thread::scope(|scope| {
        let slow = scope.spawn(|| exchange_at(addr, &gate));
        let running = poll(IO_TIMEOUT, || (cgi.gates_started() == 1).then_some(()));
        assert!(
            running.is_some(),
            "the gate script never ran; log:\n{}",
            cgi.log()
        );

        // The gate script waits until the file `gate` says "open", which is written only
        // below: these two are answered while it runs, however long they take.
        let file = cgi.get("/hello.txt");
        cgi.assert_status(&file, 200, "a static file while a script runs");
        let script = cgi.get("/cgi-bin/relay");
        cgi.assert_status(&script, 200, "another script while one runs");

        fs::write(cgi.root.join("gate"), "open").unwrap();
        let bytes = slow.join().unwrap();
        let response = cgi.single("GET /cgi-bin/gate", &bytes);
        assert_eq!(response.text(), "released\n");
    });
}

// ---------------------------------------------------------------------------------------
// The repository's own scripts, from the workspace root
// ---------------------------------------------------------------------------------------

/// Starts `lesson03-cgi 0` in the workspace root once `cgi-bin/NAME` exists (the scripts
/// are written alongside the server; the wait is bounded).
fn repository_server(name: &str) -> ServerProcess {
    let script = end_to_end::workspace_root().join("cgi-bin").join(name);
    let exists = poll(Duration::from_secs(60), || script.exists().then_some(()));
    assert!(exists.is_some(), "{} does not exist", script.display());
    end_to_end::start("lesson03-cgi", &["0"])
}

/// One request to a repository script, answered in full.
fn ask(server: &ServerProcess, request: &str) -> RawResponse {
    let bytes = exchange_at(server.addr, request);
    let (mut responses, _) = parse_all(&bytes, &[false]);
    assert_eq!(
        responses.len(),
        1,
        "no whole response to {request:?}: {:?}; log:\n{}",
        String::from_utf8_lossy(&bytes),
        server.stderr()
    );
    responses.remove(0)
}

#[test]
fn repository_index_lists_the_scripts() {
    let server = repository_server("index");
    let response = ask(&server, &request("GET", "/cgi-bin/index", ""));
    assert_eq!(response.status, 200, "{}", server.stderr());
    let page = response.text();
    for script in ["hello", "hello-rust", "form-rust", "env", "sums"] {
        assert!(
            page.contains(&format!("href=\"{script}")),
            "no link to {script} in:\n{page}"
        );
    }
}

#[test]
fn the_script_folder_itself_is_403_with_a_link_to_the_index_script() {
    let server = repository_server("index");
    for target in ["/cgi-bin/", "/cgi-bin"] {
        let response = ask(&server, &request("GET", target, ""));
        assert_eq!(response.status, 403, "{target}: {}", response.text());
        let page = response.text();
        assert!(page.contains("this folder holds scripts"), "{page}");
        assert!(
            page.contains("<a href=\"/cgi-bin/index\">"),
            "{target}: no link to /cgi-bin/index in:\n{page}"
        );
    }
}

#[test]
fn repository_sums_adds_its_operands() {
    let server = repository_server("sums");
    let target = "/cgi-bin/sums?operand=1&operand=2&operand=39";
    let response = ask(&server, &request("GET", target, ""));
    assert_eq!(response.status, 200, "{}", server.stderr());
    assert!(response.text().contains("42"), "{}", response.text());
}

#[test]
fn repository_sums_refuses_a_value_that_is_not_a_number() {
    let server = repository_server("sums");
    let target = "/cgi-bin/sums?operand=1&operand=abc";
    let response = ask(&server, &request("GET", target, ""));
    assert_eq!(response.status, 400, "{}", response.text());
    assert!(response.text().contains("abc"), "{}", response.text());
}

#[test]
fn repository_env_shows_an_escaped_table() {
    let server = repository_server("env");
    let response = ask(
        &server,
        &request("GET", "/cgi-bin/env?who=x", "X-Probe: <b>probe</b>&\r\n"),
    );
    assert_eq!(response.status, 200, "{}", server.stderr());
    assert!(
        response
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        response.headers
    );
    let page = response.text();
    assert!(page.contains("<table"), "no table in:\n{page}");
    assert!(
        page.contains("HTTP_X_PROBE"),
        "the probe header is missing:\n{page}"
    );
    assert!(
        page.contains("&lt;b&gt;probe&lt;/b&gt;&amp;"),
        "not escaped:\n{page}"
    );
    assert!(
        !page.contains("<b>probe</b>"),
        "raw markup from the request:\n{page}"
    );
}

#[test]
fn repository_hello_counts_visits_in_a_cookie() {
    let server = repository_server("hello");
    let visits = |cookie: &str| -> u64 {
        let response = ask(&server, &request("GET", "/cgi-bin/hello", cookie));
        assert_eq!(response.status, 200, "{}", server.stderr());
        let set_cookie = response
            .header("set-cookie")
            .unwrap_or_else(|| panic!("no Set-Cookie: {:?}", response.headers));
        set_cookie
            .strip_prefix("visits=")
            .and_then(|rest| rest.split(';').next())
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("not a visits cookie: {set_cookie:?}"))
    };
    let first = visits("");
    let second = visits(&format!("Cookie: visits={first}\r\n"));
    assert_eq!(second, first + 1, "the counter counts up");
}

#[test]
fn repository_form_rust_reads_a_form_like_lesson04() {
    let server = repository_server("form-rust");
    let body = "user=James+%26+Nancy+Kirk&user2=&vote=Y&pets=dog&pets=cat&comments=";
    let extra = format!(
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        body.len()
    );
    let head = request("POST", "/cgi-bin/form-rust?hi=john%20doe", &extra);
    let response = ask(&server, &format!("{head}{body}"));
    assert_eq!(response.status, 200, "{}", server.stderr());
    assert_eq!(
        response.text(),
        "Form:\nhi ['john doe']\nuser ['James & Nancy Kirk']\nuser2 ['']\nvote ['Y']\n\
         pets ['dog', 'cat']\ncomments ['']\n"
    );

    let boundary = "---------------------------9849436581144108930470211272";
    let upload = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"myfile\"; filename=\"text1\"\r\n\
         Content-Type: application/octet-stream\r\n\r\nThis is a test.\nIt is only a test.\n\r\n\
         --{boundary}--\r\n"
    );
    let extra = format!(
        "Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n",
        upload.len()
    );
    let head = request("POST", "/cgi-bin/form-rust", &extra);
    let response = ask(&server, &format!("{head}{upload}"));
    assert_eq!(response.status, 200, "{}", server.stderr());
    let text = response.text();
    assert!(
        text.starts_with("Form:\nmyfile [<file 'text1'>]\n"),
        "{text}"
    );
    assert!(text.contains("myfile 'text1' 35 bytes sha256 "), "{text}");

    let bad = ask(&server, &request("GET", "/cgi-bin/form-rust?a=%FF", ""));
    assert_eq!(bad.status, 400, "{}", bad.text());
}

#[test]
fn repository_hello_rust_answers() {
    let server = repository_server("hello-rust");
    let response = ask(&server, &request("GET", "/cgi-bin/hello-rust", ""));
    assert_eq!(
        response.status,
        200,
        "{}; log:\n{}",
        response.text(),
        server.stderr()
    );
    // The Rust program's own page, not the wrapper's "not built yet" answer or some other:
    // its title, the script name it was run as, and the visit counter's first cookie.
    let page = response.text();
    assert!(
        page.contains("<title>Hello from a Rust CGI program</title>"),
        "{page}"
    );
    assert!(
        page.contains("<h1>CGI program: /cgi-bin/hello-rust</h1>"),
        "{page}"
    );
    assert!(
        page.contains("You visited this page <b>1</b> time"),
        "{page}"
    );
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let cookie = response.header("set-cookie").unwrap_or("");
    assert!(cookie.starts_with("visits=1;"), "{cookie}");
}

#[test]
fn descriptors_the_server_inherited_never_reach_a_script() {
    let temp = TempDir::new("lesson03-cgi-fds");
    let root = temp.path().canonicalize().expect("the temp dir exists");
    fs::create_dir_all(root.join("cgi-bin")).unwrap();
    let list_fds = "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nls /proc/self/fd\n";
    write_script(&root.join("cgi-bin/fds"), list_fds, 0o755);
    // A shell's `exec 7<file` opens descriptor 7 without close-on-exec: the control shows it
    // does reach a program the shell starts…
    let leak = "exec 7</dev/null; exec \"$0\" \"$@\"";
    let control = Command::new("sh")
        .args(["-c", leak, "sh", "-c", "ls /proc/self/fd"])
        .output()
        .unwrap();
    let control = String::from_utf8_lossy(&control.stdout).into_owned();
    assert!(control.lines().any(|fd| fd == "7"), "{control}");

    // …while the server, started the same way, closes it before any script runs.
    let binary = end_to_end::binary("lesson03-cgi");
    let mut command = Command::new("sh");
    command
        .args(["-c", leak])
        .arg(&binary)
        .args(["0", "-d", root.to_str().unwrap()])
        .current_dir(&root);
    let server = end_to_end::start_command("lesson03-cgi", command);
    let response = exchange_at(server.addr, &request("GET", "/cgi-bin/fds", ""));
    let responses = end_to_end::parse_responses(&response);
    assert_eq!(responses.len(), 1, "{}", String::from_utf8_lossy(&response));
    let listed = responses[0].text();
    assert!(listed.lines().any(|fd| fd == "2"), "{listed}");
    assert!(
        !listed.lines().any(|fd| fd == "7"),
        "fd 7 leaked:\n{listed}"
    );
}

/// Copies the repository's cgi-bin/ into `to`, keeping each script's mode.
fn copy_repository_scripts(to: &Path) {
    copy_tree(&end_to_end::workspace_root().join("cgi-bin"), to);
}

/// Copies the folder `from` into `to` with its subfolders (cgi-bin/exercises/...), keeping
/// each entry's mode.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let destination = to.join(entry.file_name());
        let metadata = entry.metadata().unwrap();
        if metadata.is_dir() {
            copy_tree(&entry.path(), &destination);
        } else {
            fs::copy(entry.path(), &destination).unwrap();
        }
        let mode = metadata.permissions().mode();
        fs::set_permissions(&destination, fs::Permissions::from_mode(mode)).unwrap();
    }
}

#[test]
fn as_root_in_a_private_home_every_repository_script_answers_200() {
    if !end_to_end::running_as_root() {
        end_to_end::skip_unless_ci("this test is about a server started as root");
        return;
    }
    // The usual container: the workbench cloned into /root (mode 700), run as root.
    let temp = TempDir::new("lesson03-root-home");
    let home = temp.path().join("root");
    let checkout = home.join("workbench");
    copy_repository_scripts(&checkout.join("cgi-bin"));
    // hello-rust looks for the lesson03-cgi binary in ../target/debug.
    symlink(
        end_to_end::binary("lesson03-cgi")
            .parent()
            .unwrap()
            .parent()
            .unwrap(),
        checkout.join("target"),
    )
    .unwrap();
    fs::write(checkout.join("README.md"), "# the workbench\n").unwrap();
    fs::set_permissions(&home, fs::Permissions::from_mode(0o700)).unwrap();

    let server = end_to_end::start_in("lesson03-cgi", &["0"], &checkout);
    let note = server.wait_for_stdout("CGI scripts run as root too", IO_TIMEOUT);
    assert!(note.contains("this machine only (127.0.0.1)"), "{note}");
    for target in [
        "/cgi-bin/index",
        "/cgi-bin/hello",
        "/cgi-bin/env",
        "/cgi-bin/sums?operand=1&operand=41",
        "/cgi-bin/hello-rust",
        "/cgi-bin/form-rust?x=1",
        "/README.md",
    ] {
        let response = ask(&server, &request("GET", target, ""));
        assert_eq!(
            response.status,
            200,
            "{target}: {}; log:\n{}",
            response.text(),
            server.stderr()
        );
    }
}

#[test]
fn as_root_a_served_folder_only_root_may_enter_is_served() {
    if !end_to_end::running_as_root() {
        end_to_end::skip_unless_ci("this test is about a server started as root");
        return;
    }
    let temp = TempDir::new("lesson03-root-private");
    let served = temp.path().join("private");
    fs::create_dir(&served).unwrap();
    fs::write(served.join("notes.txt"), "only root may read this folder\n").unwrap();
    fs::set_permissions(&served, fs::Permissions::from_mode(0o700)).unwrap();
    let served_arg = served.to_str().unwrap();
    let server = end_to_end::start("lesson03-cgi", &["0", "-d", served_arg]);
    server.wait_for_stdout("so the server stays root", IO_TIMEOUT);
    let response = ask(&server, &request("GET", "/notes.txt", ""));
    assert_eq!(response.status, 200, "log:\n{}", server.stderr());
    assert_eq!(response.text(), "only root may read this folder\n");
}
