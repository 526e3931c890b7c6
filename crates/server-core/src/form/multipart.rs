//! `multipart/form-data` (RFC 7578): the encoding a browser uses when a form uploads files.
//!
//! What it teaches: a multipart body is a list of parts, each with its own small header
//! section (`Content-Disposition: form-data; name="myfile"; filename="text1"`, maybe a
//! `Content-Type`) and its own bytes, separated by a *boundary* line chosen by the client and
//! announced in the request's `Content-Type` (RFC 2046 §5.1.1). Nothing says how long a part
//! is: the reader must search every byte for the next boundary. Chapter 4 draws one.
//!
//! The `multer` crate does that search. It is written for async servers: it pulls the body
//! from a `Stream` and, when the stream has nothing yet, returns `Pending`. This server is
//! synchronous, so this module drives it by hand ([`Feeder`]): poll multer; when it is
//! `Pending`, it is waiting for bytes, so read the next chunk from the connection (or a CGI
//! program's standard input), hand it over, and poll again. No async runtime, no thread, and
//! the body is never read whole into memory — multer holds a chunk or so at a time.
//!
//! Choices and defences (every refusal is a [`FormError`]: 400 for a malformed body, 413 for
//! a limit):
//! - The boundary must be 1–70 characters of RFC 2046's `bchars` (no trailing space); a longer
//!   or stranger one is refused before any body byte is read.
//! - A part's header section, and the distance from the start of the body to the first
//!   boundary, are capped ([`FormLimits::max_part_header_bytes`]): multer buffers while it
//!   searches for the blank line, so without the cap one endless header line could fill memory.
//! - A part must have a `Content-Disposition` with a `name` (RFC 7578 §4.2).
//! - A part with a `filename` parameter is a file (even an empty one: browsers send
//!   `filename=""` with no bytes when no file was chosen); any other part is text. multer
//!   reads the parameter only when it is UTF-8, so a name in another encoding (Latin-1 from
//!   an old client, or any bytes at all) is read again here, with U+FFFD for the bad bytes
//!   ([`file_name_of`]): the part stays a file, and its name only matters for display and,
//!   sanitized, for the disk.
//! - Text parts must be UTF-8 and are capped one by one and together; files are streamed to a
//!   temporary file, capped one by one; the whole body is capped too.
//! - A body that ends before the closing boundary is malformed.
//! - Anything after the closing boundary (the epilogue) is not read here; the server skips it.

use std::future::Future;
use std::io::{self, Read};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_core::Stream;
use multer::{Constraints, Multipart, SizeLimit};

use super::upload::UploadWriter;
use super::{Form, FormError, FormLimits, FormOptions, FormValue};

/// How many bytes are read from the body at a time while a part's data streams.
const DATA_CHUNK: usize = 64 * 1024;

/// How many bytes are read at a time while multer looks for a part's headers: small, so the
/// header cap is checked often.
const HEADER_CHUNK: usize = 4 * 1024;

/// The longest boundary RFC 2046 §5.1.1 allows.
const MAX_BOUNDARY_LEN: usize = 70;

