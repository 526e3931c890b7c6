//! One client connection, from its first byte to its close (RFC 9112 §9).
//!
//! What it teaches: a connection carries many requests, one after another — keep-alive — and a
//! client may send the next request before the previous answer arrived — pipelining. The loop
//! in [`serve_connection`] reads a head, hands the request to the handler, writes the answer,
//! skips any body the handler left unread, and goes round again. Chapter 2 follows it.
//!
//! The connection owns one input buffer: bytes of a pipelined next request simply wait there
//! until the current exchange is over, so responses always leave in request order.
//!
//! Choices made here:
//! - Time limits are deadlines, not per-read timeouts: before every read the socket's timeout
//!   is set to what is left until the deadline, so a client that sends one byte every few
//!   seconds cannot stretch a request forever (slowloris). See `config` for the values.
//! - An idle connection that times out, or whose client closes, ends silently. A client that
//!   started a request and stalls gets 408; a malformed request gets its 4xx and the connection
//!   closes (after a request that could not be parsed, the next one cannot be found).
//! - Responses are collected in an output buffer and sent when no pipelined request is
//!   waiting, before any read that might block, or when the buffer grows past 64 KiB; a
//!   small response is one `write` call. Files over 64 KiB are copied by `std::io::copy`,
//!   which uses the kernel's `sendfile` between a file and a socket.
//! - Unread request body left by a handler is read and discarded up to 1 MiB so the connection
//!   can be reused; a larger remainder, or a body the client was told to hold back
//!   (`Expect: 100-continue` never answered), closes the connection instead.
//! - Closing is "lingering" (as Apache does): we stop sending, then read and discard for up to
//!   two seconds, so that the client's unread bytes do not make the kernel reset the connection
//!   and destroy the error response we just sent.
//! - A handler that panics gets its client a 500 and its connection closed.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::access_log;
use crate::body::{BodySource, RequestBody, is_timeout};
use crate::config::ServerConfig;
use crate::handler::{Handler, Request};
use crate::request::{RequestError, RequestHead, Version, parse_head};
use crate::response::{Body, Response, reason_phrase, status_forbids_body};
use crate::tls::TlsInfo;

/// Bytes a response may collect before it is sent even though more requests are waiting.
const OUTPUT_FLUSH_AT: usize = 64 * 1024;
/// Bodies up to this size are copied into the output buffer and sent with their head.
const INLINE_BODY_MAX: u64 = 64 * 1024;
/// Unread request body the server will read and discard to keep a connection alive.
const DRAIN_MAX: u64 = 1024 * 1024;
/// How long and how much a lingering close reads before giving up.
const LINGER_TIME: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 256 * 1024;
/// Empty lines tolerated before a request line (RFC 9112 §2.2 asks for at least one).
const MAX_LEADING_EMPTY_BYTES: usize = 64;
/// How much later than its deadline a read may give up (see `arm_read_timeout`).
const TIMEOUT_SLACK: Duration = Duration::from_millis(50);
/// Longest request line shown in the log (the rest is cut).
const MAX_LOGGED_LINE: usize = 1024;

// ANCHOR: transport
/// A byte stream a connection can run on: plain TCP, or TLS ([`crate::tls::TlsStream`]).
pub trait Transport: Read + Write + Send {
    /// Sets (or clears) the timeout of each blocking read.
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    /// Sets (or clears) the timeout of each blocking write.
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    /// Stops sending; the peer reads end-of-file after what was already sent.
    fn shutdown_write(&mut self) -> io::Result<()>;
    /// What TLS negotiated, on a TLS connection (lesson 08); `None` on plain TCP.
    fn tls_info(&self) -> Option<crate::tls::TlsInfo> {
        None
    }
    /// True when bytes already read from the socket wait inside the stream (TLS decrypts a
    /// whole record at once): then the socket's readiness says nothing about them.
    fn has_buffered_input(&self) -> bool {
        false
    }
    /// True when the next read would have to wait for the client (see
    /// [`crate::server::about_to_wait`]); false when unsure.
    fn nothing_to_read(&self) -> bool {
        false
    }
}
// ANCHOR_END: transport

impl Transport for TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_write_timeout(self, timeout)
    }
    fn shutdown_write(&mut self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
    fn nothing_to_read(&self) -> bool {
        crate::server::nothing_to_read(self)
    }
}

