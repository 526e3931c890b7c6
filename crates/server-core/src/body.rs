//! Reading a request body: exactly Content-Length bytes, or de-chunked (RFC 9112 §6, §7.1).
//!
//! What it teaches: the head decides how long the body is, and the server must read exactly
//! that much — no more, because the next pipelined request follows at once, and no less,
//! because leftover body bytes would be mistaken for the next request. Chapter 2 decodes a
//! chunked body by hand.
//!
//! A [`RequestBody`] is an ordinary [`std::io::Read`]: handlers read it like a file and see only
//! the body's bytes, never the framing and never the next request.
//!
//! Choices made here:
//! - `Expect: 100-continue` is answered lazily, on the handler's *first read*: a handler that
//!   refuses the request without reading the body never makes the client send it.
//! - Chunk sizes are at most 16 hex digits; chunk extensions are accepted and ignored (RFC 9112
//!   §7.1.1 lets a recipient ignore them); a size line, with its extensions, may be 4 KiB.
//!   Trailer fields are read and discarded (§7.1.2), bounded by the header-size limit.
//! - The chunk-size line and the line ending after each chunk's data must end with CRLF,
//!   exactly as §7.1's grammar writes them (`chunk-size [ chunk-ext ] CRLF chunk-data CRLF`);
//!   a bare LF there is 400. §2.2 lets a recipient accept a bare LF only for the start-line
//!   and fields, and being lenient in the framing is what request smuggling feeds on: a proxy
//!   in front that reads `3\n` differently from us would see another body, and another next
//!   request, than we do. Trailer lines are fields, so they get the head's §2.2 tolerance.
//! - A de-chunked body over the body limit fails with 413 as soon as the limit is passed.
//! - A body that stalls gets the deadline of `config::Timeouts::body`, which grows with each
//!   byte received (see `config`). When it fails, the failure is remembered so that the
//!   connection can answer it (400, 408 or 413) instead of whatever the handler returned.

use std::io::{self, Read};
use std::time::{Duration, Instant};

use crate::config::BODY_MIN_RATE;
use crate::request::{BodyFraming, RequestError};

/// Longest chunk-size line (size, extensions and line ending) accepted.
const MAX_CHUNK_LINE: usize = 4096;

/// What a body needs from the connection underneath it.
pub(crate) trait BodySource {
    /// Bytes already received and not yet consumed.
    fn buffered(&self) -> &[u8];
    /// Marks `n` buffered bytes as consumed.
    fn consume(&mut self, n: usize);
    /// Receives more bytes before `deadline`; `Ok(0)` means the client closed its side.
    fn fill(&mut self, deadline: Instant) -> io::Result<usize>;
    /// Sends `HTTP/1.1 100 Continue` and flushes it.
    fn send_continue(&mut self) -> io::Result<()>;
}

/// How a line of a chunked body may end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnd {
    /// Only CRLF: the chunk-size line and the end of chunk data (RFC 9112 §7.1).
    Crlf,
    /// CRLF or a bare LF: trailer field lines, like the head's fields (RFC 9112 §2.2).
    CrlfOrLf,
}

/// Where a chunked body's decoder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunked {
    /// Expecting a chunk-size line.
    Size,
    /// Inside a chunk's data with this many bytes still to come.
    Data(u64),
    /// Expecting the CRLF that ends a chunk's data.
    DataEnd,
    /// After the last chunk: reading trailer lines up to the empty line.
    Trailers,
}

/// Where the body as a whole is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Content-Length framing with this many bytes still to read.
    Length(u64),
    /// Chunked framing.
    Chunked(Chunked),
    /// Every byte of the body has been read.
    Done,
}

/// The body of the request being handled: read it like a file.
pub struct RequestBody<'a> {
    source: &'a mut dyn BodySource,
    state: State,
    framing: BodyFraming,
    /// Body bytes delivered so far (after de-chunking).
    received: u64,
    /// The largest body accepted (413 past it).
    limit: u64,
    /// Largest trailer section accepted.
    max_trailer_bytes: usize,
    /// When the body began, for the growing deadline.
    started: Instant,
    /// The deadline's base allowance.
    timeout: Duration,
    /// `100 Continue` is owed before the first read.
    continue_pending: bool,
    /// The first failure, answered by the connection in place of the handler's response.
    error: Option<RequestError>,
}

