//! A small HTTP/1.1 client over a raw TCP connection, made for the black-box checks.
//!
//! Why not an HTTP library: a check must send *exact* bytes — a request line with a space in
//! the target, an unknown method, `HTTP/2.0` — and must show exactly what came back, and a
//! library refuses the first and hides the second. This client sends the bytes it is given,
//! records every byte sent and received in a [`Transcript`], and parses the response itself:
//!
//! - the head ends at the first empty line (`\r\n\r\n`); a head whose lines end in a bare `\n`,
//!   or an answer without a status line, is reported as such rather than guessed at;
//! - the body is framed as RFC 9112 §6.3 says: none for `HEAD`, `1xx`, `204` and `304`;
//!   `Transfer-Encoding: chunked` decoded; `Content-Length` bytes; otherwise everything until
//!   the server closes the connection;
//! - interim `1xx` responses (such as `100 Continue`) are skipped.
//!
//! Every step is bounded, so a silent or endless server cannot hang the checker: connecting
//! takes at most [`CONNECT_TIMEOUT`], a response must be complete within [`RESPONSE_TIMEOUT`],
//! at most [`MAX_RECEIVED_BYTES`] are read from one connection, and a read interrupted by a
//! signal is simply tried again.
//!
//! `http://` is spoken over plain TCP; `https://` over TLS (see [`super::tls`]), trusting only
//! the certificate given with `--cacert`. Either way the connection reads and writes through a
//! [`Transport`], and the transcript holds the HTTP bytes — decrypted, as the server wrote
//! them. Lesson 08's checks can also open a connection other than the URL's on purpose
//! ([`Via`]): TLS limited to one version, or plain HTTP sent to the HTTPS port.

use std::fmt;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::failure::Failure;
use super::tls::{self, HandshakeError, Negotiated, TlsStream, TlsVersions, Trust};

/// How long to wait for the server to accept a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a whole response may take to arrive, from the moment we start reading it.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);
/// Most bytes read from one connection; no response of a lesson's checks comes near it.
pub const MAX_RECEIVED_BYTES: usize = 1024 * 1024;
/// How long to wait for stray bytes after a response that should have been the last one.
/// A server that honours `Connection: close` closes at once, so this is only spent on a
/// server that keeps the connection open anyway.
pub const LINGER: Duration = Duration::from_secs(1);

/// The protocol spoken with the server: the `http` of `http://host/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP over TCP.
    Http,
    /// HTTP inside TLS.
    Https,
}

