//! Exercise `listing_entry`: one line of a directory listing, with a link that cannot be
//! turned against the reader.
//!
//! When a directory has no `index.html`, the server of lesson 02 answers with a page listing
//! its entries, like `python3 -m http.server`. File names come from whoever can write to the
//! directory, and a name is not a safe thing to paste into HTML: `<script>` would run, `#`
//! would cut the link short, `javascript:...` would be a script. Chapter 2
//! (`book/src/ch02-http.md`) shows the whole listing; here you write one line of it.
//!
//! You write [`listing_entry`]: the `<li>` for one name,
//! `<li><a href="HREF">TEXT</a></li>`, with no spaces or line breaks added. The name goes
//! into it twice, encoded differently each time:
//!
//! - HREF is the name *percent-encoded* (RFC 3986 §2.1): every byte of its UTF-8 encoding
//!   except the unreserved characters `A`–`Z`, `a`–`z`, `0`–`9`, `-`, `.`, `_` and `~`
//!   (§2.3) becomes `%` and two *uppercase* hex digits. A space is `%20` (never `+`), `é` is
//!   `%C3%A9`, `#` is `%23`, `:` is `%3A`. Since `"`, `&`, `<` and `'` are encoded too, the
//!   href needs no HTML escaping on top.
//! - TEXT is the name *HTML-escaped*: `&` becomes `&amp;`, `<` `&lt;`, `>` `&gt;`, `"`
//!   `&quot;` and `'` `&#x27;` (the spelling Python's `html.escape` uses); all other
//!   characters stay as they are, `é` and spaces included. Escape each character once:
//!   `<` must not end up as `&amp;lt;`.
//! - A directory gets a `/` after its name in both, added after encoding, so that it is not
//!   encoded itself: the link then leads into the directory, and the reader sees it is one.

// ANCHOR: exercise
/// The `<li>` line of a directory listing for the entry `name` (a directory if `is_dir`).
pub fn listing_entry(name: &str, is_dir: bool) -> String {
    // ANCHOR: solution stub: todo!("percent-encode the name for the href, HTML-escape it for the text")
    let mut href = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            href.push(char::from(byte));
        } else {
            href.push_str(&format!("%{byte:02X}"));
        }
    }

    let mut text = String::new();
    for c in name.chars() {
        match c {
            '&' => text.push_str("&amp;"),
            '<' => text.push_str("&lt;"),
            '>' => text.push_str("&gt;"),
            '"' => text.push_str("&quot;"),
            '\'' => text.push_str("&#x27;"),
            _ => text.push(c),
        }
    }

    let slash = if is_dir { "/" } else { "" };
    format!("<li><a href=\"{href}{slash}\">{text}{slash}</a></li>")
    // ANCHOR_END: solution
}
// ANCHOR_END: exercise
