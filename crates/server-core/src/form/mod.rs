//! Forms: one interface over the query string and the request body (lesson 04).
//!
//! What it teaches: a browser sends a form in one of three shapes — in the query string of a
//! GET (`/foo?x=42&y=10`), as an `application/x-www-form-urlencoded` body (the same
//! `name=value&...` text, in the body of a POST), or as a `multipart/form-data` body when the
//! form uploads files. A program should not care which: like Python's `cgi.FieldStorage`,
//! [`Form`] reads whichever arrived and answers two questions — the first value of a name
//! ([`Form::first`], `getfirst`) and all its values in order ([`Form::all`], `getlist`).
//! Chapter 4 (`book/src/ch04-forms.md`) shows the raw requests and walks through this module.
//!
//! The parts:
//! - this file: [`Form`], its values, options and limits, and the urlencoded decoding — the
//!   WHATWG URL standard's `application/x-www-form-urlencoded` parser (`+` is a space, `%XX`
//!   a byte), done by the `form_urlencoded` crate;
//! - [`multipart`]: `multipart/form-data` (RFC 7578, with the delimiters of RFC 2046 §5.1.1),
//!   parsed by the `multer` crate, driven synchronously and fed from the connection in chunks;
//! - [`upload`]: an uploaded file — streamed to a temporary file while its SHA-256 is computed,
//!   and its file name made safe before it goes near a disk.
//!
//! Choices made here:
//! - **Query first, then body.** Pairs from the query string come before those from the body,
//!   in the order they arrived (the URL is sent before the body). Python's `FieldStorage` puts
//!   the query string after a urlencoded body but before a multipart one; one rule is easier
//!   to remember.
//! - **The body is read as a form only when its `Content-Type` says so** (urlencoded or
//!   multipart, whatever the method). Another body (JSON, plain text, none) is left unread for
//!   the handler, and the form holds the query string alone.
//! - **Blank values are kept** (`user2=` gives `user2 ['']`), like `FieldStorage` with
//!   `keep_blank_values=True`; [`FormOptions::keep_blank_values`] drops them, for text fields
//!   of both body encodings. A name without `=` (`?debug`) is a blank value.
//! - **Invalid UTF-8 is a 400.** After percent-decoding, every name and value must be UTF-8;
//!   if one is not, the request is refused with [`FormError::NotUtf8`], naming the field. The
//!   alternatives were silently replacing bytes with U+FFFD (the data changes without anyone
//!   noticing) or keeping raw bytes (every caller must then decode). Uploaded *files* are bytes
//!   and never decoded. A file's *name* that is not UTF-8 is the exception: it is decoded with
//!   U+FFFD for the bad bytes, because refusing a file for its name, or taking the part for a
//!   text field, would be worse than a name shown a little wrong (see [`multipart`]).
//! - **Every size is bounded** ([`FormLimits`]): text is held in memory, so it is capped per
//!   field and in total; files go to disk, capped per file and for the whole body. Past a limit
//!   the answer is 413; a body that is not a well-formed form is 400.

pub mod multipart;
pub mod upload;

use std::fmt;
use std::io::{self, Read};
use std::path::PathBuf;

use crate::body::RequestBody;
use crate::handler::Request;

pub use upload::{UploadedFile, remove_leftover_temp_files, sanitize_filename};

/// A form: the name–value pairs of the query string and the body, in order.
///
/// A name may repeat (`pets=dog&pets=cat`); [`Form::all`] gives every value, [`Form::first`]
/// the first. Uploaded files are values too ([`FormValue::File`]).
#[derive(Debug, Default)]
pub struct Form {
    /// Every pair, in the order it arrived: query string first, then body.
    entries: Vec<FormEntry>,
}

/// One name with one value.
#[derive(Debug)]
pub struct FormEntry {
    /// The field's name (`pets`).
    pub name: String,
    /// Its value: text, or an uploaded file.
    pub value: FormValue,
}

/// The value of one field.
#[derive(Debug)]
pub enum FormValue {
    /// A text value, decoded (UTF-8, `+` and `%XX` undone).
    Text(String),
    /// A file from a `multipart/form-data` upload.
    File(UploadedFile),
}

impl FormValue {
    /// The text, or `None` for a file.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            FormValue::Text(text) => Some(text),
            FormValue::File(_) => None,
        }
    }

    /// The file, or `None` for text.
    pub fn as_file(&self) -> Option<&UploadedFile> {
        match self {
            FormValue::File(file) => Some(file),
            FormValue::Text(_) => None,
        }
    }
}