impl Scheme {
    /// `http` or `https`, as in a URL (and in CGI's `REQUEST_SCHEME`).
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// The port of a URL that names none.
    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// Where the checks send their requests: the `--url` taken apart, with the certificate to
/// trust for `https://`.
#[derive(Debug, Clone)]
pub struct Target {
    /// Which protocol to speak.
    pub scheme: Scheme,
    /// The host name or IP address, without the brackets of an IPv6 literal.
    pub host: String,
    /// The TCP port (80, or 443 for `https://`, when the URL names none).
    pub port: u16,
    /// The URL's path, always ending in `/`: the directory every check's path is relative to,
    /// so that a server publishing the fixture under `/static/` can be checked too.
    pub base_path: String,
    /// For `https://`: the certificate(s) of `--cacert`, the only ones trusted.
    trust: Option<Arc<Trust>>,
}

impl Target {
    /// Parses `http[s]://host[:port][/path]`. The error says what is wrong, in plain words.
    pub fn parse(url: &str) -> Result<Target, String> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(format!(
                "{url:?} is not a URL: write it in full, like http://127.0.0.1:8002/"
            ));
        };
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            other => {
                return Err(format!(
                    "{other}:// is not a scheme this checker speaks; use an http:// or https:// \
                     URL"
                ));
            }
        };
        // The authority ends where the path, query or fragment begins.
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path_and_more) = rest.split_at(authority_end);
        if authority.contains('@') {
            return Err("a URL with a user name or password is not supported".to_string());
        }
        let (host, port) = split_host_port(authority, scheme.default_port())?;
        if scheme == Scheme::Https {
            tls::server_name(&host)?;
        }
        // The query and fragment of the URL are not part of the base path.
        let path = path_and_more
            .split(['?', '#'])
            .next()
            .filter(|path| !path.is_empty())
            .unwrap_or("/");
        let base_path = if path.ends_with('/') {
            path.to_string()
        } else {
            format!("{path}/")
        };
        Ok(Target {
            scheme,
            host,
            port,
            base_path,
            trust: None,
        })
    }

    /// The same target trusting the certificates of `cacert`, which an `https://` URL needs
    /// and an `http://` one must not be given. The error says how to get the file.
    pub fn trusting(mut self, cacert: Option<&Path>) -> Result<Target, String> {
        match (self.scheme, cacert) {
            (Scheme::Https, Some(path)) => {
                self.trust = Some(Arc::new(Trust::load(path)?));
                Ok(self)
            }
            (Scheme::Https, None) => Err(format!(
                "an https:// URL needs --cacert FILE: the certificate to trust, and the only \
                 one the checker trusts. lesson08-tls saves its certificate with --write-cert \
                 FILE: start it with `{}`, then add `--cacert /tmp/lesson08.pem`. For another \
                 server, give the certificate file it serves, in PEM (or the authority that \
                 signed it: mkcert's rootCA.pem, in the folder `mkcert -CAROOT` prints)",
                tls::WRITE_CERT_HINT
            )),
            (Scheme::Http, Some(path)) => Err(format!(
                "--cacert {} is for https:// URLs, and this one is http://: leave --cacert \
                 out, or check the server's https:// URL",
                path.display()
            )),
            (Scheme::Http, None) => Ok(self),
        }
    }

    /// `host:port` as it goes into the `Host` header and into messages: `[::1]:8002` for IPv6.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// A check's path (`/hello.txt`) placed under the URL's path (`/static/hello.txt`).
    pub fn path(&self, path: &str) -> String {
        format!("{}{path}", self.base_path.trim_end_matches('/'))
    }

    /// The bytes of a request: `request_line`, a `Host` header, the `headers` given, then the
    /// body with its `Content-Length` when there is one. Nothing else is added, so what the
    /// report shows as sent is the whole request.
    pub fn request(&self, request_line: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
        let mut head = format!("{request_line}\r\nHost: {}\r\n", self.authority());
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        bytes
    }

    /// The usual request of a check: `METHOD path HTTP/1.1` asking the server to close the
    /// connection after its answer, so that every byte it sends after the response is seen.
    pub fn simple(&self, method: &str, path: &str) -> Vec<u8> {
        self.request(
            &format!("{method} {} HTTP/1.1", self.path(path)),
            &[("Connection", "close")],
            b"",
        )
    }
}

/// Splits `host:port`, `host` or `[v6]:port`; `default_port` when there is no port.
fn split_host_port(authority: &str, default_port: u16) -> Result<(String, u16), String> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let Some((host, after)) = v6.split_once(']') else {
            return Err(format!(
                "{authority:?}: an IPv6 address needs its closing ]"
            ));
        };
        match after {
            "" => (host, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return Err(format!("{authority:?}: expected :PORT after the ]")),
            },
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("the URL names no host: write it like http://127.0.0.1:8002/".to_string());
    }
    let port = match port {
        None => default_port,
        Some(port) => port
            .parse::<u16>()
            .ok()
            .filter(|&port| port != 0)
            .ok_or_else(|| format!("{port:?} is not a port number (1 to 65535)"))?,
    };
    Ok((host.to_string(), port))
}

/// Every byte that went over one connection, in order, for the report.
#[derive(Debug, Default, Clone)]
pub struct Transcript {
    /// What the checker sent.
    pub sent: Vec<u8>,
    /// What the server sent back, up to [`MAX_RECEIVED_BYTES`].
    pub received: Vec<u8>,
    /// The status code and reason phrase of the last response head read, for the report.
    pub last_status: Option<(u16, String)>,
}

