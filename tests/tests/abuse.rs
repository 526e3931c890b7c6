//! Abuse tests: the real servers under hostile load, on loopback only.
//!
//! Where `http_core.rs` checks each limit with one polite client, these tests behave like an
//! attacker: hundreds of connections that each trickle a request head (slowloris), more
//! connections than the cap, inputs far past every size limit streamed as fast as the server
//! will take them, and a CGI script that starts process after process. Each test checks what
//! the attack gets (408, 503, 414, 431, 413, 504), that the normal requests around it keep
//! succeeding, and — for the scripts — that no process and no zombie is left behind.
//!
//! Like every end-to-end test, they run the real binaries on port 0 and never sleep for a
//! fixed time to let something happen: every wait is a bounded poll, every loop is bounded
//! in count and in time. They assert behaviour — served, refused, closed — never how fast:
//! the time bounds are there to end a hang (a client's timeout, a bounded wait), not to
//! judge speed, which the benchmarks measure. The processes are inspected through `/proc`, so
//! these tests need Linux.
#![cfg(target_os = "linux")]

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use end_to_end::{
    RawResponse, ServerProcess, TempDir, agent, is_retryable, parse_response, parse_responses,
    procfs, read_until_close, start_in,
};

/// The longest one exchange may take before the test fails.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// How many slowloris connections the first test opens (fewer if descriptors are short).
const SLOWLORIS_CONNECTIONS: usize = 300;
/// The body of the static file served to the normal clients.
const HELLO: &str = "Hello, abuse!\n";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// `lesson02-http` serving a temporary directory holding `hello.txt`.
struct Site {
    server: ServerProcess,
    /// Kept last so the server is stopped before its directory is removed.
    _dir: TempDir,
}

impl Site {
    /// Starts `lesson02-http 0 -d DIR FLAGS...`.
    fn start(label: &str, flags: &[&str]) -> Site {
        let dir = TempDir::new(&format!("abuse-{label}"));
        fs::write(dir.path().join("hello.txt"), HELLO).unwrap();
        let root = dir.path().to_str().expect("a UTF-8 temp path").to_string();
        let mut args = vec!["0", "-d", &root];
        args.extend_from_slice(flags);
        let server = start_in("lesson02-http", &args, dir.path());
        Site { server, _dir: dir }
    }

    /// The server's log, for failure messages (after a moment for it to arrive).
    fn log(&self) -> String {
        log_of(&self.server)
    }
}

/// A server's stderr, after a moment for the collecting thread to catch up.
fn log_of(server: &ServerProcess) -> String {
    thread::sleep(Duration::from_millis(200));
    let log = server.stderr();
    // The access log of hundreds of connections is long: its end tells what went wrong.
    let tail: Vec<&str> = log.lines().rev().take(40).collect();
    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
}

/// One normal client request: a GET of `path` on a fresh connection (ureq, with
/// `Connection: close`, and its own timeout against a hang). Returns the status and the body,
/// or panics with the log.
fn normal_get(server: &ServerProcess, path: &str) -> (u16, String) {
    let started = Instant::now();
    let result = agent()
        .get(&server.url(path))
        .header("Connection", "close")
        .call();
    let took = started.elapsed();
    let mut response = result.unwrap_or_else(|err| {
        panic!(
            "a normal GET {path} failed after {took:?}: {err}; log:\n{}",
            log_of(server)
        )
    });
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    (status, body)
}

/// Asserts that a normal GET of the static file succeeds.
fn assert_served(server: &ServerProcess, what: &str) {
    let (status, body) = normal_get(server, "/hello.txt");
    assert_eq!(
        (status, body.as_str()),
        (200, HELLO),
        "a normal request {what}; log:\n{}",
        log_of(server)
    );
}

/// Reads one whole response (framed by Content-Length) from an open connection.
fn read_one_response(stream: &mut TcpStream) -> Result<RawResponse, String> {
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut received = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some((response, _)) = parse_response(&received, false, false) {
            return Ok(response);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let so_far = String::from_utf8_lossy(&received).into_owned();
        if left.is_zero() {
            return Err(format!("no whole response in time: {so_far:?}"));
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => return Err(format!("closed before a whole response: {so_far:?}")),
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(err) if is_retryable(&err) => {}
            Err(err) => return Err(format!("reading failed ({err}) after {so_far:?}")),
        }
    }
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

/// The soft and hard limits on open files of this process, from `/proc/self/limits`.
fn open_file_limits() -> (usize, usize) {
    let limits = fs::read_to_string("/proc/self/limits").expect("/proc/self/limits");
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .expect("a Max open files line");
    let mut numbers = line["Max open files".len()..]
        .split_whitespace()
        .map(|word| word.parse::<usize>().unwrap_or(usize::MAX));
    let soft = numbers.next().expect("a soft limit");
    let hard = numbers.next().expect("a hard limit");
    (soft, hard)
}

/// Raises this process's soft limit on open files towards `wanted` (never past the hard
/// limit), with util-linux's `prlimit` when it is installed; returns the soft limit now in
/// force. A server started afterwards inherits it.
fn raise_open_file_limit(wanted: usize) -> usize {
    let (soft, hard) = open_file_limits();
    if soft >= wanted {
        return soft;
    }
    let target = wanted.min(hard);
    // The soft limit only (`SOFT:`), of this very process; a missing prlimit changes nothing.
    let _ = Command::new("prlimit")
        .arg(format!("--pid={}", std::process::id()))
        .arg(format!("--nofile={target}:"))
        .status();
    open_file_limits().0
}

/// How many descriptors (sockets, files) a process has open (`/proc/PID/fd`).
fn open_descriptors(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |dir| dir.count())
}