/// How a form is read.
#[derive(Debug, Clone)]
pub struct FormOptions {
    /// Keep fields whose value is empty (`user2=`). True by default, as in the course.
    pub keep_blank_values: bool,
    /// The size limits.
    pub limits: FormLimits,
    /// Where uploaded files are written while the request is read (default: the system's
    /// temporary folder). Put it on the same file system as the folder uploads are saved into,
    /// and saving one is a rename-free hard link instead of a copy.
    pub temp_dir: Option<PathBuf>,
}

impl Default for FormOptions {
    fn default() -> Self {
        FormOptions {
            keep_blank_values: true,
            limits: FormLimits::default(),
            temp_dir: None,
        }
    }
}

// ANCHOR: form_limits
/// The limits on a form, each answered with 413 when broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormLimits {
    /// Most fields (pairs or parts) in one form. Each costs memory for its name and headers.
    pub max_parts: usize,
    /// Largest single text value, in bytes: a text field is held in memory.
    pub max_field_bytes: u64,
    /// Largest sum of all text in the form (a urlencoded body, or the text parts of a
    /// multipart one), in bytes: what the form may hold in memory in all.
    pub max_text_bytes: u64,
    /// Largest uploaded file, in bytes (files are streamed to disk, not held in memory).
    pub max_file_bytes: u64,
    /// Largest multipart body, in bytes, delimiters and part headers included.
    pub max_total_bytes: u64,
    /// Largest header section of one part, in bytes; also how far the first boundary may be
    /// from the start of the body. Past it the body is malformed (400), not too large.
    pub max_part_header_bytes: usize,
}

impl Default for FormLimits {
    fn default() -> Self {
        FormLimits {
            max_parts: 1000,
            max_field_bytes: 1024 * 1024,
            max_text_bytes: 4 * 1024 * 1024,
            max_file_bytes: 128 * 1024 * 1024,
            max_total_bytes: 128 * 1024 * 1024,
            max_part_header_bytes: 16 * 1024,
        }
    }
}
// ANCHOR_END: form_limits

/// Why a form could not be read. [`FormError::status`] is the answer to send.
#[derive(Debug)]
pub enum FormError {
    /// A name or value is not UTF-8 once percent-decoded.
    NotUtf8 {
        /// The field, as far as it could be read (U+FFFD for the bad bytes).
        field: String,
    },
    /// More fields than [`FormLimits::max_parts`].
    TooManyFields {
        /// The limit.
        limit: usize,
    },
    /// Something bigger than its limit: a field, a file, all text, the whole body.
    TooLarge {
        /// What was too large, in words: "the field `comments`".
        what: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// A multipart body that is not well formed; the text says how.
    Malformed(String),
    /// The body could not be read (the client went away, was too slow, or sent a broken
    /// chunk); the server answers this itself with 400, 408 or 413.
    Body(io::Error),
    /// An uploaded file could not be written to the temporary folder.
    Storage(io::Error),
    /// An uploaded file could not be saved where the handler asked
    /// ([`UploadedFile::save_into`]): a full disk, a folder that is not writable... A handler
    /// answers this instead of telling the client its file was received.
    NotSaved {
        /// The file name the client sent.
        filename: String,
        /// Why saving failed.
        error: io::Error,
    },
}

impl FormError {
    /// The status code for the response: 400, 413, or when the server's disk failed 507
    /// (Insufficient Storage, RFC 4918 §11.5) if it is full and 500 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            FormError::NotUtf8 { .. } | FormError::Malformed(_) | FormError::Body(_) => 400,
            FormError::TooManyFields { .. } | FormError::TooLarge { .. } => 413,
            FormError::Storage(error) | FormError::NotSaved { error, .. } => match error.kind() {
                io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => 507,
                _ => 500,
            },
        }
    }
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormError::NotUtf8 { field } => write!(
                f,
                "the form field {field:?} is not valid UTF-8 once its %-escapes are decoded"
            ),
            FormError::TooManyFields { limit } => {
                write!(f, "the form has more than {limit} fields")
            }
            FormError::TooLarge { what, limit } => {
                write!(f, "{what} is larger than the limit of {limit} bytes")
            }
            FormError::Malformed(why) => write!(f, "the multipart body is malformed: {why}"),
            FormError::Body(err) => write!(f, "the request body could not be read: {err}"),
            FormError::Storage(err) => write!(f, "an uploaded file could not be stored: {err}"),
            FormError::NotSaved { filename, error } => write!(
                f,
                "the uploaded file {filename:?} could not be saved: {error} (try: check the \
                 upload folder's free space and permissions)"
            ),
        }
    }
}

