//! Exercise `cookie_pairs`: read the cookies a browser sends back.
//!
//! A server gives the browser a cookie with a `Set-Cookie` response header; from then on the
//! browser sends it back with every request to that site, in one `Cookie` request header that
//! holds all of them (RFC 6265). The course's example sends
//!
//! ```text
//! Cookie: session=d7f2cf106764;eu_cookie_consent=true
//! ```
//!
//! Chapter 4 (`book/src/ch04-cookies.md`) follows the round trip; here you read the header.
//!
//! RFC 6265 §4.2.1 gives the syntax: `name=value` pairs separated by `;` and one space, the
//! value optionally in double quotes (§4.1.1). §5.4 says a browser sends the pairs in a set
//! order — cookies with longer paths first — and the same name can come twice, once per
//! path: `id=admin-area; id=site-wide`. The server must not merge or reorder them: which one
//! counts is the application's choice. Real clients are less tidy than the grammar (the course
//! writes no space after the `;`), so a server reads the header leniently.
//!
//! You write [`parse_cookies`]:
//!
//! 1. Split the header at every `;`. Trim spaces and tabs around each piece, and skip empty
//!    pieces (`a=1;;b=2`, or a trailing `;`).
//! 2. Split each piece at its *first* `=`: `token=abc==` is `token` with `abc==`. A piece
//!    without `=` is not a cookie: skip it.
//! 3. Trim spaces and tabs around the name and around the value. Skip a pair whose name is
//!    empty (`=abc`).
//! 4. A value written in double quotes, `"x y"`, loses the two quotes: `x y`. Nothing else is
//!    decoded: a cookie value is opaque, so `%20` stays `%20`, and a lone `"` stays as it is.
//!
//! The result is every remaining pair, in the order sent, duplicates included.

// ANCHOR: exercise
/// The cookies of a `Cookie` header's value, `(name, value)`, in the order sent.
pub fn parse_cookies(header: &str) -> Vec<(String, String)> {
    todo!("split at ;, then split each piece at its first =")
}
// ANCHOR_END: exercise