// ---------------------------------------------------------------------------------------
// Slowloris: hundreds of trickling heads, normal clients still served
// ---------------------------------------------------------------------------------------

/// How one slowloris connection ended.
#[derive(Debug, Default)]
struct SlowEnd {
    /// Everything the server sent.
    received: Vec<u8>,
    /// When the server's answer (or close) was seen, after the connection opened.
    after: Option<Duration>,
    /// The server closed the connection (end of file).
    closed: bool,
    /// The connection failed (a reset, a broken pipe), with the error.
    failed: Option<String>,
}

/// Sends one more byte of an endless head to each connection still open, reads whatever
/// the server sent, round after round, until every connection has ended or `bound` passes.
/// One byte per connection every 100 ms: always busy, never finished.
fn trickle(
    mut slow: Vec<(TcpStream, Instant)>,
    still_open: &AtomicUsize,
    bound: Duration,
) -> Vec<SlowEnd> {
    let trickled = b"GET /slow HTTP/1.1\r\nHost: test\r\nX-Slow: ";
    let mut ends: Vec<SlowEnd> = slow.iter().map(|_| SlowEnd::default()).collect();
    // The first byte, `G`, was sent when each connection opened.
    let mut sent = vec![1usize; slow.len()];
    let started = Instant::now();
    let mut chunk = [0u8; 4096];
    while still_open.load(Ordering::SeqCst) > 0 && started.elapsed() < bound {
        for (index, (stream, opened)) in slow.iter_mut().enumerate() {
            let end = &mut ends[index];
            if end.closed || end.failed.is_some() {
                continue;
            }
            let mut finished = false;
            loop {
                match stream.read(&mut chunk) {
                    Ok(0) => {
                        end.closed = true;
                        finished = true;
                        break;
                    }
                    Ok(n) => end.received.extend_from_slice(&chunk[..n]),
                    Err(err) if err.kind() == ErrorKind::WouldBlock => break,
                    Err(err) if err.kind() == ErrorKind::Interrupted => {}
                    Err(err) => {
                        end.failed = Some(err.to_string());
                        finished = true;
                        break;
                    }
                }
            }
            if !end.received.is_empty() || finished {
                end.after.get_or_insert(opened.elapsed());
            }
            if finished {
                still_open.fetch_sub(1, Ordering::SeqCst);
                continue;
            }
            // Once the answer has started, only listen (the server closes after it).
            if end.received.is_empty() {
                let byte = trickled.get(sent[index]).copied().unwrap_or(b'a');
                match stream.write(&[byte]) {
                    Ok(_) => sent[index] += 1,
                    Err(err) if err.kind() == ErrorKind::WouldBlock => {}
                    Err(err) => {
                        end.failed = Some(format!("writing: {err}"));
                        end.after.get_or_insert(opened.elapsed());
                        still_open.fetch_sub(1, Ordering::SeqCst);
                    }
                }
            }
        }
        thread::sleep(Duration::from_millis(100));
    }
    ends
}