/// The byte stream under the HTTP: the TCP stream itself, or TLS over it.
enum Transport {
    /// `http://`: the TCP stream itself.
    Plain(TcpStream),
    /// `https://`: TLS over the TCP stream.
    Tls(Box<TlsStream>),
}

impl Transport {
    /// The TCP socket underneath, where the timeouts are set.
    fn socket(&self) -> &TcpStream {
        match self {
            Transport::Plain(stream) => stream,
            Transport::Tls(stream) => stream.socket(),
        }
    }
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(stream) => stream.read(buf),
            Transport::Tls(stream) => stream.read(buf),
        }
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(stream) => stream.write(buf),
            Transport::Tls(stream) => stream.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Transport::Plain(stream) => stream.flush(),
            Transport::Tls(stream) => stream.flush(),
        }
    }
}

/// How to open a connection: as the URL says, or, for lesson 08's checks, otherwise on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Plain TCP for `http://`; TLS 1.3 or 1.2 for `https://`.
    Url,
    /// TLS with a client speaking only these versions (the URL must be `https://`).
    Tls(TlsVersions),
    /// Plain TCP, whatever the URL says: plain HTTP sent to an HTTPS port.
    PlainTcp,
}

/// Why no connection was opened.
#[derive(Debug)]
pub enum ConnectError {
    /// No TCP connection: the operating system's error, for the caller to turn into advice.
    Unreachable(io::Error),
    /// The TCP connection was made, and the TLS handshake on it failed.
    Handshake(HandshakeError),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Unreachable(error) => write!(f, "{error}"),
            ConnectError::Handshake(error) => f.write_str(&error.message),
        }
    }
}

/// Opens a connection to `target`, trying each address its host resolves to, then runs the
/// TLS handshake when `via` asks for TLS.
pub fn connect_via<'t>(
    target: &Target,
    via: Via,
    transcript: &'t mut Transcript,
) -> Result<Connection<'t>, ConnectError> {
    let versions = match (via, target.scheme) {
        (Via::PlainTcp, _) | (Via::Url, Scheme::Http) => None,
        (Via::Url, Scheme::Https) => Some(TlsVersions::Both),
        (Via::Tls(versions), _) => Some(versions),
    };
    let stream = open_tcp(target).map_err(ConnectError::Unreachable)?;
    let transport = match versions {
        None => Transport::Plain(stream),
        Some(versions) => {
            let Some(trust) = &target.trust else {
                return Err(ConnectError::Handshake(HandshakeError {
                    message: "TLS needs an https:// URL and --cacert FILE".to_string(),
                    lasting: true,
                }));
            };
            let stream = tls::handshake(stream, &target.host, trust, versions, RESPONSE_TIMEOUT)
                .map_err(ConnectError::Handshake)?;
            Transport::Tls(Box::new(stream))
        }
    };
    Ok(Connection {
        transport,
        transcript,
        unread: Vec::new(),
        closed_by_server: false,
    })
}

/// A TCP connection to the first address of `target` that accepts one.
fn open_tcp(target: &Target) -> io::Result<TcpStream> {
    let addresses = (target.host.as_str(), target.port).to_socket_addrs()?;
    let mut last_error =
        io::Error::new(ErrorKind::NotFound, "the host name resolved to no address");
    for address in addresses {
        match TcpStream::connect_timeout(&address, CONNECT_TIMEOUT) {
            Ok(stream) => {
                stream.set_write_timeout(Some(RESPONSE_TIMEOUT))?;
                return Ok(stream);
            }
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}

/// How the end of a response body is found (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// The response has no body: an answer to `HEAD`, or a `1xx`, `204` or `304`.
    NoBody,
    /// `Content-Length` said how many bytes follow.
    Length(usize),
    /// `Transfer-Encoding: chunked`: chunks, each with its size, until a chunk of size 0.
    Chunked,
    /// Neither: the body is everything until the server closes the connection.
    UntilClose,
}

/// One response, taken apart.
#[derive(Debug, Clone)]
pub struct Response {
    /// The version of the status line: `HTTP/1.1`.
    pub version: String,
    /// The status code: `200`.
    pub status: u16,
    /// The reason phrase after the code: `OK` (may be empty).
    pub reason: String,
    /// The header fields in order, names in lower case, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked when it was chunked.
    pub body: Vec<u8>,
    /// How the body's end was found; it decides what stray bytes after it mean.
    pub framing: Framing,
}

impl Response {
    /// `200 OK`, for messages.
    pub fn status_line(&self) -> String {
        format!("{} {}", self.status, self.reason)
            .trim_end()
            .to_string()
    }

    /// The first value of a header field; `name` in lower case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// True when a comma-separated header field (such as `Connection`) holds `token`, in any
    /// of its lines, ignoring case.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(field, _)| field == name)
            .flat_map(|(_, value)| value.split(','))
            .any(|item| item.trim().eq_ignore_ascii_case(token))
    }
}