/// What the server loop learns from, and tells, each connection (for graceful shutdown).
pub trait ConnectionHooks {
    /// The connection waits for a new request; false means "the server is stopping: close".
    fn enter_idle(&self) -> bool;
    /// A new request has begun to arrive.
    fn leave_idle(&self);
    /// True once the server is stopping: the response in flight says `Connection: close`.
    fn stopping(&self) -> bool {
        false
    }
    /// True when the server can hold an idle connection without a thread: then the
    /// connection is handed back instead of waiting for its next request (see
    /// [`crate::server`]). Without it, the connection's thread waits.
    fn park(&self) -> bool {
        false
    }
}

/// Hooks for a connection served outside a [`crate::server::Server`] (tests, fuzzing).
pub struct NoHooks;

impl ConnectionHooks for NoHooks {
    fn enter_idle(&self) -> bool {
        true
    }
    fn leave_idle(&self) {}
}

/// Why no request head could be read.
enum HeadError {
    /// The client closed, or stayed idle past the timeout, between requests: close quietly.
    Quiet,
    /// A request began and is refused with this error.
    Refused(RequestError),
}

/// One connection's state: the stream and its input and output buffers.
///
/// It owns everything it needs, so that a server can put an idle connection aside — *park*
/// it — and pick it up again on any thread when its next request arrives
/// ([`crate::server`]).
pub(crate) struct Connection<T: Transport> {
    stream: T,
    /// Received bytes; `inbuf[start..end]` are not consumed yet.
    inbuf: Vec<u8>,
    start: usize,
    end: usize,
    /// Response bytes not yet sent.
    outbuf: Vec<u8>,
    config: Arc<ServerConfig>,
    peer: SocketAddr,
    local: SocketAddr,
    /// What TLS negotiated, shared by every request of a TLS connection.
    tls: Option<Arc<TlsInfo>>,
    /// The socket's read timeout as last set, to skip setting it again to nearly the same.
    read_timeout: Option<Duration>,
    /// True until the first request has been read: its wait is the header timeout.
    first: bool,
    /// True when the socket was just reported readable: the next read will not wait.
    surely_readable: bool,
}

// ANCHOR: serve_connection
/// Serves every request of one connection, then closes it.
pub fn serve_connection<T: Transport>(
    stream: T,
    peer: SocketAddr,
    local: SocketAddr,
    config: &ServerConfig,
    handler: &dyn Handler,
    hooks: &dyn ConnectionHooks,
) {
    let conn = Connection::new(stream, peer, local, Arc::new(config.clone()));
    // Only a server that can park connections gets one back (see `ConnectionHooks::park`).
    if let Some(idle) = conn.serve(handler, hooks) {
        idle.close_idle();
    }
}

impl<T: Transport> Connection<T> {
    /// A connection that has not read anything yet.
    pub(crate) fn new(
        stream: T,
        peer: SocketAddr,
        local: SocketAddr,
        config: Arc<ServerConfig>,
    ) -> Self {
        let tls = stream.tls_info().map(Arc::new);
        let _ = stream.set_write_timeout(Some(config.timeouts.send));
        Connection {
            tls,
            stream,
            inbuf: vec![0; 8192],
            start: 0,
            end: 0,
            outbuf: Vec::with_capacity(8192),
            config,
            peer,
            local,
            read_timeout: None,
            first: true,
            surely_readable: false,
        }
    }

    /// The stream, for the server to watch while the connection is parked.
    pub(crate) fn stream(&self) -> &T {
        &self.stream
    }

    /// Serves requests until the connection closes (`None`), or until it waits for the
    /// client with nothing buffered and `hooks` can park it: then it is handed back.
    pub(crate) fn serve(
        mut self,
        handler: &dyn Handler,
        hooks: &dyn ConnectionHooks,
    ) -> Option<Self> {
        // The first turn reads: the connection is served because its client sent something.
        let mut may_park = false;
        self.surely_readable = true;
        loop {
            if !hooks.enter_idle() {
                break;
            }
            let nothing_buffered = self.start == self.end && !self.stream.has_buffered_input();
            if may_park && nothing_buffered && hooks.park() {
                // Nothing to do until the client sends more. Whatever we owe it goes first.
                if self.flush().is_err() {
                    break;
                }
                return Some(self);
            }
            may_park = true;
            let head = self.read_head(hooks);
            hooks.leave_idle();
            let head_len = match head {
                Ok(len) => len,
                Err(HeadError::Quiet) => break,
                Err(HeadError::Refused(error)) => {
                    let line = self.logged_line(self.end - self.start);
                    self.refuse(&error, &line);
                    break;
                }
            };
            let line = self.logged_line(head_len);
            let parsed = parse_head(
                &self.inbuf[self.start..self.start + head_len],
                &self.config.limits,
            );
            self.consume(head_len);
            match parsed {
                Ok(head) => {
                    if !self.exchange(head, &line, handler, hooks) {
                        break;
                    }
                }
                Err(error) => {
                    self.refuse(&error, &line);
                    break;
                }
            }
        }
        self.close();
        None
    }