#[test]
fn slowloris_connections_are_cut_off_while_normal_requests_succeed() {
    // Each slow connection costs this process one descriptor and the server one descriptor
    // and one thread; keep a margin for everything else.
    let soft = raise_open_file_limit(SLOWLORIS_CONNECTIONS + 200);
    let count = SLOWLORIS_CONNECTIONS.min(soft.saturating_sub(200));
    assert!(
        count >= 50,
        "only {soft} open files allowed: too few for a slowloris test"
    );
    if count < SLOWLORIS_CONNECTIONS {
        eprintln!("open-file limit {soft}: {count} slowloris connections instead of 300");
    }
    let header_timeout = Duration::from_secs(2);
    let site = Site::start("slowloris", &["--header-timeout", "2"]);
    let server = &site.server;

    // Open every slow connection and send its first bytes; the server's header deadline for
    // each starts no earlier than its connection, so none can be cut off before `held_until`.
    // They are opened in batches that the server has accepted (each connection is an open
    // descriptor of the server) before the next: a burst larger than the listen backlog would
    // have its SYNs dropped and retried a second later, which only measures the kernel.
    let base_descriptors = open_descriptors(server.pid());
    let mut slow = Vec::with_capacity(count);
    let first_opened = Instant::now();
    while slow.len() < count {
        for _ in 0..(count - slow.len()).min(50) {
            let opened = Instant::now();
            let mut stream = TcpStream::connect_timeout(&server.addr, IO_TIMEOUT)
                .unwrap_or_else(|e| panic!("slow connection {} failed: {e}", slow.len()));
            stream.write_all(b"G").unwrap();
            stream.set_nonblocking(true).unwrap();
            slow.push((stream, opened));
        }
        let accepted = base_descriptors + slow.len();
        poll(IO_TIMEOUT, || {
            (open_descriptors(server.pid()) >= accepted).then_some(())
        });
    }
    let all_opened = first_opened.elapsed();

    let still_open = AtomicUsize::new(count);
    // Generous: the header timeout, a lingering close, a loaded machine.
    let bound = header_timeout + Duration::from_secs(15);
    let (ends, normal) = thread::scope(|scope| {
        let trickler = scope.spawn(|| trickle(slow, &still_open, bound));

        // Normal clients, one after another on fresh connections, while the attack lasts
        // (and a few after): every one is answered.
        let mut served = 0usize;
        let mut served_during_the_attack = 0usize;
        let deadline = Instant::now() + bound;
        let mut after_the_attack = 0;
        while after_the_attack < 5 && Instant::now() < deadline {
            assert_served(
                server,
                &format!(
                    "with {} slow connections open",
                    still_open.load(Ordering::SeqCst)
                ),
            );
            served += 1;
            if still_open.load(Ordering::SeqCst) > 0 {
                served_during_the_attack += 1;
            }
            if still_open.load(Ordering::SeqCst) == 0 {
                after_the_attack += 1;
            } else {
                thread::sleep(Duration::from_millis(20));
            }
        }
        (trickler.join().unwrap(), (served, served_during_the_attack))
    });
    let (served, served_during_the_attack) = normal;

    // Every slow connection was cut off: a 408 with `Connection: close`, then the close.
    let mut statuses = std::collections::BTreeMap::new();
    let mut latest = Duration::ZERO;
    let mut problems = Vec::new();
    for (index, end) in ends.iter().enumerate() {
        let responses = parse_responses(&end.received);
        let status = responses.first().map_or(0, |r| r.status);
        *statuses.entry(status).or_insert(0usize) += 1;
        latest = latest.max(end.after.unwrap_or(bound));
        let closing = responses
            .first()
            .is_some_and(|r| r.header("connection") == Some("close"));
        if !(end.closed && responses.len() == 1 && status == 408 && closing) {
            problems.push(format!(
                "#{index}: closed {}, failed {:?}, after {:?}, received {:?}",
                end.closed,
                end.failed,
                end.after,
                String::from_utf8_lossy(&end.received)
            ));
        }
    }
    eprintln!(
        "slowloris: {count} connections opened in {all_opened:?}; statuses {statuses:?}; \
         the last cut off {latest:?} after it opened; {served} normal requests served, \
         {served_during_the_attack} of them while slow connections were open"
    );
    assert!(
        problems.is_empty(),
        "{} of {count} slow connections did not end with 408 and a close: {:?}; log:\n{}",
        problems.len(),
        &problems[..problems.len().min(5)],
        site.log()
    );
    // Cut off at the header timeout, not at some later time (generous for a loaded machine).
    assert!(
        latest < header_timeout + Duration::from_secs(6),
        "the last slow connection was cut off {latest:?} after it opened"
    );
    // The server was not just idle: normal requests were answered while slow connections
    // were still open (counted when each answer had arrived, whatever the timing).
    assert!(
        served_during_the_attack > 0,
        "no normal request finished while slow connections were open \
         (they took {all_opened:?} to open)"
    );
    assert_served(server, "after the attack");
}

// ---------------------------------------------------------------------------------------
// The connection cap
// ---------------------------------------------------------------------------------------

#[test]
fn a_storm_of_silent_connections_past_the_cap_leaves_the_next_client_a_503() {
    // Issue 15, item 4: the refusal used to wait 20 ms on the accept thread for each client's
    // request, so a storm of clients that send nothing queued every later client behind
    // seconds of waiting. The accept loop must never wait on a client: with 600 silent
    // connections refused first, a real client still gets its 503 (within the hang bound).
    const CAP: usize = 4;
    const STORM: usize = 600;
    let site = Site::start(
        "storm",
        &[
            "--max-connections",
            "4",
            "--header-timeout",
            "60",
            "--keep-alive-timeout",
            "60",
        ],
    );
    let server = &site.server;
    let request = b"GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n";
    let mut held = Vec::with_capacity(CAP);
    for index in 0..CAP {
        let mut stream = server.connect();
        stream.write_all(request).unwrap();
        let response = read_one_response(&mut stream)
            .unwrap_or_else(|e| panic!("held connection {index}: {e}; log:\n{}", site.log()));
        assert_eq!(response.status, 200, "held connection {index}");
        held.push(stream);
    }
    // The storm: connections that send nothing at all, kept open by this test.
    let silent: Vec<TcpStream> = (0..STORM).map(|_| server.connect()).collect();
    // A real client after it.
    let mut client = server.connect();
    client.write_all(request).unwrap();
    let bytes =
        read_until_close(&mut client, IO_TIMEOUT).closed_by_server("the client after the storm");
    let responses = parse_responses(&bytes);
    assert!(
        responses.len() == 1 && responses[0].status == 503,
        "the client after the storm got {:?}; log:\n{}",
        String::from_utf8_lossy(&bytes),
        site.log()
    );
    // Every silent connection was refused too, and closed.
    let mut refused = 0;
    for mut stream in silent {
        let received = read_until_close(&mut stream, IO_TIMEOUT);
        if received.ended_by_server()
            && parse_responses(&received.bytes).first().map(|r| r.status) == Some(503)
        {
            refused += 1;
        }
    }
    assert_eq!(
        refused, STORM,
        "silent connections refused with 503 and closed"
    );
    drop(held);
}

