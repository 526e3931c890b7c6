//! Cookies: the `Cookie` header a browser sends and the `Set-Cookie` header that asks it to
//! (lessons 03 and 04).
//!
//! What it teaches: HTTP forgets each request as soon as it is answered; a cookie is how a
//! server makes the browser remember something for it. The server sends
//! `Set-Cookie: visits=3; Max-Age=31536000; Path=/` (RFC 6265 §4.1) and from then on the
//! browser adds `Cookie: visits=3` (§4.2) to every request for that path, until the cookie
//! expires or the server deletes it with `Max-Age=0`. Chapter 4 follows one round trip.
//!
//! Parsing and formatting are done by the `cookie` crate; this module adds the checks that
//! keep a value from the request out of trouble:
//! - [`parse_cookie_header`] reads every `name=value` pair in order (RFC 6265 §5.4: pairs are
//!   separated by `;`, with or without a space). A piece that cannot be read (no `=`, an empty
//!   name) is skipped and never stops the rest; double quotes around a value are removed.
//! - [`SetCookie`] builds a `Set-Cookie` value and refuses, rather than mangles, a name that is
//!   not a token, a value outside RFC 6265's `cookie-octet`s (no space, `"`, `,`, `;`, `\` or
//!   control character — percent-encode such values first) and a path holding `;` or a control
//!   character. Without these checks a value like `1; Domain=evil.example` would add an
//!   attribute of the client's choosing.
//! - `SameSite=None` always comes with `Secure` (browsers drop it otherwise); the crate adds it.
//! - Attributes are written in the crate's order: `HttpOnly`, `SameSite`, `Secure`, `Path`,
//!   `Max-Age`; a browser does not care about the order.

use std::fmt;

use cookie::Cookie;

use crate::request::is_token;
use crate::response::Response;

// ANCHOR: parse_cookie_header
/// The `name=value` pairs of a `Cookie` header, in order; unreadable pieces are skipped.
pub fn parse_cookie_header(header: &str) -> Vec<(String, String)> {
    Cookie::split_parse(header)
        .filter_map(Result::ok)
        .map(|cookie| {
            let (name, value) = cookie.name_value_trimmed();
            (name.to_string(), value.to_string())
        })
        .collect()
}
// ANCHOR_END: parse_cookie_header

/// What a cookie value may not hold as it is: everything but letters, digits and `-._~`.
const COOKIE_VALUE_ESCAPES: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes any text into a valid cookie value (`James & Nancy` → `James%20%26%20Nancy`).
pub fn encode_value(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, COOKIE_VALUE_ESCAPES).to_string()
}

/// Undoes [`encode_value`]; `None` when the bytes are not UTF-8.
pub fn decode_value(value: &str) -> Option<String> {
    percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

/// The `SameSite` attribute of a cookie: when a browser sends it with requests that start
/// on another site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Only with requests from this site.
    Strict,
    /// Also when following a link from another site, not with its forms or images.
    Lax,
    /// Always; `Secure` is added, since browsers refuse it without.
    None,
}

/// Why a `Set-Cookie` header could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieError(String);

impl fmt::Display for CookieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write the cookie: {}", self.0)
    }
}

impl std::error::Error for CookieError {}

// ANCHOR: set_cookie
/// A cookie to set with `Set-Cookie` (RFC 6265 §4.1), checked when it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    /// The name: a token.
    name: String,
    /// The value: cookie-octets.
    value: String,
    /// `Max-Age`, in seconds; 0 deletes the cookie.
    max_age: Option<u64>,
    /// `Path`: the cookie is sent back only for paths under it.
    path: Option<String>,
    /// `HttpOnly`: hidden from JavaScript.
    http_only: bool,
    /// `Secure`: sent over HTTPS only.
    secure: bool,
    /// `SameSite`.
    same_site: Option<SameSite>,
}