/// Why reading stopped before the bytes wanted had arrived.
enum ReadStop {
    /// The server closed the connection.
    Closed,
    /// The deadline passed.
    TimedOut,
    /// [`MAX_RECEIVED_BYTES`] have arrived.
    TooLarge,
    /// The connection failed (reset, for example).
    Failed(io::Error),
}

/// An open connection to the server, recording every byte into a [`Transcript`].
pub struct Connection<'t> {
    /// The byte stream.
    transport: Transport,
    /// Where every byte sent and received is recorded.
    transcript: &'t mut Transcript,
    /// Bytes received but not yet part of a parsed response.
    unread: Vec<u8>,
    /// True once a read returned end-of-file.
    closed_by_server: bool,
}

impl Connection<'_> {
    /// This end's address: the client address the server sees (its `REMOTE_ADDR`), unless a
    /// proxy stands between.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.transport.socket().local_addr().ok()
    }

    /// What the TLS handshake agreed; `None` on a plain TCP connection.
    pub fn tls(&self) -> Option<&Negotiated> {
        match &self.transport {
            Transport::Plain(_) => None,
            Transport::Tls(stream) => Some(stream.negotiated()),
        }
    }

    /// Sends `bytes` exactly as given.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.transcript.sent.extend_from_slice(bytes);
        self.transport
            .write_all(bytes)
            .and_then(|()| self.transport.flush())
            .map_err(|error| Failure::new(format!("sending the request failed: {error}")))
    }

    /// Reads one more piece from the server into `unread`, waiting until `deadline` at most.
    fn fill(&mut self, deadline: Instant) -> Result<(), ReadStop> {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            if self.closed_by_server {
                return Err(ReadStop::Closed);
            }
            let room = MAX_RECEIVED_BYTES.saturating_sub(self.transcript.received.len());
            if room == 0 {
                return Err(ReadStop::TooLarge);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ReadStop::TimedOut);
            }
            if let Err(error) = self.transport.socket().set_read_timeout(Some(left)) {
                return Err(ReadStop::Failed(error));
            }
            let room = room.min(buffer.len());
            match self.transport.read(&mut buffer[..room]) {
                Ok(0) => {
                    self.closed_by_server = true;
                    return Err(ReadStop::Closed);
                }
                Ok(n) => {
                    self.unread.extend_from_slice(&buffer[..n]);
                    self.transcript.received.extend_from_slice(&buffer[..n]);
                    return Ok(());
                }
                // A signal interrupted the read, or the timeout fired: the loop checks the
                // deadline again.
                Err(error)
                    if matches!(
                        error.kind(),
                        ErrorKind::Interrupted | ErrorKind::WouldBlock | ErrorKind::TimedOut
                    ) => {}
                Err(error) => return Err(ReadStop::Failed(error)),
            }
        }
    }

    /// Reads until `unread` holds at least `wanted` bytes; `what` names them for messages.
    fn fill_to(&mut self, wanted: usize, deadline: Instant, what: &str) -> Result<(), Failure> {
        while self.unread.len() < wanted {
            if let Err(stop) = self.fill(deadline) {
                return Err(stopped_in(stop, what));
            }
        }
        Ok(())
    }

    /// Reads until `unread` holds `\r\n` at or after `from`; returns the line's end (its CR).
    fn fill_to_line_end(
        &mut self,
        from: usize,
        deadline: Instant,
        what: &str,
    ) -> Result<usize, Failure> {
        loop {
            if let Some(at) = find(&self.unread[from..], b"\r\n") {
                return Ok(from + at);
            }
            if let Err(stop) = self.fill(deadline) {
                return Err(stopped_in(stop, what));
            }
        }
    }

    /// Reads one response. `to_head` says the request was `HEAD`: then the response has no
    /// body whatever its `Content-Length` says.
    pub fn read_response(&mut self, to_head: bool) -> Result<Response, Failure> {
        let deadline = Instant::now() + RESPONSE_TIMEOUT;
        loop {
            let head_end = self.read_head(deadline)?;
            let head = String::from_utf8_lossy(&self.unread[..head_end - 4]).into_owned();
            let (version, status, reason, headers) = parse_head(&head)?;
            self.transcript.last_status = Some((status, reason.clone()));
            if (100..200).contains(&status) && status != 101 {
                // An interim response (100 Continue, 103 Early Hints): the real one follows.
                self.unread.drain(..head_end);
                continue;
            }
            let mut response = Response {
                version,
                status,
                reason,
                headers,
                body: Vec::new(),
                framing: Framing::NoBody,
            };
            response.framing = framing_of(&response, to_head)?;
            let body_end = self.read_body(&mut response, head_end, deadline)?;
            self.unread.drain(..body_end);
            return Ok(response);
        }
    }

    /// Reads until the head's empty line; returns the position just after it.
    fn read_head(&mut self, deadline: Instant) -> Result<usize, Failure> {
        loop {
            if let Some(at) = find(&self.unread, b"\r\n\r\n") {
                return Ok(at + 4);
            }
            if self.unread.len() >= 5 && !self.unread.starts_with(b"HTTP/") {
                // Say what is wrong, then keep what else arrives for the report.
                let failure = no_status_line(&self.unread);
                let _ = self.read_rest();
                return Err(failure);
            }
            match self.fill(deadline) {
                Ok(()) => {}
                Err(ReadStop::Closed) if self.unread.is_empty() => {
                    return Err(Failure::new(
                        "the server closed the connection without sending a response",
                    ));
                }
                Err(ReadStop::TimedOut) if self.unread.is_empty() => {
                    return Err(Failure::new(format!(
                        "the server accepted the connection but sent nothing for {} seconds",
                        RESPONSE_TIMEOUT.as_secs()
                    )));
                }
                Err(stop) => {
                    if !self.unread.starts_with(b"HTTP/") {
                        return Err(no_status_line(&self.unread));
                    }
                    if find(&self.unread, b"\n\n").is_some() {
                        return Err(Failure::new(
                            "the response head's lines end in a bare \\n: every line of an HTTP \
                             head, and the empty line after it, must end in \\r\\n",
                        ));
                    }
                    return Err(stopped_in(stop, "the response head"));
                }
            }
        }
    }

    /// Reads the body that starts at `start` in `unread` into `response.body`; returns the
    /// position just after it.
    fn read_body(
        &mut self,
        response: &mut Response,
        start: usize,
        deadline: Instant,
    ) -> Result<usize, Failure> {
        match response.framing {
            Framing::NoBody => Ok(start),
            Framing::Length(length) => {
                if length > MAX_RECEIVED_BYTES {
                    return Err(Failure::new(format!(
                        "Content-Length announces {length} bytes, more than the {} MiB this \
                         checker reads",
                        MAX_RECEIVED_BYTES / (1024 * 1024)
                    )));
                }
                while self.unread.len() < start + length {
                    match self.fill(deadline) {
                        Ok(()) => {}
                        Err(ReadStop::Closed) => {
                            return Err(Failure::new(format!(
                                "the server closed the connection after {} of the {length} body \
                                 bytes that Content-Length announced: Content-Length must count \
                                 the bytes of the body exactly",
                                self.unread.len() - start
                            )));
                        }
                        Err(stop) => return Err(stopped_in(stop, "the response body")),
                    }
                }
                response.body = self.unread[start..start + length].to_vec();
                Ok(start + length)
            }
            Framing::Chunked => self.read_chunks(response, start, deadline),
            Framing::UntilClose => loop {
                match self.fill(deadline) {
                    Ok(()) => {}
                    Err(ReadStop::Closed) => {
                        response.body = self.unread[start..].to_vec();
                        return Ok(self.unread.len());
                    }
                    Err(ReadStop::TimedOut) => {
                        return Err(Failure::new(format!(
                            "the response has neither Content-Length nor Transfer-Encoding: \
                             chunked, so its body ends when the server closes the connection, \
                             but it was still open after {} seconds",
                            RESPONSE_TIMEOUT.as_secs()
                        )));
                    }
                    Err(stop) => return Err(stopped_in(stop, "the response body")),
                }
            },
        }
    }

    /// Decodes a chunked body (RFC 9112 §7.1) starting at `start`; returns where it ends.
    fn read_chunks(
        &mut self,
        response: &mut Response,
        start: usize,
        deadline: Instant,
    ) -> Result<usize, Failure> {
        let mut at = start;
        loop {
            let line_end = self.fill_to_line_end(at, deadline, "a chunk size line")?;
            let line = String::from_utf8_lossy(&self.unread[at..line_end]).into_owned();
            let size_text = line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16)
                .ok()
                .filter(|_| !size_text.is_empty())
                .ok_or_else(|| {
                    Failure::new(format!(
                        "a chunk size line must start with a hexadecimal number, but it is \
                         {line:?}"
                    ))
                })?;
            at = line_end + 2;
            if size == 0 {
                // Trailer fields, if any, then the empty line.
                loop {
                    let end = self.fill_to_line_end(at, deadline, "the end of the chunked body")?;
                    let empty = end == at;
                    at = end + 2;
                    if empty {
                        return Ok(at);
                    }
                }
            }
            if response.body.len() + size > MAX_RECEIVED_BYTES {
                return Err(stopped_in(ReadStop::TooLarge, "a chunk"));
            }
            self.fill_to(at + size + 2, deadline, "a chunk")?;
            if &self.unread[at + size..at + size + 2] != b"\r\n" {
                return Err(Failure::new(format!(
                    "a chunk of {size} bytes (0x{size:x}) must be followed by \\r\\n: the chunk \
                     size does not match the data"
                )));
            }
            response.body.extend_from_slice(&self.unread[at..at + size]);
            at += size + 2;
        }
    }

    /// Everything the server sends after the responses read so far, until it closes the
    /// connection or [`LINGER`] passes. When the request asked for `Connection: close`, a
    /// correct server sends nothing more and closes, so this is empty and returns at once.
    pub fn read_rest(&mut self) -> Vec<u8> {
        let deadline = Instant::now() + LINGER;
        while self.fill(deadline).is_ok() {}
        std::mem::take(&mut self.unread)
    }

    /// Waits, for [`RESPONSE_TIMEOUT`] at most, for the first sign of life after a request:
    /// bytes (then in [`Connection::unread`]), a close, a reset, or nothing at all.
    pub fn first_sign(&mut self) -> Sign {
        self.sign(Instant::now() + RESPONSE_TIMEOUT)
    }

    /// Reads until the server closes the connection, for [`RESPONSE_TIMEOUT`] at most; the
    /// bytes are added to [`Connection::unread`]. Returns how the wait ended ([`Sign::Bytes`]
    /// only when [`MAX_RECEIVED_BYTES`] arrived).
    pub fn wait_for_close(&mut self) -> Sign {
        let deadline = Instant::now() + RESPONSE_TIMEOUT;
        loop {
            match self.sign(deadline) {
                Sign::Bytes if self.transcript.received.len() < MAX_RECEIVED_BYTES => {}
                other => return other,
            }
        }
    }

    /// One read until `deadline`, as a [`Sign`].
    fn sign(&mut self, deadline: Instant) -> Sign {
        match self.fill(deadline) {
            Ok(()) | Err(ReadStop::TooLarge) => Sign::Bytes,
            Err(ReadStop::Closed) => Sign::Closed,
            Err(ReadStop::TimedOut) => Sign::Silent,
            Err(ReadStop::Failed(error)) => Sign::Failed(error),
        }
    }

    /// The bytes received and not yet read as part of a response.
    pub fn unread(&self) -> &[u8] {
        &self.unread
    }
}