#[test]
fn past_the_connection_cap_extra_clients_get_503_until_places_free_up() {
    const CAP: usize = 20;
    let site = Site::start(
        "cap",
        &[
            "--max-connections",
            "20",
            "--header-timeout",
            "30",
            "--keep-alive-timeout",
            "30",
        ],
    );
    let server = &site.server;
    let request = b"GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n";

    // Fill the cap with connections the server is surely serving: each gets one answer and
    // stays open (keep-alive); half of them then start a next head and stall, slowloris-style.
    let mut held = Vec::with_capacity(CAP);
    for index in 0..CAP {
        let mut stream = server.connect();
        stream.write_all(request).unwrap();
        let response = read_one_response(&mut stream)
            .unwrap_or_else(|e| panic!("held connection {index}: {e}; log:\n{}", site.log()));
        assert_eq!(response.status, 200, "held connection {index}");
        if index % 2 == 1 {
            stream.write_all(b"GET /hello.txt HTTP/1.1\r\nHo").unwrap();
        }
        held.push(stream);
    }

    // Twenty more, held open too: each is refused at once with 503 and Retry-After, and closed.
    let mut extras = Vec::with_capacity(CAP);
    for index in 0..CAP {
        let mut stream = server.connect();
        // Half send a request, half nothing at all: the refusal does not wait for either.
        if index % 2 == 0 {
            stream.write_all(request).unwrap();
        }
        let bytes = read_until_close(&mut stream, IO_TIMEOUT)
            .closed_by_server(&format!("extra connection {index}"));
        let responses = parse_responses(&bytes);
        let refused = responses.len() == 1
            && responses[0].status == 503
            && responses[0].header("retry-after") == Some("1")
            && responses[0].header("connection") == Some("close");
        assert!(
            refused,
            "extra connection {index} got {:?}; log:\n{}",
            String::from_utf8_lossy(&bytes),
            site.log()
        );
        extras.push(stream);
    }
    // A client library sees the same.
    let (status, _) = normal_get(server, "/hello.txt");
    assert_eq!(status, 503, "a normal GET while the cap is full");

    // The held connections are still served while the extras are refused.
    for (index, stream) in held.iter_mut().enumerate().step_by(2) {
        stream.write_all(request).unwrap();
        let response = read_one_response(stream)
            .unwrap_or_else(|e| panic!("held connection {index} again: {e}"));
        assert_eq!(
            response.status, 200,
            "held connection {index}, second request"
        );
    }

    // Once the held connections close, new clients are served again (a place is freed when
    // the server has seen the close: retried until the deadline).
    for stream in &held {
        let _ = stream.shutdown(Shutdown::Both);
    }
    drop(held);
    drop(extras);
    let served = poll(IO_TIMEOUT, || {
        let (status, body) = normal_get(server, "/hello.txt");
        (status == 200).then_some(body)
    });
    assert_eq!(
        served.as_deref(),
        Some(HELLO),
        "still refused after the held connections closed; log:\n{}",
        site.log()
    );
    // And the whole cap is usable again: CAP connections at once, each served and held
    // (a connection refused because an earlier one was not yet deregistered is retried).
    let mut again = Vec::with_capacity(CAP);
    while again.len() < CAP {
        let served = poll(IO_TIMEOUT, || {
            let mut stream = server.connect();
            stream.write_all(request).ok()?;
            let response = read_one_response(&mut stream).ok()?;
            (response.status == 200).then_some(stream)
        });
        let stream = served.unwrap_or_else(|| {
            panic!(
                "only {} connections served again after the cap freed up; log:\n{}",
                again.len(),
                site.log()
            )
        });
        again.push(stream);
    }
    // Every refusal is in the log.
    let logged = poll(IO_TIMEOUT, || {
        let refused = server.stderr().matches("refused with 503").count();
        (refused > CAP).then_some(refused)
    });
    assert!(
        logged.is_some(),
        "{} refusals logged, expected over {CAP}",
        server.stderr().matches("refused with 503").count()
    );
}

// ---------------------------------------------------------------------------------------
// Size limits, far past each one
// ---------------------------------------------------------------------------------------