    /// Closes a connection that is waiting for a request that never came: nothing to linger
    /// for, so this never blocks.
    pub(crate) fn close_idle(mut self) {
        let _ = self
            .stream
            .set_write_timeout(Some(Duration::from_millis(100)));
        let _ = self.stream.shutdown_write();
    }
}
// ANCHOR_END: serve_connection

impl<T: Transport> Connection<T> {
    // ANCHOR: exchange
    /// One request and its response. Returns whether the connection may carry another.
    fn exchange(
        &mut self,
        head: RequestHead,
        line: &[u8],
        handler: &dyn Handler,
        hooks: &dyn ConnectionHooks,
    ) -> bool {
        let limits = &self.config.limits;
        let (framing, expects_continue) = (head.framing, head.expects_continue);
        let (max_body, max_trailers) = (limits.max_body, limits.max_header_bytes);
        let body_timeout = self.config.timeouts.body;
        let request = Request {
            head,
            peer: self.peer,
            local: self.local,
            tls: self.tls.clone(),
        };

        // The handler runs with the body borrowed from this connection.
        let mut body = RequestBody::new(
            self,
            framing,
            expects_continue,
            max_body,
            max_trailers,
            body_timeout,
        );
        // What the handler logs waits for the request's own log line (one write for both).
        access_log::hold_lines();
        let outcome = crate::panics::catch(|| handler.handle(&request, &mut body));
        let body_error = body.error().cloned();
        let body_finished = body.is_finished();
        let client_holds_body = body.continue_still_pending();
        let body_state = body.suspend();

        let mut keep_alive = request.keep_alive && body_error.is_none() && !client_holds_body;
        let response = match (outcome, body_error) {
            (_, Some(error)) => Response::error_page(error.status(), &error.to_string()),
            (Ok(response), None) => response,
            (Err(panic), None) => {
                access_log::log_message(
                    Some(self.peer),
                    &format!("the handler failed, answering 500: {panic}"),
                );
                keep_alive = false;
                Response::error_page(500, "The server failed while answering this request")
            }
        };

        // A body too big to skip will cost the connection: say so in the response.
        let too_much_left = body_state
            .known_remaining()
            .is_some_and(|left| left > DRAIN_MAX);
        let keep_alive = keep_alive && !hooks.stopping() && !too_much_left;
        let sent = self.write_response(Some(&request.head), response, keep_alive);
        access_log::log_request(self.peer, line, sent.status, sent.body_bytes);
        if sent.result.is_err() || !sent.keep_alive {
            return false;
        }
        if !body_finished {
            let mut rest = body_state.resume(self);
            return rest.drain(DRAIN_MAX);
        }
        true
    }
    // ANCHOR_END: exchange

    /// Before a read: if it will have to wait for the client, tell the worker pool, so that
    /// other connections are served meanwhile ([`crate::server::about_to_wait`]).
    fn announce_a_wait(&mut self) {
        let readable = std::mem::replace(&mut self.surely_readable, false);
        if !readable && self.stream.nothing_to_read() {
            crate::server::about_to_wait();
        }
    }

    /// Makes the next read give up after `left`, or at most [`TIMEOUT_SLACK`] later.
    ///
    /// Setting the socket's timeout is a system call; between keep-alive requests the time
    /// left is nearly the same every time, so the timeout set last time is kept when it is
    /// no shorter than `left` and no more than the slack longer. Rounding up to the slack
    /// makes that the common case.
    fn arm_read_timeout(&mut self, left: Duration) -> io::Result<()> {
        if let Some(current) = self.read_timeout
            && current >= left
            && current - left <= TIMEOUT_SLACK
        {
            return Ok(());
        }
        let slack = TIMEOUT_SLACK.as_nanos();
        let rounded = left.as_nanos().div_ceil(slack) * slack;
        let timeout = Duration::from_nanos(u64::try_from(rounded).unwrap_or(u64::MAX));
        self.stream.set_read_timeout(Some(timeout))?;
        self.read_timeout = Some(timeout);
        Ok(())
    }