// ANCHOR: read_multipart
/// Reads the parts of a multipart body into `form`.
pub(crate) fn read_multipart(
    form: &mut Form,
    content_type: &str,
    body: impl Read,
    options: &FormOptions,
) -> Result<(), FormError> {
    let limits = &options.limits;
    let boundary = boundary_of(content_type)?;
    let mut feeder = Feeder::new(body);
    let constraints =
        Constraints::new().size_limit(SizeLimit::new().whole_stream(limits.max_total_bytes));
    let mut multipart = Multipart::with_constraints(feeder.stream(), boundary, constraints);
    let mut text_bytes = 0u64;

    // Bounded: every part consumes body bytes, and the form refuses more than `max_parts`.
    loop {
        let next = feeder.run(multipart.next_field(), Some(limits.max_part_header_bytes))?;
        let Some(mut field) = next.map_err(from_multer)? else {
            return Ok(());
        };
        let name = field
            .name()
            .ok_or_else(|| {
                FormError::Malformed("a part has no Content-Disposition with a name".into())
            })?
            .to_string();
        let value = match file_name_of(&field) {
            Some(filename) => {
                let content_type = field.content_type().map(|mime| mime.to_string());
                let mut writer =
                    UploadWriter::new(options.temp_dir.as_deref()).map_err(FormError::Storage)?;
                while let Some(chunk) = feeder.run(field.chunk(), None)?.map_err(from_multer)? {
                    if writer.size() + chunk.len() as u64 > limits.max_file_bytes {
                        return Err(too_large(
                            format!("the file {filename:?}"),
                            limits.max_file_bytes,
                        ));
                    }
                    writer.write(&chunk).map_err(FormError::Storage)?;
                }
                FormValue::File(
                    writer
                        .finish(filename, content_type)
                        .map_err(FormError::Storage)?,
                )
            }
            None => {
                let mut bytes = Vec::new();
                while let Some(chunk) = feeder.run(field.chunk(), None)?.map_err(from_multer)? {
                    check_text_size(&name, bytes.len() + chunk.len(), text_bytes, limits)?;
                    bytes.extend_from_slice(&chunk);
                }
                text_bytes += bytes.len() as u64;
                if bytes.is_empty() && !options.keep_blank_values {
                    continue;
                }
                let text = String::from_utf8(bytes).map_err(|_| FormError::NotUtf8 {
                    field: name.clone(),
                })?;
                FormValue::Text(text)
            }
        };
        form.push(name, value, limits)?;
    }
}
// ANCHOR_END: read_multipart

// ANCHOR: file_name_of
/// The part's file name, if its `Content-Disposition` has a `filename` parameter: multer's
/// reading when the name is UTF-8, else the raw bytes decoded with U+FFFD for what is not.
fn file_name_of(field: &multer::Field<'_>) -> Option<String> {
    if let Some(name) = field.file_name() {
        return Some(name.to_string());
    }
    let header = field.headers().get("content-disposition")?;
    lossy_filename_parameter(&String::from_utf8_lossy(header.as_bytes()))
}

/// The `filename` parameter of a `Content-Disposition` value, found much as multer finds it:
/// the word `filename` after a `;` or a space, then `=` and either a quoted string (where
/// `\"` stands for `"`) or a bare word. A quoted string that never ends is no name.
fn lossy_filename_parameter(header: &str) -> Option<String> {
    const KEY: &str = "filename";
    let mut searched = 0;
    while let Some(found) = header[searched..].find(KEY) {
        let start = searched + found;
        searched = start + KEY.len();
        if !header[..start].ends_with([';', ' ', '\t']) {
            continue; // part of another word, such as `myfilename`
        }
        let Some(value) = header[searched..].trim_start().strip_prefix('=') else {
            continue; // not this parameter, perhaps `filename*`
        };
        let value = value.trim_start();
        let Some(quoted) = value.strip_prefix('"') else {
            let end = value.find([';', ' ']).unwrap_or(value.len());
            return Some(value[..end].to_string());
        };
        let mut name = String::new();
        let mut chars = quoted.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Some(name),
                '\\' if chars.as_str().starts_with('"') => {
                    name.push('"');
                    chars.next();
                }
                c => name.push(c),
            }
        }
        return None;
    }
    None
}
// ANCHOR_END: file_name_of

/// Refuses a text part past [`FormLimits::max_field_bytes`], or all text past
/// [`FormLimits::max_text_bytes`].
fn check_text_size(
    name: &str,
    field_bytes: usize,
    earlier_text: u64,
    limits: &FormLimits,
) -> Result<(), FormError> {
    let field_bytes = field_bytes as u64;
    if field_bytes > limits.max_field_bytes {
        return Err(too_large(
            format!("the field {name:?}"),
            limits.max_field_bytes,
        ));
    }
    if earlier_text + field_bytes > limits.max_text_bytes {
        return Err(too_large(
            "the text of the form".into(),
            limits.max_text_bytes,
        ));
    }
    Ok(())
}

fn too_large(what: String, limit: u64) -> FormError {
    FormError::TooLarge { what, limit }
}

