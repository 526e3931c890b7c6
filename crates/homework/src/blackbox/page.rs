//! HTML pages read leniently, for the checks of lessons 05–07.
//!
//! The checks judge what a page *says*, not how its HTML is written, so that a page written
//! by hand in Python and one built by a Rust template pass alike: tag names in any case,
//! attributes in any order and quoting, any white space between elements. A value in a table
//! is the text of the element right after the one holding its label
//! ([`super::lesson03::table_value`]); the text of an element has its tags removed, its
//! character references decoded and its runs of white space made one space.

use super::lesson03::decode_entities;
use super::lesson04::tags;

/// A link of a page: where it goes and the text it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The `href`, with its character references decoded (`&amp;` is `&`).
    pub href: String,
    /// The text between `<a ...>` and `</a>`, as [`text_of`] gives it.
    pub text: String,
}

/// Every `<a href="...">` of `html`, in order.
pub fn links(html: &str) -> Vec<Link> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    // Each turn moves `from` past the tag it found.
    while let Some(start) = find_open_tag(&lower, "a", from) {
        let Some(tag_length) = lower[start..].find('>') else {
            break;
        };
        let content_start = start + tag_length + 1;
        let content_end = lower[content_start..]
            .find("</a")
            .map_or(html.len(), |end| content_start + end);
        let href = tags(&html[start..content_start])
            .first()
            .and_then(|tag| tag.attribute("href"))
            .map(str::to_string);
        if let Some(href) = href {
            found.push(Link {
                href,
                text: text_of(&html[content_start..content_end]),
            });
        }
        from = content_start;
    }
    found
}

/// The text of the first `<name>` element of `html` (`h1`, `title`...), or `None` when there
/// is none.
pub fn element_text(html: &str, name: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let start = find_open_tag(&lower, name, 0)?;
    let content_start = start + lower[start..].find('>')? + 1;
    let content_end = lower[content_start..]
        .find(&format!("</{name}"))
        .map_or(html.len(), |end| content_start + end);
    Some(text_of(&html[content_start..content_end]))
}

/// The text of an HTML fragment: tags removed, character references decoded, white space
/// trimmed and each run of it made one space.
pub fn text_of(fragment: &str) -> String {
    let mut text = String::with_capacity(fragment.len());
    let mut rest = fragment;
    while !rest.is_empty() {
        let text_end = rest.find('<').unwrap_or(rest.len());
        text.push_str(&rest[..text_end]);
        text.push(' ');
        rest = &rest[text_end..];
        rest = match rest.find('>') {
            Some(tag_end) => &rest[tag_end + 1..],
            None => "",
        };
    }
    decode_entities(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when the page starts with `<!DOCTYPE html>` (in any case), as an HTML page should.
pub fn has_doctype(html: &str) -> bool {
    let start = html.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    start
        .get(..15)
        .is_some_and(|doctype| doctype.eq_ignore_ascii_case("<!doctype html>"))
}

/// True when `raw`, text taken from a page as it was sent, is escaped: no `"` or `'` (which
/// could end an attribute), and every `&` starts a character reference such as `&amp;`.
/// (A `<` or `>` cannot be in it: they would have been read as a tag.)
pub fn is_escaped(raw: &str) -> bool {
    if raw.contains(['"', '\'']) {
        return false;
    }
    raw.match_indices('&').all(|(at, _)| {
        let reference = &raw[at + 1..];
        let Some(end) = reference.find(';') else {
            return false;
        };
        let name = &reference[..end];
        let hex = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X"));
        match (hex, name.strip_prefix('#')) {
            (Some(hex), _) => !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()),
            (None, Some(decimal)) => {
                !decimal.is_empty() && decimal.bytes().all(|b| b.is_ascii_digit())
            }
            (None, None) => !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric()),
        }
    })
}

/// `text` escaped for HTML, for messages saying what an escaped value looks like.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
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

/// Where the next opening tag `<name` (followed by white space, `>` or `/`) starts in
/// `lower`, a page in lower case, at or after `from`.
fn find_open_tag(lower: &str, name: &str, from: usize) -> Option<usize> {
    let opening = format!("<{name}");
    let mut at = from;
    loop {
        let start = at + lower.get(at..)?.find(&opening)?;
        let after = lower[start + opening.len()..].chars().next();
        if after.is_some_and(|c| c.is_ascii_whitespace() || c == '>' || c == '/') {
            return Some(start);
        }
        at = start + opening.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_read_however_they_are_written() {
        let html = "<p><A class=x HREF='/book/id1'>Rock &amp; <b>Roll</b>\n</A> \
                    <abbr>no</abbr> <a name=top>no href</a><a href=\"/add/23/42\">/add/23/42</a>";
        assert_eq!(
            links(html),
            [
                Link {
                    href: "/book/id1".to_string(),
                    text: "Rock & Roll".to_string(),
                },
                Link {
                    href: "/add/23/42".to_string(),
                    text: "/add/23/42".to_string(),
                },
            ]
        );
        assert_eq!(
            links("<a href=\"/x?a=1&amp;b=2\">unclosed"),
            [Link {
                href: "/x?a=1&b=2".to_string(),
                text: "unclosed".to_string(),
            }]
        );
        assert!(links("no links <a").is_empty());
    }

    #[test]
    fn an_element_s_text_is_its_content_without_tags() {
        let html =
            "<head><title>O&#x27;Reilly</title></head><H1 id=x>  My <i>Book</i>\nshelf </H1>";
        assert_eq!(element_text(html, "h1").as_deref(), Some("My Book shelf"));
        assert_eq!(element_text(html, "title").as_deref(), Some("O'Reilly"));
        assert_eq!(element_text(html, "h2"), None);
        assert_eq!(element_text("<h10>x</h10>", "h1"), None);
    }

    #[test]
    fn a_doctype_is_found_in_any_case() {
        assert!(has_doctype("<!DOCTYPE html>\n<html>"));
        assert!(has_doctype("\n <!doctype HTML><html>"));
        assert!(!has_doctype("<html><!DOCTYPE html>"));
        assert!(!has_doctype("<!DOCTYPE"));
    }

    #[test]
    fn escaped_text_has_no_quotes_and_only_references_after_an_ampersand() {
        for good in [
            "x=1&amp;y=&lt;b&gt;",
            "O&#x27;Reilly &#39; &quot;",
            "plain",
            "",
        ] {
            assert!(is_escaped(good), "{good}");
        }
        for bad in ["x=1&y=2", "O'Reilly", "\"q\"", "a &amp b", "&#;", "&#xZ;"] {
            assert!(!is_escaped(bad), "{bad}");
        }
        assert_eq!(
            escaped("<b>\"O'R\" & co</b>"),
            "&lt;b&gt;&quot;O&#x27;R&quot; &amp; co&lt;/b&gt;"
        );
    }
}