    /// Answers a request that could not be accepted, then the connection closes.
    fn refuse(&mut self, error: &RequestError, line: &[u8]) {
        let response = Response::error_page(error.status(), &error.to_string());
        let sent = self.write_response(None, response, false);
        access_log::log_request(self.peer, line, sent.status, sent.body_bytes);
    }

    /// The first line of the buffered request, for the log (without its line ending).
    fn logged_line(&self, within: usize) -> Vec<u8> {
        let buffered = &self.inbuf[self.start..self.start + within.min(self.end - self.start)];
        let line_end = buffered
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(buffered.len());
        let line = &buffered[..line_end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut logged = line[..line.len().min(MAX_LOGGED_LINE)].to_vec();
        if line.len() > MAX_LOGGED_LINE {
            logged.extend_from_slice(b"...");
        }
        logged
    }

    // ANCHOR: read_head
    /// Waits for a request and buffers its whole head; returns the head's length in bytes.
    /// `hooks` learns when the request's first byte arrives: from then on it is in flight.
    fn read_head(&mut self, hooks: &dyn ConnectionHooks) -> Result<usize, HeadError> {
        let first = std::mem::replace(&mut self.first, false);
        let config = Arc::clone(&self.config);
        let (timeouts, limits) = (&config.timeouts, &config.limits);
        // Between requests the keep-alive timeout applies; the first request of a connection
        // gets the header timeout (the client connected in order to send it).
        let idle_deadline = Instant::now()
            + if first {
                timeouts.header
            } else {
                timeouts.keep_alive
            };
        let mut skipped = 0;
        loop {
            while self.start < self.end && matches!(self.inbuf[self.start], b'\r' | b'\n') {
                self.start += 1;
                skipped += 1;
            }
            if skipped > MAX_LEADING_EMPTY_BYTES {
                return Err(HeadError::Refused(RequestError::BadRequestLine(
                    "too many empty lines before the request line",
                )));
            }
            if self.start < self.end {
                break;
            }
            match self.fill(idle_deadline) {
                Ok(0) | Err(_) => return Err(HeadError::Quiet),
                Ok(_) => {}
            }
        }

        // The first byte is here: from now on the whole head must arrive within the limit,
        // and a graceful shutdown lets this request finish instead of closing an idle line.
        hooks.leave_idle();
        let deadline = Instant::now() + timeouts.header;
        let mut scanned = 0;
        loop {
            let buffered = &self.inbuf[self.start..self.end];
            if let Some(len) = find_head_end(buffered, scanned) {
                return Ok(len);
            }
            scanned = buffered.len().saturating_sub(2);
            let line_end = buffered.iter().position(|&b| b == b'\n');
            // `+ 1` leaves room for the CR of a CRLF, which the limit does not count.
            let request_line_len = line_end.unwrap_or(buffered.len());
            match line_end {
                _ if request_line_len > limits.max_request_line + 1 => {
                    return Err(HeadError::Refused(RequestError::RequestLineTooLong {
                        limit: limits.max_request_line,
                    }));
                }
                Some(end) if buffered.len() - end > limits.max_header_bytes + 2 => {
                    return Err(HeadError::Refused(RequestError::HeadersTooLarge {
                        limit: limits.max_header_bytes,
                    }));
                }
                _ => {}
            }
            match self.fill(deadline) {
                Ok(0) => return Err(HeadError::Refused(RequestError::Incomplete)),
                Ok(_) => {}
                Err(err) if is_timeout(&err) => {
                    return Err(HeadError::Refused(RequestError::Timeout));
                }
                Err(_) => return Err(HeadError::Quiet),
            }
        }
    }
    // ANCHOR_END: read_head

    // ANCHOR: write_response
    /// Writes a response; returns what was sent and whether the connection stays open.
    fn write_response(
        &mut self,
        request: Option<&RequestHead>,
        response: Response,
        keep_alive: bool,
    ) -> Sent {
        let (status, headers, body) = response.into_parts();
        let is_head = request.is_some_and(|r| r.method == "HEAD");
        let version = request.map_or(Version::Http11, |r| r.version);
        let body_allowed = !status_forbids_body(status);
        let length = if body_allowed { body.len() } else { Some(0) };
        let sends_body = body_allowed && !is_head;
        // RFC 9112 §6.3: without a length, HTTP/1.1 gets chunks, HTTP/1.0 gets "until close".
        let chunked = sends_body && length.is_none() && version == Version::Http11;
        let until_close = sends_body && length.is_none() && version == Version::Http10;
        let keep_alive = keep_alive && !until_close;

        let out = &mut self.outbuf;
        let _ = write!(out, "HTTP/1.1 {status} {}\r\n", reason_phrase(status));
        let _ = write!(out, "Date: {}\r\n", http_date_now());
        let _ = write!(out, "Server: {}\r\n", self.config.server_software);
        for (name, value) in &headers {
            let _ = write!(out, "{name}: {value}\r\n");
        }
        if body_allowed && status != 304 {
            match length {
                Some(n) => {
                    let _ = write!(out, "Content-Length: {n}\r\n");
                }
                None if chunked => out.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
                None => {}
            }
        }
        if !keep_alive {
            out.extend_from_slice(b"Connection: close\r\n");
        } else if version == Version::Http10 {
            out.extend_from_slice(b"Connection: keep-alive\r\n");
        }
        out.extend_from_slice(b"\r\n");

        let mut sent = Sent {
            status,
            body_bytes: 0,
            keep_alive,
            result: Ok(()),
        };
        if sends_body {
            sent.result = self.write_body(body, chunked, &mut sent.body_bytes);
        }
        if sent.result.is_ok() && (self.start == self.end || self.outbuf.len() > OUTPUT_FLUSH_AT) {
            sent.result = self.flush();
        }
        sent
    }
    // ANCHOR_END: write_response

    /// Sends a body after its head; `sent` counts body bytes for the log.
    fn write_body(&mut self, body: Body, chunked: bool, sent: &mut u64) -> io::Result<()> {
        match body {
            Body::Empty => Ok(()),
            Body::Bytes(bytes) => {
                *sent = bytes.len() as u64;
                if bytes.len() as u64 <= INLINE_BODY_MAX {
                    self.outbuf.extend_from_slice(&bytes);
                    Ok(())
                } else {
                    self.flush()?;
                    self.stream.write_all(&bytes)
                }
            }
            Body::File { file, len } => self.write_exact_len(file, len, sent),
            Body::Stream {
                reader,
                len: Some(len),
            } => self.write_exact_len(reader, len, sent),
            Body::Stream {
                mut reader,
                len: None,
            } if chunked => {
                let mut scratch = [0u8; 16 * 1024]; // on the stack: no allocation per response
                loop {
                    let n = match reader.read(&mut scratch) {
                        Ok(n) => n,
                        Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                        Err(err) => return Err(err),
                    };
                    if n == 0 {
                        self.outbuf.extend_from_slice(b"0\r\n\r\n");
                        return Ok(());
                    }
                    let _ = write!(self.outbuf, "{n:x}\r\n");
                    self.outbuf.extend_from_slice(&scratch[..n]);
                    self.outbuf.extend_from_slice(b"\r\n");
                    *sent += n as u64;
                    // Each chunk goes out as soon as it is produced: streaming stays live.
                    self.flush()?;
                }
            }
            Body::Stream {
                mut reader,
                len: None,
            } => {
                self.flush()?;
                *sent = io::copy(&mut reader, &mut self.stream)?;
                Ok(())
            }
        }
    }

    /// Sends exactly `len` bytes from `source`; a source that ends early is an error, because
    /// the client was promised `len` bytes and the connection can only be closed now.
    fn write_exact_len(&mut self, source: impl Read, len: u64, sent: &mut u64) -> io::Result<()> {
        let mut source = source.take(len);
        if len <= INLINE_BODY_MAX {
            *sent = source.read_to_end(&mut self.outbuf)? as u64;
        } else {
            self.flush()?;
            *sent = io::copy(&mut source, &mut self.stream)?;
        }
        if *sent == len {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the body ended before its announced length",
            ))
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.outbuf.is_empty() {
            let result = self.stream.write_all(&self.outbuf);
            self.outbuf.clear();
            result?;
        }
        self.stream.flush()
    }