/// A flood of bytes past one limit, and the statuses that may answer it.
struct Flood {
    what: &'static str,
    /// Sent first: usually a request head, or its start.
    prefix: Vec<u8>,
    /// Sent again and again after the prefix.
    filler: Vec<u8>,
    /// Sent last, if the flood gets that far: what would make the request whole.
    suffix: Vec<u8>,
    /// About how many bytes in all.
    total: usize,
    /// The statuses that may answer it.
    expected: Vec<u16>,
}

/// What a flood got: the server's bytes, and how much of the flood was sent.
struct Flooded {
    received: Vec<u8>,
    sent: usize,
}

/// Sends `prefix`, then `filler` again and again, then `suffix`, up to `total` bytes, on a
/// thread, while reading the answer here; the writer stops as soon as an answer arrives, or
/// when the server closes. (Loopback's socket buffers can take megabytes, so how much was
/// sent says little about how much the server read: its memory is checked instead.)
fn flood(addr: SocketAddr, flood: &Flood) -> Flooded {
    let mut stream = end_to_end::connect(addr);
    let mut writer = stream.try_clone().unwrap();
    let answered = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(Mutex::new(0usize));
    let (prefix, filler, suffix) = (
        flood.prefix.clone(),
        flood.filler.clone(),
        flood.suffix.clone(),
    );
    let total = flood.total;
    let writing = {
        let (answered, sent) = (Arc::clone(&answered), Arc::clone(&sent));
        thread::spawn(move || {
            let mut count = 0;
            let chunks = std::iter::once(prefix.as_slice())
                .chain(std::iter::repeat_n(
                    filler.as_slice(),
                    total.saturating_sub(prefix.len() + suffix.len()) / filler.len().max(1),
                ))
                .chain(std::iter::once(suffix.as_slice()));
            for chunk in chunks {
                if answered.load(Ordering::SeqCst) || writer.write_all(chunk).is_err() {
                    break;
                }
                count += chunk.len();
            }
            *sent.lock().unwrap() = count;
        })
    };
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut received = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    while Instant::now() < deadline {
        let left = deadline - Instant::now();
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                received.extend_from_slice(&chunk[..n]);
                answered.store(true, Ordering::SeqCst);
            }
            Err(err) if is_retryable(&err) => {}
            Err(_) => break,
        }
    }
    answered.store(true, Ordering::SeqCst);
    // Unblocks a writer stuck on a full socket.
    let _ = stream.shutdown(Shutdown::Both);
    writing.join().unwrap();
    let sent = *sent.lock().unwrap();
    Flooded { received, sent }
}

