//! What a check expects of a response, and how a broken expectation is reported.
//!
//! Each `expect_*` method of [`Response`] returns `Ok` or a [`Failure`] saying, in plain words,
//! what a correct server does, with the expected and obtained values side by side. A check
//! chains them with `?`, so it stops at the first broken expectation — the one to fix first.

use super::client::{Response, find};
use super::display;
use super::failure::Failure;

impl Response {
    /// The status code is `expected`.
    pub fn expect_status(&self, expected: u16) -> Result<(), Failure> {
        if self.status == expected {
            return Ok(());
        }
        Err(Failure::comparing(
            "wrong status code",
            expected.to_string(),
            self.status_line(),
        ))
    }

    /// The status code is one that `allowed` accepts; `described` lists them for people
    /// (`400, 403, 404 or a redirect`) and `why` says what the rule is.
    pub fn expect_status_in(
        &self,
        allowed: impl Fn(u16) -> bool,
        described: &str,
        why: &str,
    ) -> Result<(), Failure> {
        if allowed(self.status) {
            return Ok(());
        }
        Err(Failure::comparing(why, described, self.status_line()))
    }

    /// The header field `name` (lower case) is present; returns its value. `why` says what
    /// the field is for, for the message when it is missing.
    pub fn expect_header(&self, name: &str, why: &str) -> Result<&str, Failure> {
        self.header(name).ok_or_else(|| {
            Failure::new(format!(
                "the response has no {} header: {why}",
                display_name(name)
            ))
        })
    }

    /// `Content-Length` is present and equals `expected`.
    pub fn expect_content_length(&self, expected: usize) -> Result<(), Failure> {
        let value = self.expect_header(
            "content-length",
            "it tells the client how many body bytes follow",
        )?;
        if value.trim() == expected.to_string() {
            return Ok(());
        }
        Err(Failure::comparing(
            "Content-Length must be the number of bytes in the file",
            expected.to_string(),
            value,
        ))
    }

    /// The media type of `Content-Type` (before any `;`) is `expected`, ignoring case.
    pub fn expect_media_type(&self, expected: &str) -> Result<(), Failure> {
        let value = self.expect_header(
            "content-type",
            "it tells the client what kind of data the body is",
        )?;
        let media_type = value.split(';').next().unwrap_or("").trim();
        if media_type.eq_ignore_ascii_case(expected) {
            return Ok(());
        }
        Err(Failure::comparing(
            format!("Content-Type must be {expected} (parameters such as charset may follow)"),
            expected,
            value,
        ))
    }

    /// The body is exactly `expected`.
    pub fn expect_body(&self, expected: &[u8]) -> Result<(), Failure> {
        if self.body == expected {
            return Ok(());
        }
        Err(Failure::comparing(
            "the body must be the file's bytes, exactly",
            display::escape(expected),
            display::escape(&self.body),
        ))
    }

    /// The body contains `needle`.
    pub fn expect_body_contains(&self, needle: &str) -> Result<(), Failure> {
        if find(&self.body, needle.as_bytes()).is_some() {
            return Ok(());
        }
        Err(Failure::comparing(
            format!("the body must contain {needle:?}"),
            format!("a body containing {needle}"),
            display::escape(&self.body),
        ))
    }
}

/// `content-length` → `Content-Length`, for messages.
fn display_name(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut letters = word.chars();
            letters.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + letters.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blackbox::client::Framing;

    fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Response {
        Response {
            version: "HTTP/1.1".to_string(),
            status,
            reason: "Reason".to_string(),
            headers: headers
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            body: body.to_vec(),
            framing: Framing::UntilClose,
        }
    }

    #[test]
    fn broken_expectations_say_what_was_expected_and_what_came() {
        let ok = response(200, &[("content-type", "Text/Plain; charset=utf-8")], b"hi");
        assert!(ok.expect_status(200).is_ok());
        assert!(ok.expect_media_type("text/plain").is_ok());
        assert!(ok.expect_body(b"hi").is_ok());
        assert!(ok.expect_body_contains("h").is_ok());

        let failure = ok.expect_status(404).unwrap_err();
        assert_eq!(failure.expected.as_deref(), Some("404"));
        assert_eq!(failure.got.as_deref(), Some("200 Reason"));
        let failure = ok.expect_content_length(2).unwrap_err();
        assert!(
            failure.message.contains("no Content-Length header"),
            "{failure:?}"
        );
        assert!(ok.expect_media_type("text/html").is_err());
        assert!(ok.expect_body(b"hi!").is_err());
        assert!(ok.expect_body_contains("hello").is_err());
    }
}