// ANCHOR: boundary_of
/// The boundary of a `multipart/form-data` content type, checked against RFC 2046 §5.1.1:
/// 1 to 70 characters from `bchars` (letters, digits, `'()+_,-./:=?` and space), not ending
/// in a space.
pub fn boundary_of(content_type: &str) -> Result<String, FormError> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| FormError::Malformed("the Content-Type has no boundary parameter".into()))?;
    let is_bchar = |c: char| c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c);
    if boundary.is_empty()
        || boundary.len() > MAX_BOUNDARY_LEN
        || !boundary.chars().all(is_bchar)
        || boundary.ends_with(' ')
    {
        return Err(FormError::Malformed(format!(
            "the boundary {boundary:?} is not 1 to {MAX_BOUNDARY_LEN} letters, digits or \
             '()+_,-./:=? characters"
        )));
    }
    Ok(boundary)
}
// ANCHOR_END: boundary_of

/// Turns multer's error into ours: size limits are 413, everything else a malformed body.
fn from_multer(error: multer::Error) -> FormError {
    match error {
        multer::Error::StreamSizeExceeded { limit } => {
            too_large("the multipart body".into(), limit)
        }
        multer::Error::FieldSizeExceeded { limit, field_name } => too_large(
            format!("the field {:?}", field_name.unwrap_or_default()),
            limit,
        ),
        multer::Error::IncompleteStream | multer::Error::IncompleteFieldData { .. } => {
            FormError::Malformed("the body ends before the closing boundary".into())
        }
        other => FormError::Malformed(other.to_string()),
    }
}

// ANCHOR: feeder
/// Drives multer's futures synchronously, feeding it body bytes when it asks for them.
struct Feeder<R> {
    /// Where the body comes from.
    body: R,
    /// The hand-over point shared with the stream multer polls.
    inlet: Arc<Mutex<Inlet>>,
    /// Reused read buffer.
    buffer: Vec<u8>,
}

/// What the feeder has handed over and multer has not taken yet.
#[derive(Default)]
struct Inlet {
    /// A chunk waiting to be taken.
    chunk: Option<Bytes>,
    /// The body has ended.
    ended: bool,
    /// multer asked for a chunk and found none: read one.
    wanted: bool,
}

impl<R: Read> Feeder<R> {
    fn new(body: R) -> Self {
        Feeder {
            body,
            inlet: Arc::new(Mutex::new(Inlet::default())),
            buffer: vec![0; DATA_CHUNK],
        }
    }

    /// The stream to give multer: it yields what the feeder hands over.
    fn stream(&self) -> InletStream {
        InletStream(Arc::clone(&self.inlet))
    }

    /// Polls `future` to completion. Whenever it is pending for want of bytes, reads the
    /// next chunk of the body; `header_budget` caps the bytes fed in this one call.
    fn run<F: Future>(
        &mut self,
        future: F,
        header_budget: Option<usize>,
    ) -> Result<F::Output, FormError> {
        let mut future = pin!(future);
        let mut context = Context::from_waker(Waker::noop());
        let mut fed = 0usize;
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return Ok(output);
            }
            let mut inlet = self.inlet.lock().unwrap_or_else(PoisonError::into_inner);
            if !std::mem::take(&mut inlet.wanted) || inlet.ended {
                // multer waits only for bytes; anything else would loop forever.
                return Err(FormError::Malformed("the multipart parser stopped".into()));
            }
            let chunk_size = match header_budget {
                Some(budget) if fed >= budget => {
                    return Err(FormError::Malformed(format!(
                        "no complete part header within {budget} bytes (a header section \
                         that large, or a boundary that never comes)"
                    )));
                }
                Some(_) => HEADER_CHUNK,
                None => DATA_CHUNK,
            };
            let read = read_retrying(&mut self.body, &mut self.buffer[..chunk_size])
                .map_err(FormError::Body)?;
            if read == 0 {
                inlet.ended = true;
            } else {
                inlet.chunk = Some(Bytes::copy_from_slice(&self.buffer[..read]));
                fed += read;
            }
        }
    }
}

/// The stream multer polls: a chunk if the feeder left one, the end if the body ended, or
/// `Pending` — which tells the feeder to read.
struct InletStream(Arc<Mutex<Inlet>>);

impl Stream for InletStream {
    type Item = Result<Bytes, io::Error>;

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut inlet = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(chunk) = inlet.chunk.take() {
            Poll::Ready(Some(Ok(chunk)))
        } else if inlet.ended {
            Poll::Ready(None)
        } else {
            inlet.wanted = true;
            Poll::Pending
        }
    }
}
// ANCHOR_END: feeder

/// `read`, retried when a signal interrupts it.
fn read_retrying(body: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        match body.read(buffer) {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}