#[test]
fn every_size_limit_refuses_a_flood_and_the_next_request_is_served() {
    let site = Site::start(
        "limits",
        &[
            "--dump",
            "--max-request-line",
            "1024",
            "--max-header-bytes",
            "4096",
            "--max-headers",
            "20",
            "--max-body",
            "65536",
            "--header-timeout",
            "30",
            "--body-timeout",
            "30",
        ],
    );
    let server = &site.server;
    const MIB: usize = 1024 * 1024;
    // Each flood is larger than anything the server should ever hold for one request.
    const FLOOD: usize = 16 * MIB;
    assert_served_dump(server, "before the floods");
    let baseline = procfs::peak_rss(server.pid());
    let chunk_of = |size: usize| {
        let mut chunk = format!("{size:x}\r\n").into_bytes();
        chunk.extend(std::iter::repeat_n(b'c', size));
        chunk.extend_from_slice(b"\r\n");
        chunk
    };
    let post = |framing: &str| format!("POST /up HTTP/1.1\r\nHost: test\r\n{framing}\r\n\r\n");
    let header_line = format!("X-Pad: {}\r\n", "p".repeat(100));
    let cases = [
        Flood {
            what: "a request line of 16 MiB (limit 1024 bytes)",
            prefix: b"GET /".to_vec(),
            filler: vec![b'a'; 16 * 1024],
            suffix: b" HTTP/1.1\r\nHost: test\r\n\r\n".to_vec(),
            total: FLOOD,
            expected: vec![414],
        },
        Flood {
            what: "16 MiB of header lines (limit 4096 bytes)",
            prefix: b"GET / HTTP/1.1\r\nHost: test\r\n".to_vec(),
            filler: header_line.into_bytes(),
            suffix: b"\r\n".to_vec(),
            total: FLOOD,
            expected: vec![431],
        },
        Flood {
            what: "one header line of 16 MiB (limit 4096 bytes)",
            prefix: b"GET / HTTP/1.1\r\nHost: test\r\nX-Big: ".to_vec(),
            filler: vec![b'b'; 16 * 1024],
            suffix: b"\r\n\r\n".to_vec(),
            total: FLOOD,
            expected: vec![431],
        },
        Flood {
            what: "a hundred thousand tiny header lines (limit 20 fields)",
            prefix: b"GET / HTTP/1.1\r\nHost: test\r\n".to_vec(),
            filler: b"a: b\r\n".to_vec(),
            suffix: b"\r\n".to_vec(),
            total: 600_000,
            expected: vec![431],
        },
        Flood {
            what: "a declared Content-Length of 10^18 (limit 65536), no body sent",
            prefix: post("Content-Length: 1000000000000000000").into_bytes(),
            filler: Vec::new(),
            suffix: Vec::new(),
            total: 0,
            expected: vec![413],
        },
        Flood {
            what: "a declared Content-Length of 65537 (limit 65536), the body streaming",
            prefix: post("Content-Length: 65537").into_bytes(),
            filler: vec![b'x'; 16 * 1024],
            suffix: Vec::new(),
            total: FLOOD,
            expected: vec![413],
        },
        Flood {
            what: "16 MiB of chunks of 16 KiB (limit 65536)",
            prefix: post("Transfer-Encoding: chunked").into_bytes(),
            filler: chunk_of(16 * 1024),
            suffix: b"0\r\n\r\n".to_vec(),
            total: FLOOD,
            expected: vec![413],
        },
        Flood {
            what: "one chunk declared ffffffffffffffff, then 16 MiB of it",
            prefix: [
                post("Transfer-Encoding: chunked").as_bytes(),
                b"ffffffffffffffff\r\n",
            ]
            .concat(),
            filler: vec![b'c'; 16 * 1024],
            suffix: Vec::new(),
            total: FLOOD,
            expected: vec![413],
        },
        Flood {
            what: "16 MiB of trailer lines (limit 4096 bytes)",
            prefix: [
                post("Transfer-Encoding: chunked").as_bytes(),
                b"3\r\nabc\r\n0\r\n",
            ]
            .concat(),
            filler: b"X-Trailer: tttttttttttttttttttttttttttttt\r\n".to_vec(),
            suffix: b"\r\n".to_vec(),
            total: FLOOD,
            expected: vec![431],
        },
        Flood {
            what: "a chunk-size line of 16 MiB of extensions (limit 4096 bytes)",
            prefix: [post("Transfer-Encoding: chunked").as_bytes(), b"3"].concat(),
            filler: b";name=value".to_vec(),
            suffix: b"\r\nabc\r\n0\r\n\r\n".to_vec(),
            total: FLOOD,
            expected: vec![400],
        },
        Flood {
            what: "a Content-Length past 2^64",
            prefix: post("Content-Length: 99999999999999999999999").into_bytes(),
            filler: Vec::new(),
            suffix: Vec::new(),
            total: 0,
            expected: vec![400, 413],
        },
    ];
    let floods = cases.iter().filter(|case| case.total == FLOOD).count();
    for case in cases {
        let (what, expected) = (case.what, &case.expected);
        let flooded = flood(server.addr, &case);
        let responses = parse_responses(&flooded.received);
        let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
        assert!(
            statuses.len() == 1 && expected.contains(&statuses[0]),
            "{what}: expected one of {expected:?}, got {statuses:?} ({:?}) after sending {} \
             bytes; log:\n{}",
            String::from_utf8_lossy(&flooded.received),
            flooded.sent,
            site.log()
        );
        assert_eq!(
            responses[0].header("connection"),
            Some("close"),
            "{what}: a refused connection is closed"
        );
        // The server carries on: the next client is served.
        assert_served_dump(server, &format!("after {what}"));
    }
    // At the limits exactly, everything is accepted (the limits are not off by one).
    let mut at_limit = post("Content-Length: 65536\r\nConnection: close").into_bytes();
    at_limit.extend(std::iter::repeat_n(b'x', 65_536));
    let at_limit = Flood {
        what: "a body of exactly the limit",
        total: at_limit.len(),
        prefix: at_limit,
        filler: Vec::new(),
        suffix: Vec::new(),
        expected: vec![200],
    };
    let flooded = flood(server.addr, &at_limit);
    let responses = parse_responses(&flooded.received);
    assert_eq!(
        responses.first().map(|r| r.status),
        Some(200),
        "a body of exactly 65536 bytes"
    );
    // Nothing of the floods was kept: the server's peak memory grew by less than half of
    // one flood (a server that buffered a flood to find its end would grow by all of it).
    let peak = procfs::peak_rss(server.pid());
    eprintln!(
        "limits: the server's peak RSS went from {} KiB to {} KiB during {} floods of {} MiB",
        baseline / 1024,
        peak / 1024,
        floods,
        FLOOD / MIB
    );
    assert!(
        peak.saturating_sub(baseline) < (FLOOD / 2) as u64,
        "the server's peak RSS grew from {} KiB to {} KiB",
        baseline / 1024,
        peak / 1024
    );
}

/// Asserts that a normal GET gets the dump server's 200 answer.
fn assert_served_dump(server: &ServerProcess, what: &str) {
    let (status, body) = normal_get(server, "/normal");
    assert!(
        status == 200 && body.contains("Path: /normal"),
        "a normal request {what} got {status}: {body}"
    );
}

// ---------------------------------------------------------------------------------------
// A CGI script that forks repeatedly
// ---------------------------------------------------------------------------------------

