//! Exercise `multipart_parts`: split a `multipart/form-data` body into its parts.
//!
//! A form that uploads files is sent as `multipart/form-data` (RFC 7578), which reuses the
//! multipart format of MIME (RFC 2046 §5.1.1). The `Content-Type` header names a *boundary*,
//! a string chosen so that it appears nowhere in the data, and the body is a list of parts
//! separated by lines made of `--` and the boundary. The course's upload, with its boundary
//! written `B` (the real one is `---------------------------9849436581144108930470211272`):
//!
//! ```text
//! --B\r\n
//! Content-Disposition: form-data; name="myfile"; filename="text1"\r\n
//! Content-Type: application/octet-stream\r\n
//! \r\n
//! This is a test.\n
//! It is only a test.\n
//! \r\n
//! --B--\r\n
//! ```
//!
//! Each part is header fields, an empty line, then its content — any bytes at all, so a part
//! is never read as text. The server of this lesson streams bodies of any size through a
//! parser (the multer crate); chapter 4 (`book/src/ch04-multipart.md`) walks through it. Here you
//! split a small body that is already in memory.
//!
//! You write [`split_multipart`], following RFC 2046 §5.1.1:
//!
//! 1. The boundary is 1 to 70 characters, each a letter, a digit or one of `'()+_,-./:=?` and
//!    space, and its last character is not a space; any other is
//!    [`MultipartError::InvalidBoundary`], before the body is even looked at.
//! 2. The *delimiter* is CR LF, `--`, then the boundary. The CR LF belongs to the delimiter,
//!    not to the part before it: a part whose content ends in a line break has *two* CR LF
//!    before the next delimiter. The first delimiter may instead stand at the very start of
//!    the body, without the CR LF.
//! 3. A *delimiter line* is the delimiter, optional spaces and tabs, then CR LF; the part
//!    starts right after it. The *close delimiter* is the delimiter followed by `--`: it ends
//!    the last part. The delimiter followed by anything else is not a delimiter, just data.
//! 4. Everything before the first delimiter (the *preamble*) and after the close delimiter
//!    (the *epilogue*) is ignored. A body without any delimiter is
//!    [`MultipartError::NoFirstBoundary`]; one that ends before the close delimiter is
//!    [`MultipartError::NoClosingBoundary`], since the last part may have been cut off. A body
//!    that is only a close delimiter has no parts: `Ok` with an empty list (a browser sends
//!    that for a form with nothing to send).
//! 5. Within a part, the header lines come first, each ending in CR LF, then an empty line.
//!    A part without that empty line is [`MultipartError::NoHeaderEnd`]; a header line
//!    without `:` is [`MultipartError::BadHeader`] (looked for in that order). A part may have
//!    no header lines at all: then it starts with the empty line. Parts are counted from 1.
//!
//! Each [`Part`] keeps its header fields in order, the name as sent and the value with the
//! spaces and tabs around it removed, and its content byte for byte.

// ANCHOR: exercise
/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The header fields, `(name, value)`, in the order sent; values trimmed of spaces and
    /// tabs: `("Content-Disposition", "form-data; name=\"myfile\"; filename=\"text1\"")`.
    pub headers: Vec<(String, String)>,
    /// The content, byte for byte: the bytes between the empty line and the next delimiter.
    pub body: Vec<u8>,
}

/// Why a multipart body cannot be split; a server answers 400 Bad Request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultipartError {
    /// The boundary is empty, longer than 70 characters, holds a character RFC 2046 does not
    /// allow, or ends with a space.
    InvalidBoundary,
    /// The body holds no delimiter line: it is not a multipart body with this boundary.
    NoFirstBoundary,
    /// The body ends before the close delimiter `--boundary--`.
    NoClosingBoundary,
    /// A part has no empty line after its header fields.
    NoHeaderEnd {
        /// The part's number, counted from 1.
        part: usize,
    },
    /// A header line of a part has no `:`.
    BadHeader {
        /// The part's number, counted from 1.
        part: usize,
    },
}

/// Splits the multipart `body` whose parts are separated by `boundary` (the value of the
/// `boundary` parameter of its `Content-Type`, without quotes).
pub fn split_multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, MultipartError> {
    // ANCHOR: solution stub: todo!("find each delimiter line, then split every part at its empty line")
    let allowed = |c: char| c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c);
    if boundary.is_empty()
        || boundary.len() > 70
        || !boundary.chars().all(allowed)
        || boundary.ends_with(' ')
    {
        return Err(MultipartError::InvalidBoundary);
    }
    let find = |haystack: &[u8], needle: &[u8]| {
        haystack
            .windows(needle.len())
            .position(|window| window == needle)
    };
    let delimiter = [b"\r\n--", boundary.as_bytes()].concat();
    // With a CR LF in front, a first delimiter at the very start looks like any other.
    let data = [b"\r\n", body].concat();

    // The first delimiter at or after `from`: where it starts, and where the part after it
    // starts (`None` for the close delimiter, after which no part starts).
    let next_delimiter = |from: usize| -> Option<(usize, Option<usize>)> {
        let mut search = from;
        while let Some(found) = find(&data[search..], &delimiter) {
            let at = search + found;
            let after = &data[at + delimiter.len()..];
            if after.starts_with(b"--") {
                return Some((at, None));
            }
            let padding = after
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            if after[padding..].starts_with(b"\r\n") {
                return Some((at, Some(at + delimiter.len() + padding + 2)));
            }
            // Neither `--` nor the end of the line: data that only looks like a delimiter.
            search = at + 1;
        }
        None
    };

    let (_, mut part_start) = next_delimiter(0).ok_or(MultipartError::NoFirstBoundary)?;
    let mut parts = Vec::new();
    // Each turn moves past one delimiter, so the loop ends.
    while let Some(start) = part_start {
        let (end, next_start) = next_delimiter(start).ok_or(MultipartError::NoClosingBoundary)?;
        let number = parts.len() + 1;
        let part = &data[start..end];
        let (head, content) = match part.strip_prefix(b"\r\n") {
            Some(content) => (&part[..0], content),
            None => {
                let blank_line =
                    find(part, b"\r\n\r\n").ok_or(MultipartError::NoHeaderEnd { part: number })?;
                (&part[..blank_line], &part[blank_line + 4..])
            }
        };
        let mut headers = Vec::new();
        if !head.is_empty() {
            for line in String::from_utf8_lossy(head).split("\r\n") {
                let (name, value) = line
                    .split_once(':')
                    .ok_or(MultipartError::BadHeader { part: number })?;
                headers.push((
                    name.to_string(),
                    value.trim_matches([' ', '\t']).to_string(),
                ));
            }
        }
        parts.push(Part {
            headers,
            body: content.to_vec(),
        });
        part_start = next_start;
    }
    Ok(parts)
    // ANCHOR_END: solution
}
// ANCHOR_END: exercise