impl<'a> RequestBody<'a> {
    pub(crate) fn new(
        source: &'a mut dyn BodySource,
        framing: BodyFraming,
        expects_continue: bool,
        limit: u64,
        max_trailer_bytes: usize,
        timeout: Duration,
    ) -> Self {
        let state = match framing {
            BodyFraming::None | BodyFraming::Length(0) => State::Done,
            BodyFraming::Length(n) => State::Length(n),
            BodyFraming::Chunked => State::Chunked(Chunked::Size),
        };
        RequestBody {
            source,
            state,
            framing,
            received: 0,
            limit,
            max_trailer_bytes,
            started: Instant::now(),
            timeout,
            continue_pending: expects_continue && state != State::Done,
            error: None,
        }
    }

    /// The length the client announced with Content-Length, if it did.
    pub fn declared_length(&self) -> Option<u64> {
        match self.framing {
            BodyFraming::Length(n) => Some(n),
            _ => None,
        }
    }

    /// True when the body is sent in chunks (its length is unknown until the end).
    pub fn is_chunked(&self) -> bool {
        self.framing == BodyFraming::Chunked
    }

    /// True once the whole body has been read.
    pub fn is_finished(&self) -> bool {
        self.state == State::Done
    }

    /// Body bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.received
    }

    /// Reads the whole body into memory, refusing more than `max` bytes.
    pub fn read_to_vec(&mut self, max: u64) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.by_ref()
            .take(max.saturating_add(1))
            .read_to_end(&mut out)?;
        if out.len() as u64 > max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the request body is larger than {max} bytes"),
            ));
        }
        Ok(out)
    }

    /// Releases the connection, keeping where the body is, so the response can be written;
    /// [`SuspendedBody::resume`] picks the body up again to skip what is left.
    pub(crate) fn suspend(self) -> SuspendedBody {
        SuspendedBody {
            state: self.state,
            framing: self.framing,
            received: self.received,
            limit: self.limit,
            max_trailer_bytes: self.max_trailer_bytes,
            started: self.started,
            timeout: self.timeout,
            continue_pending: self.continue_pending,
            error: self.error,
        }
    }

    /// The framing error met while reading, if any; the connection answers it.
    pub(crate) fn error(&self) -> Option<&RequestError> {
        self.error.as_ref()
    }

    /// True while `100 Continue` was owed but never sent: the client may not have sent the body.
    pub(crate) fn continue_still_pending(&self) -> bool {
        self.continue_pending
    }

    /// Reads and discards what is left, up to `max` bytes; true if the body is then complete.
    pub(crate) fn drain(&mut self, max: u64) -> bool {
        let mut scratch = [0u8; 8192];
        let mut left = max;
        while !self.is_finished() && left > 0 {
            let want = scratch
                .len()
                .min(usize::try_from(left).unwrap_or(usize::MAX));
            match self.read(&mut scratch[..want]) {
                Ok(0) => break,
                Ok(n) => left -= n as u64,
                Err(_) => return false,
            }
        }
        self.is_finished()
    }

    // ANCHOR: body_deadline
    fn deadline(&self) -> Instant {
        self.started + self.timeout + Duration::from_secs(self.received / BODY_MIN_RATE)
    }
    // ANCHOR_END: body_deadline

    /// Remembers a failure and turns it into the `io::Error` the handler sees.
    fn fail(&mut self, error: RequestError) -> io::Error {
        let kind = match error {
            RequestError::Timeout => io::ErrorKind::TimedOut,
            RequestError::Incomplete => io::ErrorKind::UnexpectedEof,
            _ => io::ErrorKind::InvalidData,
        };
        let message = error.to_string();
        self.error.get_or_insert(error);
        io::Error::new(kind, message)
    }

    /// Makes sure at least one byte is buffered, or reports why not.
    fn ensure_buffered(&mut self) -> Result<(), RequestError> {
        if !self.source.buffered().is_empty() {
            return Ok(());
        }
        match self.source.fill(self.deadline()) {
            Ok(0) => Err(RequestError::Incomplete),
            Ok(_) => Ok(()),
            Err(err) if is_timeout(&err) => Err(RequestError::Timeout),
            Err(_) => Err(RequestError::Incomplete),
        }
    }

    /// Copies up to `want` buffered body bytes into `out`.
    fn copy_out(&mut self, out: &mut [u8], want: u64) -> Result<usize, RequestError> {
        self.ensure_buffered()?;
        let available = self.source.buffered();
        let n = out
            .len()
            .min(available.len())
            .min(usize::try_from(want).unwrap_or(usize::MAX));
        out[..n].copy_from_slice(&available[..n]);
        self.source.consume(n);
        self.received += n as u64;
        if self.received > self.limit {
            return Err(RequestError::BodyTooLarge { limit: self.limit });
        }
        Ok(n)
    }

    /// Reads one line (up to LF) of at most `max` bytes, without its line ending, which must
    /// be CRLF when `end` says so.
    fn read_line(
        &mut self,
        max: usize,
        end: LineEnd,
        too_long: RequestError,
    ) -> Result<Vec<u8>, RequestError> {
        loop {
            let buffered = self.source.buffered();
            if let Some(lf) = buffered.iter().position(|&b| b == b'\n') {
                if lf + 1 > max {
                    return Err(too_long);
                }
                let mut line = buffered[..lf].to_vec();
                self.source.consume(lf + 1);
                if line.last() == Some(&b'\r') {
                    line.pop();
                } else if end == LineEnd::Crlf {
                    return Err(RequestError::BadChunk(
                        "a chunk-size line or the end of chunk data has a bare LF; the chunked \
                         framing needs CRLF there (RFC 9112 §7.1)",
                    ));
                }
                if line.contains(&b'\r') {
                    return Err(RequestError::BadChunk("a carriage return inside a line"));
                }
                return Ok(line);
            }
            if buffered.len() >= max {
                return Err(too_long);
            }
            match self.source.fill(self.deadline()) {
                Ok(0) => return Err(RequestError::Incomplete),
                Ok(_) => {}
                Err(err) if is_timeout(&err) => return Err(RequestError::Timeout),
                Err(_) => return Err(RequestError::Incomplete),
            }
        }
    }

    // ANCHOR: chunked_step
    /// One step of the body state machine: returns body bytes copied into `out` (maybe 0
    /// while framing is consumed; `Done` ends it).
    fn step(&mut self, out: &mut [u8]) -> Result<usize, RequestError> {
        match self.state {
            State::Done => Ok(0),
            State::Length(remaining) => {
                let n = self.copy_out(out, remaining)?;
                let left = remaining - n as u64;
                self.state = if left == 0 {
                    State::Done
                } else {
                    State::Length(left)
                };
                Ok(n)
            }
            State::Chunked(Chunked::Size) => {
                let line = self.read_line(
                    MAX_CHUNK_LINE,
                    LineEnd::Crlf,
                    RequestError::BadChunk("the chunk-size line is too long"),
                )?;
                let size = parse_chunk_size(&line)?;
                // A chunk announced bigger than what the limit still allows is refused now,
                // not after its first bytes have been read.
                if size > self.limit.saturating_sub(self.received) {
                    return Err(RequestError::BodyTooLarge { limit: self.limit });
                }
                self.state = State::Chunked(if size == 0 {
                    Chunked::Trailers
                } else {
                    Chunked::Data(size)
                });
                Ok(0)
            }
            State::Chunked(Chunked::Data(remaining)) => {
                let n = self.copy_out(out, remaining)?;
                let left = remaining - n as u64;
                self.state = State::Chunked(if left == 0 {
                    Chunked::DataEnd
                } else {
                    Chunked::Data(left)
                });
                Ok(n)
            }
            State::Chunked(Chunked::DataEnd) => {
                let line = self.read_line(
                    2,
                    LineEnd::Crlf,
                    RequestError::BadChunk("chunk data is longer than its size"),
                )?;
                if !line.is_empty() {
                    return Err(RequestError::BadChunk("chunk data is longer than its size"));
                }
                self.state = State::Chunked(Chunked::Size);
                Ok(0)
            }
            State::Chunked(Chunked::Trailers) => {
                let mut total = 0usize;
                loop {
                    let limit = self.max_trailer_bytes.saturating_sub(total).max(2);
                    let line = self.read_line(
                        limit,
                        LineEnd::CrlfOrLf,
                        RequestError::HeadersTooLarge {
                            limit: self.max_trailer_bytes,
                        },
                    )?;
                    if line.is_empty() {
                        break;
                    }
                    if !line.contains(&b':') || line.iter().any(|&b| b < 0x20 && b != b'\t') {
                        return Err(RequestError::BadChunk("a trailer line is malformed"));
                    }
                    total += line.len() + 2;
                }
                self.state = State::Done;
                Ok(0)
            }
        }
    }
    // ANCHOR_END: chunked_step
}