impl SetCookie {
    /// A session cookie (gone when the browser closes) with no attributes.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> SetCookie {
        SetCookie {
            name: name.into(),
            value: value.into(),
            max_age: None,
            path: None,
            http_only: false,
            secure: false,
            same_site: None,
        }
    }

    /// A header that deletes the cookie `name`: an empty value that expires at once
    /// (`Max-Age=0`). Give it the same `path` the cookie was set with.
    pub fn removal(name: impl Into<String>) -> SetCookie {
        SetCookie::new(name, "").max_age(0)
    }

    /// Keeps the cookie for `seconds` (`Max-Age`); 0 deletes it.
    pub fn max_age(mut self, seconds: u64) -> SetCookie {
        self.max_age = Some(seconds);
        self
    }

    /// Sends the cookie back only for paths under `path`.
    pub fn path(mut self, path: impl Into<String>) -> SetCookie {
        self.path = Some(path.into());
        self
    }

    /// Hides the cookie from JavaScript (`HttpOnly`).
    pub fn http_only(mut self) -> SetCookie {
        self.http_only = true;
        self
    }

    /// Sends the cookie over HTTPS only (`Secure`).
    pub fn secure(mut self) -> SetCookie {
        self.secure = true;
        self
    }

    /// Sets `SameSite`.
    pub fn same_site(mut self, same_site: SameSite) -> SetCookie {
        self.same_site = Some(same_site);
        self
    }

    /// The `Set-Cookie` value: `visits=3; HttpOnly; SameSite=Lax; Path=/; Max-Age=31536000`.
    pub fn to_header_value(&self) -> Result<String, CookieError> {
        self.check()?;
        let mut cookie = Cookie::build((self.name.clone(), self.value.clone()));
        if let Some(seconds) = self.max_age {
            let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
            cookie = cookie.max_age(cookie::time::Duration::seconds(seconds));
        }
        if let Some(path) = &self.path {
            cookie = cookie.path(path.clone());
        }
        if self.http_only {
            cookie = cookie.http_only(true);
        }
        if self.secure {
            cookie = cookie.secure(true);
        }
        if let Some(same_site) = self.same_site {
            cookie = cookie.same_site(match same_site {
                SameSite::Strict => cookie::SameSite::Strict,
                SameSite::Lax => cookie::SameSite::Lax,
                SameSite::None => cookie::SameSite::None,
            });
        }
        Ok(cookie.build().to_string())
    }

    /// Refuses what would break the header or add attributes nobody asked for.
    fn check(&self) -> Result<(), CookieError> {
        if !is_token(self.name.as_bytes()) {
            return Err(CookieError(format!(
                "the name {:?} is not a token",
                self.name
            )));
        }
        // cookie-octet: visible ASCII except DQUOTE, comma, semicolon and backslash.
        let is_cookie_octet =
            |c: char| c.is_ascii_graphic() && !matches!(c, '"' | ',' | ';' | '\\');
        if !self.value.chars().all(is_cookie_octet) {
            return Err(CookieError(format!(
                "the value {:?} holds a space, a quote, a comma, a semicolon, a backslash or \
                 a character that is not visible ASCII (percent-encode it first)",
                self.value
            )));
        }
        if let Some(path) = &self.path
            && path.chars().any(|c| c.is_control() || c == ';')
        {
            return Err(CookieError(format!(
                "the path {path:?} holds a semicolon or a control character"
            )));
        }
        Ok(())
    }
}
// ANCHOR_END: set_cookie

impl Response {
    /// Adds a `Set-Cookie` header for `cookie`.
    pub fn with_cookie(self, cookie: &SetCookie) -> Result<Response, CookieError> {
        let value = cookie.to_header_value()?;
        self.with_header("Set-Cookie", value)
            .map_err(|invalid| CookieError(invalid.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn pairs(header: &str) -> Vec<(String, String)> {
        parse_cookie_header(header)
    }

    fn owned(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn several_pairs_with_or_without_spaces() {
        assert_eq!(
            pairs("session=d7f2cf106764;eu_cookie_consent=true"),
            owned(&[("session", "d7f2cf106764"), ("eu_cookie_consent", "true")])
        );
        assert_eq!(
            pairs("a=1; b=2;  c=3 "),
            owned(&[("a", "1"), ("b", "2"), ("c", "3")])
        );
    }

    #[test]
    fn garbage_is_skipped_and_the_rest_kept() {
        assert_eq!(
            pairs("junk; a<b=1; =empty-name; visits=\"41\";theme=dark ; visits=99; t=abc=="),
            owned(&[
                ("a<b", "1"),
                ("visits", "41"),
                ("theme", "dark"),
                ("visits", "99"),
                ("t", "abc=="),
            ])
        );
        assert_eq!(pairs(""), owned(&[]));
    }

    #[test]
    fn set_cookie_with_every_attribute() {
        let header = SetCookie::new("visits", "3")
            .max_age(31_536_000)
            .path("/cgi-bin")
            .http_only()
            .same_site(SameSite::Lax)
            .to_header_value()
            .unwrap();
        assert_eq!(
            header,
            "visits=3; HttpOnly; SameSite=Lax; Path=/cgi-bin; Max-Age=31536000"
        );
        assert_eq!(
            SetCookie::new("a", "1")
                .same_site(SameSite::None)
                .to_header_value()
                .unwrap(),
            "a=1; SameSite=None; Secure"
        );
    }

    #[test]
    fn any_text_can_travel_encoded() {
        let text = "James & Nancy; \"Kirk\", été";
        let encoded = encode_value(text);
        assert!(
            SetCookie::new("user", encoded.clone())
                .to_header_value()
                .is_ok()
        );
        assert_eq!(decode_value(&encoded).as_deref(), Some(text));
        assert_eq!(decode_value("%FF"), None);
    }

    #[test]
    fn removal_expires_at_once() {
        assert_eq!(
            SetCookie::removal("visits")
                .path("/")
                .to_header_value()
                .unwrap(),
            "visits=; Path=/; Max-Age=0"
        );
    }

    #[test]
    fn nothing_from_a_request_can_add_an_attribute_or_a_header() {
        for value in [
            "1; Domain=evil.example",
            "a\r\nSet-Cookie: x=1",
            "a b",
            "é",
            "\"q\"",
        ] {
            assert!(
                SetCookie::new("visits", value).to_header_value().is_err(),
                "{value:?}"
            );
        }
        assert!(SetCookie::new("a=b", "1").to_header_value().is_err());
        assert!(SetCookie::new("", "1").to_header_value().is_err());
        assert!(
            SetCookie::new("a", "1")
                .path("/x; Domain=evil")
                .to_header_value()
                .is_err()
        );
    }
}