/// What a server did after a request, when its answer is not necessarily HTTP.
#[derive(Debug)]
pub enum Sign {
    /// It sent bytes.
    Bytes,
    /// It closed the connection (end of file).
    Closed,
    /// The connection failed: reset by the server, most often.
    Failed(io::Error),
    /// It neither sent anything nor closed, within the time allowed.
    Silent,
}

/// A failure for reading that stopped in the middle of `what`.
fn stopped_in(stop: ReadStop, what: &str) -> Failure {
    Failure::new(match stop {
        ReadStop::Closed => format!("the server closed the connection in the middle of {what}"),
        ReadStop::TimedOut => format!(
            "{what} did not arrive within {} seconds",
            RESPONSE_TIMEOUT.as_secs()
        ),
        ReadStop::TooLarge => format!(
            "the response is larger than the {} MiB this checker reads",
            MAX_RECEIVED_BYTES / (1024 * 1024)
        ),
        ReadStop::Failed(error) => format!("the connection failed while reading {what}: {error}"),
    })
}

/// The failure for an answer that does not start with `HTTP/`.
fn no_status_line(received: &[u8]) -> Failure {
    Failure::new(format!(
        "the answer does not start with a status line such as `HTTP/1.1 200 OK`: it starts with \
         {:?}. Without a status line and headers (an HTTP/0.9-style answer) an HTTP/1.x client \
         cannot tell the status or where the body ends",
        String::from_utf8_lossy(&received[..received.len().min(16)])
    ))
}

