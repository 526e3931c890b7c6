//! Exercise `query_pairs`: decode a query string, or a urlencoded form body, into its fields.
//!
//! A browser sends a form in one of two places: after the `?` of the URL (`GET`), or as the
//! body of a `POST` with `Content-Type: application/x-www-form-urlencoded`. Both use the same
//! encoding, which the WHATWG URL Standard defines (§5 "application/x-www-form-urlencoded")
//! on top of RFC 3986's percent-encoding (§2.1). The course's vote form sends
//!
//! ```text
//! user=James+%26+Nancy+Kirk&user2=&vote=Y&pets=dog&pets=cat&comments=
//! ```
//!
//! and a server that understands it sees `user` = `James & Nancy Kirk`, a blank `user2`, and
//! two values of `pets`. Chapter 4 (`book/src/ch04-forms.md`) shows the raw requests; here you
//! write the decoder.
//!
//! You write two functions:
//!
//! - [`decode_component`] decodes one name or one value:
//!   1. every `+` is a space (a form's encoding, not RFC 3986's; a real plus arrives as `%2B`);
//!   2. `%` followed by two hex digits (either case) is the byte they spell: `%26` is `&`,
//!      `%C3%A9` are the two bytes of `é` in UTF-8. A `%` that is not followed by two hex
//!      digits (`100%`, `%zz`, `%4`) is not an escape and stays as it is;
//!   3. the bytes become text as UTF-8. Bytes that are not valid UTF-8 (`%E9`, which is `é`
//!      in Latin-1) each become U+FFFD, the replacement character `�`, as the standard says
//!      (`String::from_utf8_lossy` does exactly that). The lesson's server chooses differently
//!      and refuses such a form with a 400 naming the field: a decoder may replace or refuse,
//!      but must never panic.
//! - [`parse_query`] splits the whole string into fields:
//!   1. the pieces are separated by `&` (only `&`: `;` is an ordinary character here). Empty
//!      pieces, as in `a=1&&b=2` or a trailing `&`, are skipped;
//!   2. a piece is split at its *first* `=`: the name before it, the value after it (which may
//!      hold more `=`). A piece without `=` is a name with the value `""`;
//!   3. name and value are decoded separately — after splitting, so that `%26` and `%3D`
//!      inside a value are data and split nothing;
//!   4. blank values are kept (`user2=` is `user2` with `""`), and so is an empty name
//!      (`=x`); a name sent several times keeps all its values, in the order sent.
//!
//! The result lists each name once, in the order the names first appear, with all of its
//! values: an ordered multimap, like Python's `cgi.FieldStorage` with `keep_blank_values=True`
//! (`form.getlist(name)` gives the list).

// ANCHOR: exercise
/// Decodes one name or value of a urlencoded form: `+` is a space, `%XX` a byte, and the
/// bytes are read as UTF-8 with each invalid sequence replaced by U+FFFD.
pub fn decode_component(encoded: &str) -> String {
    todo!("turn + into a space and each valid %XX into its byte, then decode as UTF-8")
}

/// The fields of a query string or urlencoded body: each name once, in the order names first
/// appear, with all its values in the order sent. Blank values are kept.
pub fn parse_query(query: &str) -> Vec<(String, Vec<String>)> {
    todo!("split at &, split each piece at its first =, decode, group the values by name")
}
// ANCHOR_END: exercise