// ANCHOR: read_continue
impl Read for RequestBody<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some(error) = &self.error {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                error.to_string(),
            ));
        }
        if out.is_empty() || self.state == State::Done {
            return Ok(0);
        }
        if self.continue_pending {
            self.continue_pending = false;
            self.source.send_continue()?;
        }
        loop {
            match self.step(out) {
                Ok(0) if self.state != State::Done => continue,
                Ok(n) => return Ok(n),
                Err(error) => return Err(self.fail(error)),
            }
        }
    }
}
// ANCHOR_END: read_continue

/// A [`RequestBody`] without its connection: everything but the borrow.
pub(crate) struct SuspendedBody {
    state: State,
    framing: BodyFraming,
    received: u64,
    limit: u64,
    max_trailer_bytes: usize,
    started: Instant,
    timeout: Duration,
    continue_pending: bool,
    error: Option<RequestError>,
}

impl SuspendedBody {
    /// How many body bytes are still to come, when that is known (not for chunks).
    pub(crate) fn known_remaining(&self) -> Option<u64> {
        match self.state {
            State::Length(left) => Some(left),
            State::Done => Some(0),
            State::Chunked(_) => None,
        }
    }

    /// Reattaches the body to its connection.
    pub(crate) fn resume(self, source: &mut dyn BodySource) -> RequestBody<'_> {
        RequestBody {
            source,
            state: self.state,
            framing: self.framing,
            received: self.received,
            limit: self.limit,
            max_trailer_bytes: self.max_trailer_bytes,
            started: self.started,
            timeout: self.timeout,
            continue_pending: self.continue_pending,
            error: self.error,
        }
    }
}