/// The parts of a response head: version, status code, reason phrase and header fields.
type Head = (String, u16, String, Vec<(String, String)>);

/// Parses the status line and header fields of a head (without its final empty line).
fn parse_head(head: &str) -> Result<Head, Failure> {
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let (version, rest) = status_line.split_once(' ').unwrap_or((status_line, ""));
    let version_is_valid = version.len() == 8
        && version.starts_with("HTTP/")
        && version.as_bytes()[5].is_ascii_digit()
        && version.as_bytes()[6] == b'.'
        && version.as_bytes()[7].is_ascii_digit();
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    let status = code
        .parse::<u16>()
        .ok()
        .filter(|_| code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()));
    let (true, Some(status)) = (version_is_valid, status) else {
        return Err(Failure::new(format!(
            "the status line must be `HTTP/1.1 <three-digit code> <reason>`, but it is \
             {status_line:?}"
        )));
    };
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(Failure::new(format!(
                "a header line must be `Name: value`, but one is {line:?}"
            )));
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(Failure::new(format!(
                "a header name must be one word right before the colon, but one line is {line:?}"
            )));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    Ok((version.to_string(), status, reason.to_string(), headers))
}

/// Decides how the body of `response` is framed (RFC 9112 §6.3).
fn framing_of(response: &Response, to_head: bool) -> Result<Framing, Failure> {
    if to_head || matches!(response.status, 100..=199 | 204 | 304) {
        return Ok(Framing::NoBody);
    }
    if let Some(codings) = response.header("transfer-encoding") {
        let last = codings.rsplit(',').next().unwrap_or("").trim();
        return Ok(if last.eq_ignore_ascii_case("chunked") {
            Framing::Chunked
        } else {
            Framing::UntilClose
        });
    }
    let mut length = None;
    for (_, value) in response
        .headers
        .iter()
        .filter(|(name, _)| name == "content-length")
    {
        for item in value.split(',') {
            let item = item.trim();
            let parsed = item
                .parse::<usize>()
                .ok()
                .filter(|_| item.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| Failure::new(format!("Content-Length {item:?} is not a number")))?;
            if length.is_some_and(|known| known != parsed) {
                return Err(Failure::new(
                    "the response has two different Content-Length values",
                ));
            }
            length = Some(parsed);
        }
    }
    Ok(length.map_or(Framing::UntilClose, Framing::Length))
}