impl std::error::Error for FormError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FormError::Body(err) | FormError::Storage(err) => Some(err),
            FormError::NotSaved { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// How a request body is encoded, from its `Content-Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/x-www-form-urlencoded`.
    Urlencoded,
    /// `multipart/form-data`, with the content type's full text (it holds the boundary).
    Multipart(String),
    /// Anything else, or no body: not a form.
    Other,
}

impl BodyKind {
    /// Classifies a `Content-Type` value (media types are case-insensitive, RFC 9110 §8.3.1).
    pub fn of(content_type: Option<&str>) -> BodyKind {
        let Some(content_type) = content_type else {
            return BodyKind::Other;
        };
        let media_type = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media_type.as_str() {
            "application/x-www-form-urlencoded" => BodyKind::Urlencoded,
            "multipart/form-data" => BodyKind::Multipart(content_type.to_string()),
            _ => BodyKind::Other,
        }
    }
}

impl Form {
    /// A form from a query string alone (without its `?`).
    pub fn from_query(query: &str, options: &FormOptions) -> Result<Form, FormError> {
        let mut form = Form::default();
        form.add_urlencoded(query.as_bytes(), options)?;
        Ok(form)
    }

    /// The form of a request handled by the server: its query string, then its body when the
    /// `Content-Type` is a form encoding.
    pub fn from_request(
        request: &Request,
        body: &mut RequestBody<'_>,
        options: &FormOptions,
    ) -> Result<Form, FormError> {
        Form::read(
            request.query(),
            request.header("Content-Type"),
            body,
            options,
        )
    }

    // ANCHOR: form_read
    /// Reads a form from its three sources: the query string, the body's `Content-Type`, and
    /// the body itself (a connection, or a CGI program's standard input).
    pub fn read(
        query: &str,
        content_type: Option<&str>,
        body: impl Read,
        options: &FormOptions,
    ) -> Result<Form, FormError> {
        let mut form = Form::from_query(query, options)?;
        match BodyKind::of(content_type) {
            BodyKind::Urlencoded => {
                let limit = options.limits.max_text_bytes;
                let text = read_capped(body, limit)?.ok_or_else(|| FormError::TooLarge {
                    what: "the urlencoded form".to_string(),
                    limit,
                })?;
                form.add_urlencoded(&text, options)?;
            }
            BodyKind::Multipart(content_type) => {
                multipart::read_multipart(&mut form, &content_type, body, options)?;
            }
            BodyKind::Other => {}
        }
        Ok(form)
    }
    // ANCHOR_END: form_read

    // ANCHOR: add_urlencoded
    /// Adds the pairs of `name=value&...` text: `+` is a space, `%XX` is a byte, and the
    /// bytes must be UTF-8.
    fn add_urlencoded(&mut self, text: &[u8], options: &FormOptions) -> Result<(), FormError> {
        check_urlencoded_utf8(text)?;
        let limits = &options.limits;
        for (name, value) in form_urlencoded::parse(text) {
            if value.is_empty() && !options.keep_blank_values {
                continue;
            }
            if value.len() as u64 > limits.max_field_bytes {
                return Err(FormError::TooLarge {
                    what: format!("the field {name:?}"),
                    limit: limits.max_field_bytes,
                });
            }
            self.push(
                name.into_owned(),
                FormValue::Text(value.into_owned()),
                limits,
            )?;
        }
        Ok(())
    }
    // ANCHOR_END: add_urlencoded

    /// Adds one entry, counting it against [`FormLimits::max_parts`].
    fn push(
        &mut self,
        name: String,
        value: FormValue,
        limits: &FormLimits,
    ) -> Result<(), FormError> {
        if self.entries.len() >= limits.max_parts {
            return Err(FormError::TooManyFields {
                limit: limits.max_parts,
            });
        }
        self.entries.push(FormEntry { name, value });
        Ok(())
    }

