//! Checks of the `multipart_parts` exercise: a `multipart/form-data` body split into parts.

#[cfg_attr(
    not(feature = "reference"),
    path = "../../exercises/multipart_parts.rs"
)]
#[cfg_attr(
    feature = "reference",
    path = "../../exercises/solutions/multipart_parts.rs"
)]
#[allow(unused_variables, dead_code)]
mod code;

use code::{MultipartError, Part, split_multipart};

/// The boundary of the course's upload, as its `Content-Type` names it.
const SEED_BOUNDARY: &str = "---------------------------9849436581144108930470211272";

/// A short boundary for the other tests, the one of RFC 7578's examples.
const BOUNDARY: &str = "AaB03x";

/// Asserts what `split_multipart(body, boundary)` gives.
#[track_caller]
fn check(body: &[u8], boundary: &str, expected: Result<Vec<Part>, MultipartError>) {
    assert_eq!(
        split_multipart(body, boundary),
        expected,
        "split_multipart({:?}, {boundary:?})",
        String::from_utf8_lossy(body)
    );
}

/// A part, written briefly.
fn part(headers: &[(&str, &str)], body: &[u8]) -> Part {
    Part {
        headers: headers
            .iter()
            .map(|&(name, value)| (name.to_string(), value.to_string()))
            .collect(),
        body: body.to_vec(),
    }
}

