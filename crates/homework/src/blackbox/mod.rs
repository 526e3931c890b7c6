//! Black-box checks: a lesson's HTTP-level behaviour, checked over the network.
//!
//! `check lesson02 --url http://127.0.0.1:8002/` sends requests to a server that is already
//! running — the learner's own lesson binary, or a program in any other language — and judges
//! only what comes back on the wire. Like a stage tester, each check is named by the request
//! it sends and, when it fails, the report shows the exact bytes sent and received.
//!
//! Every lesson's checks also run over HTTPS: `--url https://127.0.0.1:8443/ --cacert FILE`
//! speaks TLS, trusting only the certificate in `FILE` (what `lesson08-tls --write-cert FILE`
//! saves); the report then shows the HTTP bytes inside TLS. Lesson 08's own checks are about
//! TLS itself, and need an `https://` URL.
//!
//! The checks say what *any* correct server for the lesson must do, never how this project's
//! server happens to do it: where the RFCs allow several answers (a 400 or a 404 for a path
//! that climbs out of the served directory), every allowed answer passes. Each check can fail.
//!
//! # Layout
//!
//! - [`client`] — a small raw HTTP/1.1 client: exact bytes out, bounded reads, a transcript.
//! - [`tls`] — TLS under that client for `https://`: the `--cacert` trust, a bounded
//!   handshake, its errors in plain words.
//! - [`failure`] — the [`Failure`] every check reports.
//! - [`expect`] — what a check expects of a response.
//! - [`display`] — bytes escaped for the report.
//! - [`page`] — HTML pages read leniently: table values, links, the text of an element.
//! - [`lesson01`] to [`lesson08`] — each lesson's checks, in groups.
//!
//! A server that cannot be reached fails every check with one message saying how to start it
//! (the lesson's `serve_hint`); the checks are not even attempted. So does a server whose
//! certificate is not the one trusted, or does not name the URL's host. A check that does not apply
//! to a server (keep-alive, for one that speaks HTTP/1.0) passes with a note in its message
//! that starts with `skipped:`.

mod client;
mod display;
mod expect;
mod failure;
mod lesson01;
mod lesson02;
mod lesson03;
mod lesson04;
mod lesson05;
mod lesson06;
mod lesson07;
mod lesson08;
mod page;
mod tls;

use std::net::SocketAddr;
use std::path::Path;

use crate::catalog::Lesson;
use base64::prelude::{BASE64_STANDARD, Engine as _};

use crate::report::{CheckResult, GroupResult, Report, Status};

use client::{ConnectError, Connection, Framing, Response, Scheme, Target, Transcript, Via};
use failure::Failure;

/// Runs the black-box checks of `lesson` against the server at `url`; for an `https://` URL,
/// trusting only the certificates in the PEM file `cacert`.
pub fn check_url(lesson: &Lesson, url: &str, cacert: Option<&Path>) -> Report {
    let target = match Target::parse(url).and_then(|target| target.trusting(cacert)) {
        Ok(target) => target,
        Err(problem) => {
            return single_failure(
                lesson,
                url,
                "the --url",
                format!("cannot check {url:?}: {problem}"),
            );
        }
    };
    if lesson.id == "lesson08" && target.scheme != Scheme::Https {
        return single_failure(
            lesson,
            url,
            "the --url",
            format!(
                "lesson08 checks an HTTPS server: give its https:// URL and the certificate to \
                 trust, like --url https://127.0.0.1:8443/ --cacert /tmp/lesson08.pem (start \
                 the server with: {})",
                lesson.serve_hint
            ),
        );
    }
    let groups = match lesson.id {
        "lesson01" => lesson01::groups(lesson, &target),
        "lesson02" => lesson02::groups(lesson, &target),
        "lesson03" => lesson03::groups(lesson, &target),
        "lesson04" => lesson04::groups(lesson, &target),
        "lesson05" => lesson05::groups(lesson, &target),
        "lesson06" => lesson06::groups(lesson, &target),
        "lesson07" => lesson07::groups(lesson, &target),
        "lesson08" => lesson08::groups(lesson, &target),
        _ => {
            return single_failure(
                lesson,
                url,
                "black-box checks",
                format!(
                    "{} has no black-box checks yet: check it with `cargo run -p homework -- \
                     check {}` (without --url)",
                    lesson.id, lesson.id
                ),
            );
        }
    };
    let mut server = Server::new(&target, lesson.serve_hint);
    let results = groups
        .into_iter()
        .map(|group| group.run(&mut server))
        .collect();
    Report::new(lesson.id, "url", Some(url.to_string()), results)
}

/// The hint of one of `lesson`'s exercises, for a group of checks about what it teaches.
fn exercise_hint(lesson: &Lesson, exercise: &str) -> Option<&'static str> {
    lesson
        .exercises
        .iter()
        .find(|candidate| candidate.name == exercise)
        .map(|found| found.hint)
}

