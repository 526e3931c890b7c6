//! Escaping text for HTML, and the error page every lesson shares.
//!
//! What it teaches: anything that came from a request (a path, a file name, a header) must be
//! escaped before it is placed in a page, or the page can be made to run someone else's
//! script. Chapter 2 shows the directory listing and the error page doing this.
//!
//! Choice: the five characters `& < > " '` are escaped, which is enough inside element text and
//! inside quoted attribute values — the only two places these pages put untrusted text.

/// Escapes `& < > " '` so that `text` shows as itself in an HTML page.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

/// The HTML error page, shaped like the one `python3 -m http.server` sends.
pub fn error_page(status: u16, message: &str) -> String {
    page_with_extra(status, message, "")
}

/// The error page with one more line, `label` and a link to `href`: for a refusal a learner
/// gets past by following a link (the script folder points to its index script).
pub fn error_page_with_link(status: u16, message: &str, label: &str, href: &str) -> String {
    let href = escape(href);
    let extra = format!("<p>{}: <a href=\"{href}\">{href}</a></p>\n", escape(label));
    page_with_extra(status, message, &extra)
}

/// Python's error page, with `extra` (already HTML) after its explanation line.
fn page_with_extra(status: u16, message: &str, extra: &str) -> String {
    let reason = crate::response::reason_phrase(status);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Error response</title>\n</head>\n<body>\n<h1>Error response</h1>\n\
         <p>Error code: {status}</p>\n<p>Message: {}.</p>\n\
         <p>Error code explanation: {status} - {}.</p>\n{extra}</body>\n</html>\n",
        escape(message),
        escape(&reason)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/a&gt;"
        );
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn error_pages_escape_their_message() {
        let page = error_page(404, "<script>alert(1)</script>");
        assert!(page.contains("&lt;script&gt;"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("Error code: 404"));
    }

    #[test]
    fn a_linked_error_page_escapes_its_link_too() {
        let page = error_page_with_link(403, "no", "Try", "/a?b=\"c\"&d");
        assert!(
            page.contains("<p>Try: <a href=\"/a?b=&quot;c&quot;&amp;d\">"),
            "{page}"
        );
        assert!(page.ends_with("</a></p>\n</body>\n</html>\n"), "{page}");
        let plain = error_page(403, "no");
        assert!(!plain.contains("<a "), "{plain}");
    }
}