    // ANCHOR: lingering_close
    /// Lingering close: send what is pending, stop sending, then drain the client for a while.
    fn close(mut self) {
        let _ = self.flush();
        let _ = self.stream.shutdown_write();
        let deadline = Instant::now() + LINGER_TIME;
        let mut drained = 0;
        let mut scratch = [0u8; 8192];
        while drained < LINGER_BYTES {
            let now = Instant::now();
            if now >= deadline || self.stream.set_read_timeout(Some(deadline - now)).is_err() {
                break;
            }
            self.announce_a_wait();
            match self.stream.read(&mut scratch) {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    }
    // ANCHOR_END: lingering_close
}

/// What `write_response` did.
struct Sent {
    status: u16,
    body_bytes: u64,
    keep_alive: bool,
    result: io::Result<()>,
}

impl<T: Transport> BodySource for Connection<T> {
    fn buffered(&self) -> &[u8] {
        &self.inbuf[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start += n.min(self.end - self.start);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    // ANCHOR: fill
    fn fill(&mut self, deadline: Instant) -> io::Result<usize> {
        // Whatever we owe the client goes out before we wait for it.
        self.flush()?;
        if self.end == self.inbuf.len() {
            if self.start > 0 {
                self.inbuf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else {
                // Only a head can fill the buffer (bodies are consumed as read), and heads
                // are bounded by the limits checked in `read_head`.
                let grown = self.inbuf.len() * 2;
                self.inbuf.resize(grown, 0);
            }
        }
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(io::ErrorKind::TimedOut.into());
            }
            self.arm_read_timeout(deadline - now)?;
            self.announce_a_wait();
            match self.stream.read(&mut self.inbuf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            }
        }
    }
    // ANCHOR_END: fill

    fn send_continue(&mut self) -> io::Result<()> {
        self.outbuf
            .extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
        self.flush()
    }
}

// ANCHOR: find_head_end
/// Finds the end of a request head — the empty line — searching from `from`; returns the
/// length of the head including the empty line. A bare LF counts as a line ending.
fn find_head_end(buffered: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(offset) = buffered[i..].iter().position(|&b| b == b'\n') {
        let lf = i + offset;
        match buffered.get(lf + 1) {
            Some(b'\n') => return Some(lf + 2),
            Some(b'\r') if buffered.get(lf + 2) == Some(&b'\n') => return Some(lf + 3),
            _ => i = lf + 1,
        }
    }
    None
}
// ANCHOR_END: find_head_end

/// The current time as an HTTP date, computed at most once a second per thread.
fn http_date_now() -> String {
    thread_local! {
        static CACHE: RefCell<(u64, String)> = const { RefCell::new((0, String::new())) };
    }
    let now = SystemTime::now();
    let secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.0 != secs || cache.1.is_empty() {
            *cache = (secs, httpdate::fmt_http_date(now));
        }
        cache.1.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_of_a_head_is_found_with_crlf_or_lf() {
        assert_eq!(
            find_head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nrest", 0),
            Some(27)
        );
        assert_eq!(find_head_end(b"GET / HTTP/1.0\n\nrest", 0), Some(16));
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\nHost: a\r\n", 0), None);
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r", 0), None);
    }

    /// A handler that answers 413 without reading the body.
    fn refuse_unread(_: &Request, _: &mut RequestBody<'_>) -> Response {
        Response::text(413, "too big")
    }

    #[test]
    fn a_body_too_big_to_skip_is_answered_with_connection_close() {
        let serve = |length: u64| {
            let request =
                format!("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {length}\r\n\r\nabc");
            let mut transport = crate::memory::MemoryTransport::new(request.into_bytes());
            let output = crate::memory::serve_in_memory(
                &mut transport,
                &ServerConfig::default(),
                &refuse_unread,
            );
            String::from_utf8_lossy(&output).into_owned()
        };
        let big = serve(DRAIN_MAX + 10);
        assert!(
            big.starts_with("HTTP/1.1 413 ") && big.contains("Connection: close\r\n"),
            "{big}"
        );
        let small = serve(10);
        assert!(
            !small.contains("Connection: close"),
            "a small rest is skipped: {small}"
        );
    }
}