    // ANCHOR: first_all
    /// The first text value of `name` — Python's `form.getfirst(name)`.
    #[doc(alias = "getfirst")]
    pub fn first(&self, name: &str) -> Option<&str> {
        self.values(name).find_map(FormValue::as_text)
    }

    /// Every text value of `name`, in order — Python's `form.getlist(name)`.
    #[doc(alias = "getlist")]
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.values(name).filter_map(FormValue::as_text).collect()
    }
    // ANCHOR_END: first_all

    /// Every value of `name`, text or file, in order.
    pub fn values<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a FormValue> + use<'a, 'n> {
        self.entries
            .iter()
            .filter(move |entry| entry.name == name)
            .map(|entry| &entry.value)
    }

    /// The first file uploaded under `name`.
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.values(name).find_map(FormValue::as_file)
    }

    /// Every uploaded file with its field name, in order.
    pub fn files(&self) -> impl Iterator<Item = (&str, &UploadedFile)> {
        self.entries
            .iter()
            .filter_map(|entry| Some((entry.name.as_str(), entry.value.as_file()?)))
    }

    /// Each name once, in the order it first appeared — Python's `for key in form`.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for entry in &self.entries {
            if !names.contains(&entry.name.as_str()) {
                names.push(&entry.name);
            }
        }
        names
    }

    /// Every entry, in order.
    pub fn entries(&self) -> &[FormEntry] {
        &self.entries
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the form has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    // ANCHOR: describe
    /// One line per name with all its values, as the course's Python handler prints a form
    /// (`pets ['dog', 'cat']`); a file shows as `<file 'text1'>`.
    pub fn describe(&self) -> String {
        let mut text = String::new();
        for name in self.names() {
            let values: Vec<String> = self
                .values(name)
                .map(|value| match value {
                    FormValue::Text(text) => python_repr(text),
                    FormValue::File(file) => format!("<file {}>", python_repr(&file.filename)),
                })
                .collect();
            // A name is printed as it is, unless it holds a control character.
            let name = if name.chars().any(char::is_control) {
                python_repr(name)
            } else {
                name.to_string()
            };
            text.push_str(&format!("{name} [{}]\n", values.join(", ")));
        }
        text
    }
    // ANCHOR_END: describe
}

/// A string as Python's `repr` writes it: in single quotes (double quotes when it holds a
/// single quote and no double one), with `\\`, `\n`, `\r`, `\t` escapes, and `\xNN`, `\uNNNN`
/// or `\UNNNNNNNN` for control and format characters — so a value's invisible characters
/// show. (Python escapes a few more kinds, such as unassigned code points.)
pub fn python_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            // Invisible characters are shown as escapes, as Python shows them, so that a
            // right-to-left override cannot turn the rest of the line around.
            c if c.is_control() || upload::is_format_character(c) => {
                let code = c as u32;
                let escape = match code {
                    0..0x100 => format!("\\x{code:02x}"),
                    0x100..0x10000 => format!("\\u{code:04x}"),
                    _ => format!("\\U{code:08x}"),
                };
                out.push_str(&escape);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Refuses urlencoded text whose decoded bytes are not UTF-8, naming the first bad field.
///
/// `form_urlencoded` would replace bad bytes with U+FFFD; checking first keeps its decoding
/// exact. Checking the whole text at once is enough: the separators `&` and `=` are ASCII,
/// and ASCII never occurs inside a multi-byte UTF-8 sequence.
fn check_urlencoded_utf8(text: &[u8]) -> Result<(), FormError> {
    let decoded = percent_encoding::percent_decode(text);
    if decoded.decode_utf8().is_ok() {
        return Ok(());
    }
    let bad_piece = text
        .split(|&byte| byte == b'&')
        .find(|piece| {
            percent_encoding::percent_decode(piece)
                .decode_utf8()
                .is_err()
        })
        .unwrap_or(text);
    let name = bad_piece.split(|&byte| byte == b'=').next().unwrap_or(b"");
    let field = percent_encoding::percent_decode(name)
        .decode_utf8_lossy()
        .replace('+', " ");
    Err(FormError::NotUtf8 { field })
}

/// Reads all of `body` if it holds at most `limit` bytes; `None` if it holds more.
fn read_capped(body: impl Read, limit: u64) -> Result<Option<Vec<u8>>, FormError> {
    let mut bytes = Vec::new();
    body.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(FormError::Body)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// Lowercase hexadecimal, as `sha256sum` prints a digest.
pub fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

#[cfg(test)]
mod tests;