/// A report of one failed check, for when no check could be run at all.
fn single_failure(lesson: &Lesson, url: &str, name: &str, message: String) -> Report {
    let check = CheckResult::fail(name, message);
    let group = GroupResult {
        name: "black-box checks".to_string(),
        passed: false,
        hint: None,
        compile_error: None,
        checks: vec![check.terminal_safe()],
    };
    Report::new(lesson.id, "url", Some(url.to_string()), vec![group])
}

/// Checks that belong together, reported under one name with one hint.
pub struct Group {
    /// The group's name in the report: `safe paths`.
    pub name: &'static str,
    /// A nudge shown when a check of the group fails; never the answer.
    pub hint: Option<&'static str>,
    /// The checks, in the order they run.
    pub checks: Vec<Check>,
}

impl Group {
    /// Runs every check of the group against `server`.
    fn run(self, server: &mut Server) -> GroupResult {
        let checks: Vec<CheckResult> = self
            .checks
            .into_iter()
            .map(|check| check.run(server))
            .collect();
        GroupResult {
            name: self.name.to_string(),
            passed: checks.iter().all(|check| check.passed),
            hint: self.hint.map(str::to_string),
            compile_error: None,
            checks,
        }
    }
}

/// How a check that did not fail ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Passed {
    /// Every expectation held.
    Yes,
    /// The check does not apply to this server (say, keep-alive for a server that speaks
    /// HTTP/1.0); it counts as passed and the note, starting with `skipped:`, says why.
    Skipped(String),
}

/// What running a check gives: passed, or the first broken expectation.
pub type Outcome = Result<Passed, Failure>;

/// One black-box check: a name, and the requests it sends with what it expects back.
pub struct Check {
    /// The name in the report: the request line it sends, `GET /hello.txt`.
    pub name: String,
    /// Sends the request(s) to the server and judges the answer(s).
    run: Box<dyn Fn(&mut Server) -> Outcome>,
}

impl Check {
    /// The usual check: send `request` on a new connection, read one response, and judge it
    /// with `judge`. The name is the request's first line (see [`name_of`]).
    ///
    /// Before `judge` runs, the response must be well-formed and be the last thing the server
    /// sends: the request asks for `Connection: close`, so a byte after the response means its
    /// framing lied (a body after a `HEAD` answer, a wrong `Content-Length`).
    pub fn exchange(
        request: Vec<u8>,
        judge: impl Fn(&Response) -> Result<(), Failure> + 'static,
    ) -> Check {
        Check {
            name: name_of(&request),
            run: Box::new(move |server| {
                let response = server.exchange(&request)?;
                judge(&response)?;
                Ok(Passed::Yes)
            }),
        }
    }

    /// A check that needs more than one request; `name` says what it sends.
    pub fn custom(
        name: impl Into<String>,
        run: impl Fn(&mut Server) -> Outcome + 'static,
    ) -> Check {
        Check {
            name: name.into(),
            run: Box::new(run),
        }
    }

    /// The same check with `note` after its name, to tell apart checks sending the same
    /// request line: `GET /hello.txt (If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT)`.
    pub fn noting(mut self, note: &str) -> Check {
        self.name = format!("{} ({note})", self.name);
        self
    }

    /// Runs the check and records its result with the bytes of its last connection: escaped
    /// for display and base64-encoded exactly, and the last status read. Every text in the
    /// result that may hold what the server sent is escaped for the terminal
    /// ([`CheckResult::terminal_safe`]), in the JSON report too.
    fn run(self, server: &mut Server) -> CheckResult {
        server.transcript = Transcript::default();
        let mut outcome = (self.run)(server);
        if let (Err(failure), Some(unreachable)) = (&mut outcome, &server.unreachable) {
            // The same words for every check, without a check's own context around them.
            *failure = Failure::new(unreachable.clone());
        }
        let shown = |bytes: &[u8]| (!bytes.is_empty()).then(|| display::escape(bytes));
        let exact = |bytes: &[u8]| (!bytes.is_empty()).then(|| BASE64_STANDARD.encode(bytes));
        let transcript = &server.transcript;
        let status = transcript
            .last_status
            .as_ref()
            .map(|(code, reason)| Status {
                code: *code,
                reason: reason.clone(),
            });
        let (passed, message, expected, got) = match outcome {
            Ok(Passed::Yes) => (true, None, None, None),
            Ok(Passed::Skipped(note)) => (true, Some(note), None, None),
            Err(failure) => (false, Some(failure.message), failure.expected, failure.got),
        };
        CheckResult {
            name: self.name,
            passed,
            message,
            expected,
            got,
            sent: shown(&transcript.sent),
            received: shown(&transcript.received),
            sent_base64: exact(&transcript.sent),
            received_base64: exact(&transcript.received),
            status,
        }
        .terminal_safe()
    }
}