/// A part holding the form field `name`, with only its Content-Disposition.
fn field(name: &str, value: &[u8]) -> Part {
    let disposition = format!("form-data; name=\"{name}\"");
    part(&[("Content-Disposition", &disposition)], value)
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn the_course_upload_is_one_file_part() {
    let body = format!(
        "--{SEED_BOUNDARY}\r\n\
         Content-Disposition: form-data; name=\"myfile\"; filename=\"text1\"\r\n\
         Content-Type: application/octet-stream\r\n\
         \r\n\
         This is a test.\nIt is only a test.\n\r\n\
         --{SEED_BOUNDARY}--\r\n"
    );
    check(
        body.as_bytes(),
        SEED_BOUNDARY,
        Ok(vec![part(
            &[
                (
                    "Content-Disposition",
                    "form-data; name=\"myfile\"; filename=\"text1\"",
                ),
                ("Content-Type", "application/octet-stream"),
            ],
            b"This is a test.\nIt is only a test.\n",
        )]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn several_parts_come_out_in_order() {
    let body = "--AaB03x\r\n\
                Content-Disposition: form-data; name=\"user\"\r\n\
                \r\n\
                James & Nancy Kirk\r\n\
                --AaB03x\r\n\
                Content-Disposition: form-data; name=\"pets\"\r\n\
                \r\n\
                dog\r\n\
                --AaB03x\r\n\
                Content-Disposition: form-data; name=\"pets\"\r\n\
                \r\n\
                cat\r\n\
                --AaB03x--\r\n";
    check(
        body.as_bytes(),
        BOUNDARY,
        Ok(vec![
            field("user", b"James & Nancy Kirk"),
            field("pets", b"dog"),
            field("pets", b"cat"),
        ]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn binary_content_is_kept_byte_for_byte() {
    // Every byte value, then line breaks and dashes that are not a delimiter: `--` alone, the
    // start of the boundary, and the whole boundary without the CR LF in front of it.
    let mut content: Vec<u8> = (0..=255u8).collect();
    content.extend_from_slice(b"\r\n--\r\n\r\n--AaB03\r\n-- --AaB03x\r\n\r\n");
    let mut body = b"--AaB03x\r\n\
                     Content-Disposition: form-data; name=\"f\"; filename=\"bytes.bin\"\r\n\
                     Content-Type: application/octet-stream\r\n\
                     \r\n"
        .to_vec();
    body.extend_from_slice(&content);
    body.extend_from_slice(b"\r\n--AaB03x--\r\n");
    check(
        &body,
        BOUNDARY,
        Ok(vec![part(
            &[
                (
                    "Content-Disposition",
                    "form-data; name=\"f\"; filename=\"bytes.bin\"",
                ),
                ("Content-Type", "application/octet-stream"),
            ],
            &content,
        )]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn the_boundary_followed_by_other_characters_is_data() {
    let body = b"--AaB03x\r\n\
                 Content-Disposition: form-data; name=\"a\"\r\n\
                 \r\n\
                 1\r\n--AaB03xyz\r\n2\r\n\
                 --AaB03x--";
    check(
        body,
        BOUNDARY,
        Ok(vec![field("a", b"1\r\n--AaB03xyz\r\n2")]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn the_preamble_and_the_epilogue_are_ignored() {
    let body = b"This is the preamble.\r\nIt is to be ignored.\r\n\
                 --AaB03x\r\n\
                 Content-Disposition: form-data; name=\"a\"\r\n\
                 \r\n\
                 1\r\n\
                 --AaB03x--\r\n\
                 This is the epilogue. --AaB03x\r\n";
    check(body, BOUNDARY, Ok(vec![field("a", b"1")]));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn spaces_after_a_boundary_and_around_header_values_are_ignored() {
    let body = b"--AaB03x  \r\n\
                 Content-Disposition:form-data; name=\"a\"\t \r\n\
                 \r\n\
                 1\r\n\
                 --AaB03x\t\r\n\
                 Content-Disposition:   form-data; name=\"b\"\r\n\
                 \r\n\
                 2\r\n\
                 --AaB03x--";
    check(body, BOUNDARY, Ok(vec![field("a", b"1"), field("b", b"2")]));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn an_empty_content_and_a_content_of_line_breaks_are_kept() {
    let body = b"--AaB03x\r\n\
                 Content-Disposition: form-data; name=\"user2\"\r\n\
                 \r\n\
                 \r\n\
                 --AaB03x\r\n\
                 Content-Disposition: form-data; name=\"comments\"\r\n\
                 \r\n\
                 \r\n\r\n\
                 --AaB03x--\r\n";
    check(
        body,
        BOUNDARY,
        Ok(vec![field("user2", b""), field("comments", b"\r\n")]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_part_may_have_no_header_fields() {
    let body = b"--AaB03x\r\n\r\nno headers\r\n--AaB03x--\r\n";
    check(body, BOUNDARY, Ok(vec![part(&[], b"no headers")]));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_body_that_is_only_the_close_delimiter_has_no_parts() {
    check(b"--AaB03x--\r\n", BOUNDARY, Ok(vec![]));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_body_without_the_close_delimiter_is_refused() {
    let cut_off = b"--AaB03x\r\n\
                    Content-Disposition: form-data; name=\"a\"\r\n\
                    \r\n\
                    the upload was cut off her";
    check(cut_off, BOUNDARY, Err(MultipartError::NoClosingBoundary));
    let no_close = b"--AaB03x\r\n\
                     Content-Disposition: form-data; name=\"a\"\r\n\
                     \r\n\
                     1\r\n\
                     --AaB03x\r\n";
    check(no_close, BOUNDARY, Err(MultipartError::NoClosingBoundary));
    let without_dashes = b"--AaB03x\r\n\
                           Content-Disposition: form-data; name=\"a\"\r\n\
                           \r\n\
                           1\r\n\
                           --AaB03x";
    check(
        without_dashes,
        BOUNDARY,
        Err(MultipartError::NoClosingBoundary),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_body_without_any_delimiter_is_refused() {
    check(
        b"user=James&vote=Y",
        BOUNDARY,
        Err(MultipartError::NoFirstBoundary),
    );
    // The right boundary is in the Content-Type; this body was made with another one.
    check(
        b"--other\r\n\r\n1\r\n--other--\r\n",
        BOUNDARY,
        Err(MultipartError::NoFirstBoundary),
    );
    check(b"", BOUNDARY, Err(MultipartError::NoFirstBoundary));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_part_without_the_empty_line_after_its_headers_is_refused() {
    let body = b"--AaB03x\r\n\
                 Content-Disposition: form-data; name=\"a\"\r\n\
                 \r\n\
                 1\r\n\
                 --AaB03x\r\n\
                 Content-Disposition: form-data; name=\"b\"\r\n\
                 2\r\n\
                 --AaB03x--\r\n";
    check(body, BOUNDARY, Err(MultipartError::NoHeaderEnd { part: 2 }));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_header_line_without_a_colon_is_refused() {
    let body = b"--AaB03x\r\n\
                 Content-Disposition form-data; name=\"a\"\r\n\
                 \r\n\
                 1\r\n\
                 --AaB03x--\r\n";
    check(body, BOUNDARY, Err(MultipartError::BadHeader { part: 1 }));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_boundary_rfc_2046_does_not_allow_is_refused() {
    let body = b"--\r\n\r\n1\r\n----\r\n";
    check(body, "", Err(MultipartError::InvalidBoundary));
    let long = "x".repeat(71);
    let body = format!("--{long}\r\n\r\n1\r\n--{long}--\r\n");
    check(body.as_bytes(), &long, Err(MultipartError::InvalidBoundary));
    check(
        b"--a\"b\r\n\r\n1\r\n--a\"b--\r\n",
        "a\"b",
        Err(MultipartError::InvalidBoundary),
    );
    check(
        b"--ab \r\n\r\n1\r\n--ab --\r\n",
        "ab ",
        Err(MultipartError::InvalidBoundary),
    );
    // Seventy characters, spaces inside: allowed.
    let longest = format!("{} a", "x".repeat(68));
    let body = format!("--{longest}\r\n\r\n1\r\n--{longest}--\r\n");
    check(body.as_bytes(), &longest, Ok(vec![part(&[], b"1")]));
}