// ANCHOR: parse_chunk_size
/// Parses `1a;name=value` into 26; at most 16 hex digits, extensions ignored.
pub fn parse_chunk_size(line: &[u8]) -> Result<u64, RequestError> {
    let size_part = match line.iter().position(|&b| b == b';') {
        Some(semi) => {
            let extensions = &line[semi..];
            if extensions
                .iter()
                .any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f)
            {
                return Err(RequestError::BadChunk(
                    "a chunk extension holds a control byte",
                ));
            }
            &line[..semi]
        }
        None => line,
    };
    // RFC 9112 §7.1.1 allows whitespace before the ';' of an extension (BWS), nowhere else.
    let digits = if size_part.len() < line.len() {
        trim_end_bws(size_part)
    } else {
        size_part
    };
    if digits.is_empty() || digits.len() > 16 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err(RequestError::BadChunk(
            "the chunk size is not 1 to 16 hexadecimal digits",
        ));
    }
    let text = std::str::from_utf8(digits).map_err(|_| RequestError::BadChunk("bad chunk size"))?;
    u64::from_str_radix(text, 16).map_err(|_| RequestError::BadChunk("bad chunk size"))
}
// ANCHOR_END: parse_chunk_size

fn trim_end_bws(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

pub(crate) fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body source over fixed bytes, delivered in pieces of `piece` bytes.
    struct Bytes {
        data: Vec<u8>,
        pos: usize,
        visible: usize,
        piece: usize,
        continues_sent: usize,
    }

    impl Bytes {
        fn new(data: &[u8], piece: usize) -> Self {
            Bytes {
                data: data.to_vec(),
                pos: 0,
                visible: 0,
                piece,
                continues_sent: 0,
            }
        }
        fn rest(&self) -> &[u8] {
            &self.data[self.pos..]
        }
    }

    impl BodySource for Bytes {
        fn buffered(&self) -> &[u8] {
            &self.data[self.pos..self.visible]
        }
        fn consume(&mut self, n: usize) {
            self.pos += n;
        }
        fn fill(&mut self, _deadline: Instant) -> io::Result<usize> {
            let before = self.visible;
            self.visible = (self.visible + self.piece).min(self.data.len());
            Ok(self.visible - before)
        }
        fn send_continue(&mut self) -> io::Result<()> {
            self.continues_sent += 1;
            Ok(())
        }
    }

    fn read_body(
        wire: &[u8],
        framing: BodyFraming,
        piece: usize,
    ) -> (Result<Vec<u8>, RequestError>, Vec<u8>) {
        let mut source = Bytes::new(wire, piece);
        let mut body = RequestBody::new(
            &mut source,
            framing,
            false,
            1000,
            1024,
            Duration::from_secs(5),
        );
        let mut out = Vec::new();
        let result = match body.read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(_) => Err(body.error().cloned().unwrap()),
        };
        let rest = source.rest().to_vec();
        (result, rest)
    }

    #[test]
    fn content_length_stops_at_the_next_request() {
        for piece in [1, 3, 1000] {
            let (body, rest) = read_body(b"helloGET / HTTP/1.1\r\n", BodyFraming::Length(5), piece);
            assert_eq!(body.unwrap(), b"hello");
            assert_eq!(rest, b"GET / HTTP/1.1\r\n");
        }
    }

    #[test]
    fn chunked_bodies_are_decoded_with_extensions_and_trailers() {
        let wire = b"4;ext=1\r\nWiki\r\n5 ;x\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\nNEXT";
        for piece in [1, 2, 7, 4096] {
            let (body, rest) = read_body(wire, BodyFraming::Chunked, piece);
            assert_eq!(body.unwrap(), b"Wikipedia in\r\n\r\nchunks.");
            assert_eq!(rest, b"NEXT");
        }
    }

    #[test]
    fn a_bare_lf_in_the_chunk_framing_is_400() {
        for wire in [
            &b"3\nabc\r\n0\r\n\r\n"[..],
            b"3;ext=1\nabc\r\n0\r\n\r\n",
            b"3\r\nabc\n0\r\n\r\n",
            b"3\r\nabc\r\n0\n\r\n",
            b"3\nabc\n0\n\n",
        ] {
            for piece in [1, 100] {
                let (body, _) = read_body(wire, BodyFraming::Chunked, piece);
                let err = body.unwrap_err();
                assert!(
                    matches!(err, RequestError::BadChunk(why) if why.contains("bare LF")),
                    "{:?} gave {err:?}",
                    String::from_utf8_lossy(wire)
                );
                assert_eq!(err.status(), 400);
            }
        }
    }

    #[test]
    fn trailer_lines_may_end_with_a_bare_lf_like_the_head() {
        let (body, rest) = read_body(
            b"3\r\nabc\r\n0\r\nX-T: 1\n\nNEXT",
            BodyFraming::Chunked,
            100,
        );
        assert_eq!(body.unwrap(), b"abc");
        assert_eq!(rest, b"NEXT");
    }

    #[test]
    fn bad_chunks_are_400() {
        for wire in [
            &b"zz\r\nabc\r\n0\r\n\r\n"[..],
            b"3\r\nabcdef\r\n0\r\n\r\n",
            b"-1\r\n",
            b"\r\n",
            b"11111111111111111\r\n",
            b"3 4\r\nabc\r\n",
            b"3\r\nabc\r\n0\r\nno colon\r\n\r\n",
        ] {
            let (body, _) = read_body(wire, BodyFraming::Chunked, 100);
            let err = body.unwrap_err();
            assert_eq!(
                err.status(),
                400,
                "{:?} gave {err:?}",
                String::from_utf8_lossy(wire)
            );
        }
    }

    #[test]
    fn chunked_bodies_over_the_limit_are_413() {
        let mut wire = Vec::new();
        for _ in 0..20 {
            wire.extend_from_slice(b"64\r\n");
            wire.extend_from_slice(&[b'x'; 100]);
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(b"0\r\n\r\n");
        let (body, _) = read_body(&wire, BodyFraming::Chunked, 4096);
        assert_eq!(
            body.unwrap_err(),
            RequestError::BodyTooLarge { limit: 1000 }
        );
    }

    #[test]
    fn a_chunk_announced_over_the_limit_is_413_before_its_data() {
        // No data follows the size line: the refusal cannot wait for it.
        let (body, _) = read_body(b"ffffffffffffffff\r\n", BodyFraming::Chunked, 4096);
        assert_eq!(
            body.unwrap_err(),
            RequestError::BodyTooLarge { limit: 1000 }
        );
    }

    #[test]
    fn a_short_body_is_incomplete() {
        let (body, _) = read_body(b"abc", BodyFraming::Length(10), 100);
        assert_eq!(body.unwrap_err(), RequestError::Incomplete);
    }

    #[test]
    fn continue_is_sent_once_on_first_read_only() {
        let mut source = Bytes::new(b"abc", 10);
        {
            let body = RequestBody::new(
                &mut source,
                BodyFraming::Length(3),
                true,
                100,
                100,
                Duration::from_secs(1),
            );
            assert!(body.continue_still_pending());
        }
        assert_eq!(source.continues_sent, 0, "nothing read, nothing owed");
        let mut body = RequestBody::new(
            &mut source,
            BodyFraming::Length(3),
            true,
            100,
            100,
            Duration::from_secs(1),
        );
        let mut out = Vec::new();
        body.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"abc");
        assert_eq!(source.continues_sent, 1);
    }

    #[test]
    fn chunk_sizes_parse() {
        assert_eq!(parse_chunk_size(b"0").unwrap(), 0);
        assert_eq!(parse_chunk_size(b"fF").unwrap(), 255);
        assert_eq!(parse_chunk_size(b"ffffffffffffffff").unwrap(), u64::MAX);
        assert!(parse_chunk_size(b"").is_err());
        assert!(parse_chunk_size(b" 1").is_err());
        assert!(parse_chunk_size(b"1 ").is_err());
        assert_eq!(parse_chunk_size(b"1 ;a=b").unwrap(), 1);
        assert!(parse_chunk_size(b"1;a\x00").is_err());
    }
}
