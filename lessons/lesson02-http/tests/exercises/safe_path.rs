//! Checks of the `safe_path` exercise: percent-decoding, then a URL path turned into a file
//! path that cannot leave the served directory.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/safe_path.rs")]
#[cfg_attr(feature = "reference", path = "../../exercises/solutions/safe_path.rs")]
#[allow(unused_variables, dead_code)]
mod code;

use std::path::{MAIN_SEPARATOR, Path};

use code::{Refusal, percent_decode, safe_path};

/// Asserts what `percent_decode(text)` gives, comparing the bytes written as escaped ASCII.
#[track_caller]
fn check_decode(text: &str, expected: &[u8]) {
    assert_eq!(
        percent_decode(text).escape_ascii().to_string(),
        expected.escape_ascii().to_string(),
        "percent_decode({text:?}), as escaped bytes"
    );
}

/// Asserts what `safe_path(raw_path)` gives, with the path written with `/` separators.
#[track_caller]
fn check(raw_path: &str, expected: Result<&str, Refusal>) {
    let as_text = |path: &Path| path.to_string_lossy().replace(MAIN_SEPARATOR, "/");
    assert_eq!(
        safe_path(raw_path).map(|path| as_text(&path)),
        expected.map(str::to_string),
        "safe_path({raw_path:?})"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn percent_decode_turns_each_escape_into_one_byte() {
    check_decode("a%20b", b"a b");
    check_decode("%41%42", b"AB");
    check_decode("caf%C3%A9", b"caf\xc3\xa9");
    check_decode("%00%ff", b"\x00\xff");
    check_decode("no escapes", b"no escapes");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn percent_decode_reads_hex_digits_in_either_case() {
    check_decode("%4a%4A%c3%A9", b"JJ\xc3\xa9");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn percent_decode_keeps_a_percent_without_two_hex_digits() {
    check_decode("100%", b"100%");
    check_decode("%zz", b"%zz");
    check_decode("%4", b"%4");
    check_decode("%4g", b"%4g");
    check_decode("%%41", b"%A");
    // `u8::from_str_radix("+f", 16)` is Ok(15): a sign is not a hex digit.
    check_decode("%+f", b"%+f");
    // A multi-byte character right after the `%` must not be cut in two.
    check_decode("%é", "%é".as_bytes());
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn percent_decode_leaves_plus_alone_and_decodes_only_once() {
    check_decode("a+b", b"a+b");
    check_decode("%252e", b"%2e");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_plain_path_becomes_a_relative_path() {
    check("/docs/notes.txt", Ok("docs/notes.txt"));
    check("/index.html", Ok("index.html"));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn the_root_is_the_empty_path() {
    check("/", Ok(""));
    check("", Ok(""));
    check("//", Ok(""));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn empty_and_dot_segments_are_skipped() {
    check("//docs/./notes.txt/", Ok("docs/notes.txt"));
    check("/%2e/a", Ok("a"));
    check("/./", Ok(""));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn escapes_are_decoded_into_utf8_names() {
    check("/caf%C3%A9.txt", Ok("café.txt"));
    check("/caf%c3%a9.txt", Ok("café.txt"));
    check("/my%20notes.txt", Ok("my notes.txt"));
    check("/a+b.txt", Ok("a+b.txt"));
    check("/100%.txt", Ok("100%.txt"));
    check("/%zz", Ok("%zz"));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn dot_dot_is_refused_however_it_is_spelled() {
    for raw_path in [
        "/..",
        "/../secret.txt",
        "/docs/../secret.txt",
        "/%2e%2e/secret.txt",
        "/.%2E/secret.txt",
        "/%2E./secret.txt",
    ] {
        check(raw_path, Err(Refusal::ParentSegment));
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn an_encoded_slash_is_a_separator_so_it_cannot_hide_dot_dot() {
    check("/..%2f..%2fetc%2fpasswd", Err(Refusal::ParentSegment));
    check("/docs%2F..", Err(Refusal::ParentSegment));
    check("/docs%2Fnotes.txt", Ok("docs/notes.txt"));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn names_that_merely_contain_dots_are_fine() {
    check("/...", Ok("..."));
    check("/..hidden", Ok("..hidden"));
    check("/notes..txt", Ok("notes..txt"));
    check("/.well-known/x", Ok(".well-known/x"));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_backslash_is_refused_encoded_or_not() {
    for raw_path in ["/..%5c..%5cwindows", "/docs\\notes.txt", "/%5C"] {
        check(raw_path, Err(Refusal::ForbiddenByte));
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_nul_byte_is_refused() {
    check("/secret.txt%00.png", Err(Refusal::ForbiddenByte));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn bytes_that_are_not_utf8_are_refused() {
    // 0xFF is never UTF-8; %C3 alone is half a character; %C3%28 is a broken pair.
    for raw_path in ["/%ff", "/caf%C3", "/%C3%28.txt"] {
        check(raw_path, Err(Refusal::NotUtf8));
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn escapes_are_decoded_only_once() {
    check("/%252e%252e/x", Ok("%2e%2e/x"));
}