/// How many times the forking script's loop runs; each round starts two sleepers.
const FORK_ROUNDS: usize = 25;
/// The concurrency cap given to lesson03.
const MAX_SCRIPTS: usize = 4;

/// Announces itself in `started/`, then starts sleepers in a bounded loop — never an
/// unbounded fork bomb — half as its own children, half orphaned at once by a subshell that
/// exits (they are reparented, but stay in the script's process group), prints nothing
/// and waits. Only the time limit ends it. `@ROOT@`, `@TOKEN@` and `@ROUNDS@` are filled in.
const FORKER: &str = r#"#!/bin/sh
: > "@ROOT@/started/forker-$$"
i=0
while [ "$i" -lt @ROUNDS@ ]; do
    "@ROOT@/bin/fk-@TOKEN@" 30 &
    ( "@ROOT@/bin/fk-@TOKEN@" 30 & )
    i=$((i + 1))
done
wait
"#;

const HELLO_SCRIPT: &str = "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nhello\\n'\n";

/// The `sleep` program, linked under a name unique to this test.
fn sleep_program() -> &'static str {
    ["/usr/bin/sleep", "/bin/sleep"]
        .into_iter()
        .find(|path| Path::new(path).exists())
        .expect("a sleep program")
}

/// Zombies that are the server's children, or that were one of our processes (a zombie has
/// no command line, but keeps its name: `fk-TOKEN` or `fb-TOKEN`), with their parents.
fn zombies(server: u32, token: &str) -> Vec<String> {
    procfs::zombies(|parent, name| parent == server || name.contains(token))
}

#[test]
fn trickling_request_bodies_leave_the_cgi_slots_to_other_clients() {
    // Issue 15, item 1: lesson03 took a script slot before it read the body, so clients that
    // only trickle a body held every slot as long as they liked, and everyone else got 503.
    const MAX_SCRIPTS: usize = 2;
    const TRICKLERS: usize = 8;
    let temp = TempDir::new("abuse-trickle");
    let root: PathBuf = temp.path().canonicalize().unwrap();
    fs::create_dir_all(root.join("cgi-bin")).unwrap();
    let script = root.join("cgi-bin/hello");
    fs::write(&script, HELLO_SCRIPT).unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let root_arg = root.to_str().unwrap().to_string();
    let server = start_in(
        "lesson03-cgi",
        &[
            "0",
            "-d",
            &root_arg,
            "--max-scripts",
            "2",
            "--body-timeout",
            "60",
        ],
        &root,
    );
    // More trickling clients than slots: each announces ten million bytes and sends a few.
    let mut tricklers: Vec<TcpStream> = (0..TRICKLERS)
        .map(|_| {
            let mut stream = server.connect();
            stream
                .write_all(
                    b"POST /cgi-bin/hello HTTP/1.1\r\nHost: test\r\n\
                      Content-Length: 10000000\r\n\r\nfirst bytes",
                )
                .unwrap();
            stream
        })
        .collect();
    // Wait until the server is reading their bodies (a trickle more from each, answered by
    // nothing), then ask for the script the normal way, several times over the slots.
    for stream in &mut tricklers {
        stream.write_all(b" and a few more").unwrap();
    }
    for attempt in 0..(MAX_SCRIPTS * 2) {
        let (status, body) = normal_get(&server, "/cgi-bin/hello");
        assert_eq!(
            (status, body.as_str()),
            (200, "hello\n"),
            "request {attempt} while {TRICKLERS} bodies trickle; log:\n{}",
            log_of(&server)
        );
    }
    drop(tricklers);
}