/// The position of `needle` in `haystack` (0 for an empty needle).
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_taken_apart() {
        let target = Target::parse("http://127.0.0.1:8002/").unwrap();
        assert_eq!(target.host, "127.0.0.1");
        assert_eq!(target.port, 8002);
        assert_eq!(target.base_path, "/");
        assert_eq!(target.path("/hello.txt"), "/hello.txt");

        let target = Target::parse("HTTP://localhost").unwrap();
        assert_eq!((target.host.as_str(), target.port), ("localhost", 80));
        assert_eq!(target.base_path, "/");

        let target = Target::parse("http://[::1]:9000/static?x=1").unwrap();
        assert_eq!(target.host, "::1");
        assert_eq!(target.authority(), "[::1]:9000");
        assert_eq!(target.path("/hello.txt"), "/static/hello.txt");
    }

    #[test]
    fn https_urls_default_to_port_443_and_need_a_certificate_to_trust() {
        let target = Target::parse("HTTPS://localhost/app").unwrap();
        assert_eq!(target.scheme, Scheme::Https);
        assert_eq!((target.host.as_str(), target.port), ("localhost", 443));
        assert_eq!(target.scheme.name(), "https");
        let error = target.clone().trusting(None).unwrap_err();
        assert!(error.contains("needs --cacert FILE"), "{error}");
        assert!(error.contains(tls::WRITE_CERT_HINT), "{error}");
        let error = target
            .trusting(Some(Path::new("/nonexistent/cert.pem")))
            .unwrap_err();
        assert!(error.contains("cannot read the --cacert file"), "{error}");

        let plain = Target::parse("http://127.0.0.1:8002/").unwrap();
        let error = plain
            .clone()
            .trusting(Some(Path::new("/tmp/cert.pem")))
            .unwrap_err();
        assert!(error.contains("is for https:// URLs"), "{error}");
        assert!(plain.trusting(None).is_ok());
    }

    #[test]
    fn unusable_urls_are_refused_with_a_reason() {
        for (url, says) in [
            ("127.0.0.1:8002", "not a URL"),
            ("ftp://127.0.0.1/", "ftp://"),
            ("http://:8002/", "no host"),
            ("http://127.0.0.1:99999/", "not a port"),
            ("http://127.0.0.1:0/", "not a port"),
            ("http://[::1/", "closing ]"),
            ("http://user@127.0.0.1/", "user name"),
        ] {
            let error = Target::parse(url).unwrap_err();
            assert!(error.contains(says), "{url}: {error}");
        }
    }

    #[test]
    fn requests_carry_host_and_the_body_length() {
        let target = Target::parse("http://127.0.0.1:8002/").unwrap();
        assert_eq!(
            target.simple("GET", "/a"),
            b"GET /a HTTP/1.1\r\nHost: 127.0.0.1:8002\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(
            target.request("POST / HTTP/1.1", &[], b"hi"),
            b"POST / HTTP/1.1\r\nHost: 127.0.0.1:8002\r\nContent-Length: 2\r\n\r\nhi"
        );
    }

    #[test]
    fn heads_are_parsed_strictly() {
        let (version, status, reason, headers) =
            parse_head("HTTP/1.0 404 File not found\r\nContent-Type: text/html").unwrap();
        assert_eq!((version.as_str(), status), ("HTTP/1.0", 404));
        assert_eq!(reason, "File not found");
        assert_eq!(
            headers,
            [("content-type".to_string(), "text/html".to_string())]
        );
        assert_eq!(parse_head("HTTP/1.1 200").unwrap().1, 200);
        for bad in [
            "HTTP/1.1 2000 OK",
            "HTTP/1.1 OK",
            "HTTP/11 200 OK",
            "HTTP/1.1 200 OK\r\nno colon",
            "HTTP/1.1 200 OK\r\nBad Name: x",
        ] {
            assert!(parse_head(bad).is_err(), "{bad}");
        }
    }
}