/// A check's name from its request: the request line, without its ` HTTP/1.1` when the line
/// is otherwise well-formed (`GET /hello.txt`), and in full when the line itself is what is
/// being checked (`GET /files/a b.txt HTTP/1.1`, `GET / HTTP/2.0`).
fn name_of(request: &[u8]) -> String {
    let line_end = client::find(request, b"\r\n").unwrap_or(request.len());
    let line = String::from_utf8_lossy(&request[..line_end]).into_owned();
    match line.strip_suffix(" HTTP/1.1") {
        Some(short) if short.split(' ').count() == 2 => short.to_string(),
        _ => line,
    }
}

/// The server under test, as the checks see it: it opens connections, keeps the bytes of the
/// latest one for the report, and gives up at once for good when it cannot connect.
pub struct Server<'a> {
    /// Where the server is.
    target: &'a Target,
    /// How to start it, for the "could not connect" message.
    serve_hint: &'static str,
    /// The bytes of the current check's latest connection.
    transcript: Transcript,
    /// Set once connecting failed for good (no TCP connection, or a certificate that is not
    /// trusted): every later connection fails at once with this message.
    unreachable: Option<String>,
    /// True once a connection succeeded, to tell "not started" from "stopped answering".
    answered_before: bool,
    /// This end's address on the latest connection: the client address the server sees.
    local_address: Option<SocketAddr>,
}

impl<'a> Server<'a> {
    /// A server at `target` that nothing has been sent to yet.
    fn new(target: &'a Target, serve_hint: &'static str) -> Server<'a> {
        Server {
            target,
            serve_hint,
            transcript: Transcript::default(),
            unreachable: None,
            answered_before: false,
            local_address: None,
        }
    }

    /// Opens a new connection as the URL says; the report will show its bytes (and not an
    /// earlier one's).
    pub fn connect(&mut self) -> Result<Connection<'_>, Failure> {
        self.connect_via(Via::Url)
    }

    /// Opens a new connection `via` TCP or TLS as asked (lesson 08 sends plain HTTP to the
    /// HTTPS port, or limits the TLS versions).
    pub fn connect_via(&mut self, via: Via) -> Result<Connection<'_>, Failure> {
        if let Some(message) = &self.unreachable {
            return Err(Failure::new(message.clone()));
        }
        self.transcript = Transcript::default();
        match client::connect_via(self.target, via, &mut self.transcript) {
            Ok(connection) => {
                self.answered_before = true;
                self.local_address = connection.local_addr();
                Ok(connection)
            }
            Err(ConnectError::Handshake(error)) => {
                if error.lasting {
                    self.unreachable = Some(error.message.clone());
                }
                Err(Failure::new(error.message))
            }
            Err(ConnectError::Unreachable(error)) => {
                let authority = self.target.authority();
                let message = if self.answered_before {
                    format!(
                        "could not connect to {authority} ({error}) — the server answered \
                         earlier checks: did it stop or crash? Look at its terminal, then \
                         restart it with: {}",
                        self.serve_hint
                    )
                } else {
                    format!(
                        "could not connect to {authority} ({error}) — is the server running? \
                         Start it with: {}",
                        self.serve_hint
                    )
                };
                self.unreachable = Some(message.clone());
                Err(Failure::new(message))
            }
        }
    }

    /// The address this checker had on the latest connection: the server's client address.
    pub fn local_address(&self) -> Option<SocketAddr> {
        self.local_address
    }

    /// Every byte received on the latest connection, even when its response was broken.
    pub fn received(&self) -> &[u8] {
        &self.transcript.received
    }

    /// Sends `request` on a new connection and reads its one response, which must be the last
    /// thing the server sends (the request asks for `Connection: close`).
    pub fn exchange(&mut self, request: &[u8]) -> Result<Response, Failure> {
        self.exchange_via(Via::Url, request)
    }

    /// [`Server::exchange`] on a connection opened `via` TCP or TLS as asked.
    pub fn exchange_via(&mut self, via: Via, request: &[u8]) -> Result<Response, Failure> {
        let to_head = request.starts_with(b"HEAD ");
        let mut connection = self.connect_via(via)?;
        connection.send(request)?;
        let response = connection.read_response(to_head);
        let after = connection.read_rest();
        let response = response?;
        if !after.is_empty() {
            return Err(bytes_after(&response, after.len()));
        }
        Ok(response)
    }
}

/// The failure for `count` bytes that arrived after a complete response.
fn bytes_after(response: &Response, count: usize) -> Failure {
    Failure::new(match response.framing {
        Framing::NoBody if response.status == 304 || response.status == 204 => format!(
            "a {} response has no body, but {count} bytes followed its head",
            response.status
        ),
        Framing::NoBody => format!(
            "a response to HEAD has the same headers as one to GET but no body, yet {count} \
             bytes followed its head"
        ),
        Framing::Length(length) => format!(
            "{count} more bytes arrived after the {length}-byte body that Content-Length \
             announced: Content-Length must count every byte of the body"
        ),
        Framing::Chunked => format!("{count} bytes arrived after the last (empty) chunk"),
        Framing::UntilClose => format!("{count} bytes arrived after the response"),
    })
}

#[cfg(test)]
mod tests;