#[test]
fn a_forking_cgi_script_is_capped_stopped_by_its_timeout_and_leaves_nothing_behind() {
    // Short, so that the names of the script and its sleepers fit in a process name (15
    // bytes), which is all that is left of a zombie.
    let token = format!("ab{}", std::process::id());
    let temp = TempDir::new("abuse-cgi");
    let root: PathBuf = temp.path().canonicalize().unwrap();
    for dir in ["cgi-bin", "bin", "started"] {
        fs::create_dir_all(root.join(dir)).unwrap();
    }
    // A server running as root runs its scripts as `nobody`, who must be able to write here.
    fs::set_permissions(root.join("started"), fs::Permissions::from_mode(0o777)).unwrap();
    let forker = FORKER
        .replace("@ROOT@", root.to_str().unwrap())
        .replace("@TOKEN@", &token)
        .replace("@ROUNDS@", &FORK_ROUNDS.to_string());
    let script_name = format!("fb-{token}");
    for (name, text) in [
        (script_name.as_str(), forker.as_str()),
        ("hello", HELLO_SCRIPT),
    ] {
        let path = root.join("cgi-bin").join(name);
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    symlink(sleep_program(), root.join(format!("bin/fk-{token}"))).unwrap();
    fs::write(root.join("hello.txt"), HELLO).unwrap();

    let root_arg = root.to_str().unwrap().to_string();
    let server = start_in(
        "lesson03-cgi",
        &[
            "0",
            "-d",
            &root_arg,
            "--max-scripts",
            "4",
            "--cgi-timeout",
            "2",
        ],
        &root,
    );
    let log = || log_of(&server);
    let started_scripts = || {
        fs::read_dir(root.join("started"))
            .unwrap()
            .filter_map(Result::ok)
            .count()
    };
    let request =
        format!("GET /cgi-bin/{script_name} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    let addr = server.addr;
    // Each script may have itself, its subshells (at most one at a time per round) and two
    // sleepers per round alive.
    let per_script = 1 + FORK_ROUNDS + 2 * FORK_ROUNDS;
    let mut most_alive = 0;

    thread::scope(|scope| {
        let running: Vec<_> = (0..MAX_SCRIPTS)
            .map(|_| {
                scope.spawn(|| {
                    let started = Instant::now();
                    let mut stream = end_to_end::connect(addr);
                    stream.write_all(request.as_bytes()).unwrap();
                    let bytes = read_until_close(&mut stream, Duration::from_secs(20))
                        .closed_by_server("a running script's connection");
                    (bytes, started.elapsed())
                })
            })
            .collect();
        let all_running = poll(IO_TIMEOUT, || {
            (started_scripts() == MAX_SCRIPTS).then_some(())
        });
        assert!(
            all_running.is_some(),
            "{} of {MAX_SCRIPTS} forking scripts started; log:\n{}",
            started_scripts(),
            log()
        );

        // More requests while four run: each is refused with 503 at once, and starts nothing.
        let refused: Vec<_> = (0..MAX_SCRIPTS)
            .map(|_| {
                scope.spawn(|| {
                    let mut stream = end_to_end::connect(addr);
                    stream.write_all(request.as_bytes()).unwrap();
                    read_until_close(&mut stream, IO_TIMEOUT)
                        .closed_by_server("a refused script request")
                })
            })
            .collect();
        for thread in refused {
            let bytes = thread.join().unwrap();
            let responses = parse_responses(&bytes);
            assert!(
                responses.len() == 1
                    && responses[0].status == 503
                    && responses[0].header("retry-after") == Some("1"),
                "a fifth forking script while four run got {:?}; log:\n{}",
                String::from_utf8_lossy(&bytes),
                log()
            );
        }
        assert_eq!(
            started_scripts(),
            MAX_SCRIPTS,
            "a refused request started a script"
        );

        // While they run, the process count stays within what four scripts can start.
        while running.iter().any(|thread| !thread.is_finished()) {
            let alive = procfs::processes_with(&token).len();
            most_alive = most_alive.max(alive);
            assert!(
                alive <= MAX_SCRIPTS * per_script,
                "{alive} processes of the forking scripts alive, cap {}",
                MAX_SCRIPTS * per_script
            );
            thread::sleep(Duration::from_millis(50));
        }

        // Each running script was stopped by its time limit: 504, within a bounded time.
        for thread in running {
            let (bytes, took) = thread.join().unwrap();
            let responses = parse_responses(&bytes);
            assert!(
                responses.len() == 1 && responses[0].status == 504,
                "a forking script past --cgi-timeout 2 got {:?} after {took:?}; log:\n{}",
                String::from_utf8_lossy(&bytes),
                log()
            );
            assert!(took < Duration::from_secs(12), "the 504 took {took:?}");
        }
    });
    assert!(
        most_alive > MAX_SCRIPTS,
        "the scripts never started their sleepers (at most {most_alive} processes seen)"
    );

    // Their process groups were killed: no script, no sleeper — orphaned ones included — and
    // no zombie is left, within a bounded wait.
    let gone = poll(Duration::from_secs(10), || {
        (procfs::processes_with(&token).is_empty() && zombies(server.pid(), &token).is_empty())
            .then_some(())
    });
    let left = procfs::processes_with(&token);
    assert!(
        gone.is_some(),
        "after the timeout, {} processes of the forking scripts remain (at most {most_alive} \
         ran), e.g. {:?}; zombies: {:?}; log:\n{}",
        left.len(),
        &left[..left.len().min(5)],
        zombies(server.pid(), &token),
        log()
    );
    eprintln!("forking CGI: at most {most_alive} processes of the scripts alive at once");

    // The server keeps serving: files at once, scripts once the slots are back.
    let file = end_to_end::raw_exchange(
        addr,
        b"GET /hello.txt HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    );
    let file = parse_responses(&file);
    assert_eq!(
        file.first().map(|r| (r.status, r.text())),
        Some((200, HELLO.to_string()))
    );
    let hello = poll(IO_TIMEOUT, || {
        let bytes = end_to_end::raw_exchange(
            addr,
            b"GET /cgi-bin/hello HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        );
        parse_responses(&bytes)
            .into_iter()
            .next()
            .filter(|r| r.status != 503)
    });
    let hello = hello.unwrap_or_else(|| panic!("scripts still refused; log:\n{}", log()));
    assert_eq!((hello.status, hello.text().as_str()), (200, "hello\n"));
    drop(server);
    drop(temp);
}
