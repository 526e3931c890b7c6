//! The one page every response of the book application is poured into.
//!
//! One template means one place for the doctype, the character set and the title — and one
//! rule for what goes in: the caller escapes everything that came from the database or the
//! request ([`server_core::html::escape`]) before it reaches [`page`].

use server_core::html::escape;

// ANCHOR: page
/// A whole HTML page: `title` is escaped here; `body` must already be safe HTML.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}
// ANCHOR_END: page
