//! Checks of the `listing_entry` exercise: one line of a directory listing, with the name
//! percent-encoded in the link and HTML-escaped in the text.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/listing_entry.rs")]
#[cfg_attr(
    feature = "reference",
    path = "../../exercises/solutions/listing_entry.rs"
)]
#[allow(unused_variables, dead_code)]
mod code;

use code::listing_entry;

/// Asserts the line `listing_entry(name, is_dir)` gives, built from the expected href and text.
#[track_caller]
fn check(name: &str, is_dir: bool, href: &str, text: &str) {
    assert_eq!(
        listing_entry(name, is_dir),
        format!("<li><a href=\"{href}\">{text}</a></li>"),
        "listing_entry({name:?}, {is_dir})"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_plain_file_is_linked_by_its_name() {
    check("notes.txt", false, "notes.txt", "notes.txt");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_directory_gets_a_slash_in_the_link_and_in_the_text() {
    check("docs", true, "docs/", "docs/");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn unreserved_characters_are_left_alone() {
    check("AZaz09-._~", false, "AZaz09-._~", "AZaz09-._~");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_space_is_percent_20_in_the_link_and_a_space_in_the_text() {
    check("my notes.txt", false, "my%20notes.txt", "my notes.txt");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn non_ascii_names_are_encoded_byte_by_byte_in_uppercase_hex() {
    check("café.txt", false, "caf%C3%A9.txt", "café.txt");
    check("👋", false, "%F0%9F%91%8B", "👋");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn characters_that_change_what_a_url_means_are_encoded() {
    // Unencoded, '#' starts a fragment, '?' a query, and '%' a bogus escape.
    check("a#b?c%d.txt", false, "a%23b%3Fc%25d.txt", "a#b?c%d.txt");
    check("x+y=z;,", false, "x%2By%3Dz%3B%2C", "x+y=z;,");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_name_cannot_become_a_javascript_link() {
    check(
        "javascript:alert(1)",
        false,
        "javascript%3Aalert%281%29",
        "javascript:alert(1)",
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn html_special_characters_are_escaped_in_the_text() {
    check(
        "<b>it's \"bold\"</b>",
        false,
        "%3Cb%3Eit%27s%20%22bold%22%3C%2Fb%3E",
        "&lt;b&gt;it&#x27;s &quot;bold&quot;&lt;/b&gt;",
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn each_character_is_escaped_once() {
    check("a<b&c", false, "a%3Cb%26c", "a&lt;b&amp;c");
    check("&amp;", false, "%26amp%3B", "&amp;amp;");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_quote_cannot_end_the_href_attribute() {
    check(
        "x\" onmouseover=\"alert(1)",
        false,
        "x%22%20onmouseover%3D%22alert%281%29",
        "x&quot; onmouseover=&quot;alert(1)",
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_directory_name_is_encoded_and_escaped_before_its_slash() {
    check("R&D", true, "R%26D/", "R&amp;D/");
    check("My Docs", true, "My%20Docs/", "My Docs/");
}
