//! Tests of the form reader: the course's submissions, every limit and every malformed body.

use std::io::{self, Read};
use std::path::PathBuf;

use pretty_assertions::assert_eq;

use super::*;

/// The body a browser sent for the course's vote/pets/comments form.
const SEED_URLENCODED: &str = "user=James+%26+Nancy+Kirk&user2=&vote=Y&pets=dog&pets=cat&comments=";

/// The boundary of the course's upload example.
const SEED_BOUNDARY: &str = "---------------------------9849436581144108930470211272";

fn urlencoded(query: &str, body: &str, options: &FormOptions) -> Result<Form, FormError> {
    Form::read(
        query,
        Some("application/x-www-form-urlencoded"),
        body.as_bytes(),
        options,
    )
}

fn multipart(body: &[u8], options: &FormOptions) -> Result<Form, FormError> {
    let content_type = format!("multipart/form-data; boundary={SEED_BOUNDARY}");
    Form::read("", Some(&content_type), body, options)
}

/// A multipart body with the seed's boundary: `(headers, data)` per part.
fn body_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (headers, data) in parts {
        body.extend_from_slice(format!("--{SEED_BOUNDARY}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{SEED_BOUNDARY}--\r\n").as_bytes());
    body
}

fn file_part(name: &str, filename: &str) -> String {
    format!(
        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
         Content-Type: application/octet-stream"
    )
}

fn text_part(name: &str) -> String {
    format!("Content-Disposition: form-data; name=\"{name}\"")
}

/// A reader that hands out at most `step` bytes per read, like a slow network.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(out.len()).min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

fn options_with(limits: FormLimits) -> FormOptions {
    FormOptions {
        limits,
        ..FormOptions::default()
    }
}

#[test]
fn the_course_form_keeps_repeats_and_blanks() {
    let form = urlencoded("hi=john%20doe", SEED_URLENCODED, &FormOptions::default()).unwrap();
    assert_eq!(
        form.describe(),
        "hi ['john doe']\n\
         user ['James & Nancy Kirk']\n\
         user2 ['']\n\
         vote ['Y']\n\
         pets ['dog', 'cat']\n\
         comments ['']\n"
    );
    assert_eq!(form.first("pets"), Some("dog"));
    assert_eq!(form.all("pets"), ["dog", "cat"]);
    assert_eq!(form.first("user2"), Some(""));
    assert_eq!(form.first("nobody"), None);
    assert!(form.all("nobody").is_empty());
}

#[test]
fn blank_values_can_be_dropped() {
    let options = FormOptions {
        keep_blank_values: false,
        ..FormOptions::default()
    };
    let form = urlencoded("", SEED_URLENCODED, &options).unwrap();
    assert_eq!(form.names(), ["user", "vote", "pets"]);
    let body = body_of(&[(&text_part("empty"), b""), (&text_part("full"), b"x")]);
    assert_eq!(multipart(&body, &options).unwrap().names(), ["full"]);
}

#[test]
fn a_query_string_alone_is_a_form() {
    let form = Form::from_query("x=42&y=10&&flag&a+b=c%2Bd", &FormOptions::default()).unwrap();
    assert_eq!(
        form.describe(),
        "x ['42']\ny ['10']\nflag ['']\na b ['c+d']\n"
    );
}

#[test]
fn a_body_that_is_not_a_form_is_left_alone() {
    let mut body: &[u8] = b"{\"json\": true}";
    let form = Form::read(
        "a=1",
        Some("application/json"),
        &mut body,
        &FormOptions::default(),
    )
    .unwrap();
    assert_eq!(form.names(), ["a"]);
    assert_eq!(body.len(), 14, "the body was not read");
    let form = Form::read("", None, &b"a=1"[..], &FormOptions::default()).unwrap();
    assert!(form.is_empty(), "no Content-Type: not a form");
    let upper = Form::read(
        "",
        Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
        &b"a=1"[..],
        &FormOptions::default(),
    )
    .unwrap();
    assert_eq!(
        upper.first("a"),
        Some("1"),
        "media types are case-insensitive"
    );
}

#[test]
fn invalid_utf8_is_a_400_naming_the_field() {
    for (query, field) in [
        ("ok=1&bad=%FF", "bad"),
        ("na%C3me=%C3", "na\u{FFFD}me"),
        ("%FF=1", "\u{FFFD}"),
    ] {
        let error = Form::from_query(query, &FormOptions::default()).unwrap_err();
        assert_eq!(error.status(), 400, "{query}");
        assert!(
            matches!(&error, FormError::NotUtf8 { field: f } if f == field),
            "{query}: {error:?}"
        );
    }
    let good = Form::from_query("caf%C3%A9=cr%C3%A8me", &FormOptions::default()).unwrap();
    assert_eq!(good.first("café"), Some("crème"));
    let body = body_of(&[(&text_part("t"), b"\xff")]);
    assert!(matches!(
        multipart(&body, &FormOptions::default()),
        Err(FormError::NotUtf8 { .. })
    ));
}

#[test]
fn urlencoded_limits_are_413() {
    let limits = FormLimits {
        max_parts: 3,
        max_field_bytes: 5,
        max_text_bytes: 20,
        ..FormLimits::default()
    };
    let options = options_with(limits);
    let too_many = urlencoded("", "a=1&b=2&c=3&d=4", &options).unwrap_err();
    assert!(matches!(too_many, FormError::TooManyFields { limit: 3 }));
    let field = urlencoded("", "a=123456", &options).unwrap_err();
    assert!(
        matches!(&field, FormError::TooLarge { limit: 5, .. }),
        "{field:?}"
    );
    let total = urlencoded("", "a=1&b=2&ccccccccccc=3", &options).unwrap_err();
    assert!(
        matches!(&total, FormError::TooLarge { limit: 20, .. }),
        "{total:?}"
    );
    assert_eq!(total.status(), 413);
    assert!(urlencoded("", "a=1&b=2&c=3", &options).is_ok());
}

#[test]
fn the_course_upload_is_a_file_with_its_digest() {
    let body = body_of(&[(
        &file_part("myfile", "text1"),
        b"This is a test.\nIt is only a test.\n",
    )]);
    let form = multipart(&body, &FormOptions::default()).unwrap();
    assert_eq!(form.describe(), "myfile [<file 'text1'>]\n");
    let file = form.file("myfile").unwrap();
    assert_eq!(file.size, 35);
    assert_eq!(
        file.content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(
        file.sha256_hex(),
        sha256_of(b"This is a test.\nIt is only a test.\n")
    );
    assert_eq!(
        file.read_to_vec(1000).unwrap(),
        b"This is a test.\nIt is only a test.\n"
    );
    assert!(
        form.first("myfile").is_none(),
        "first() gives text; file() gives files"
    );
}

/// The digest computed independently of the upload code.
fn sha256_of(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    to_hex(&Sha256::digest(bytes))
}

#[test]
fn binary_data_with_near_boundaries_survives_any_chunking() {
    let mut data: Vec<u8> = (0..=255u8).collect();
    data.extend_from_slice(b"\r\n--");
    data.extend_from_slice(&SEED_BOUNDARY.as_bytes()[..20]);
    data.extend_from_slice(b"\r\n\r\n--\r\n");
    data.extend((0..100_000u32).map(|i| (i * 7 % 251) as u8));
    let body = body_of(&[
        (&text_part("note"), b"first"),
        (&file_part("blob", "data.bin"), &data),
        (&file_part("blob", "empty.bin"), b""),
        (&text_part("note"), b"last"),
    ]);
    for step in [1, 7, 4096, 1 << 20] {
        let form = Form::read(
            "",
            Some(&format!(
                "multipart/form-data; boundary=\"{SEED_BOUNDARY}\""
            )),
            Trickle { bytes: &body, step },
            &FormOptions::default(),
        )
        .unwrap();
        assert_eq!(form.all("note"), ["first", "last"], "step {step}");
        let files: Vec<_> = form.files().collect();
        assert_eq!(files.len(), 2, "step {step}");
        assert_eq!(
            files[0].1.read_to_vec(1 << 20).unwrap(),
            data,
            "step {step}"
        );
        assert_eq!(files[0].1.sha256_hex(), sha256_of(&data));
        assert_eq!(files[1].1.size, 0);
    }
}

#[test]
fn multipart_limits_are_413() {
    let big = vec![b'x'; 10_000];
    let cases: [(FormLimits, Vec<u8>); 4] = [
        (
            FormLimits {
                max_parts: 2,
                ..FormLimits::default()
            },
            body_of(&[
                (&text_part("a"), b"1"),
                (&text_part("b"), b"2"),
                (&text_part("c"), b"3"),
            ]),
        ),
        (
            FormLimits {
                max_field_bytes: 9_999,
                ..FormLimits::default()
            },
            body_of(&[(&text_part("a"), &big)]),
        ),
        (
            FormLimits {
                max_file_bytes: 9_999,
                ..FormLimits::default()
            },
            body_of(&[(&file_part("f", "f.bin"), &big)]),
        ),
        (
            FormLimits {
                max_total_bytes: 5_000,
                ..FormLimits::default()
            },
            body_of(&[(&file_part("f", "f.bin"), &big)]),
        ),
    ];
    for (index, (limits, body)) in cases.into_iter().enumerate() {
        let error = multipart(&body, &options_with(limits)).unwrap_err();
        assert_eq!(error.status(), 413, "case {index}: {error}");
    }
    let text_total = FormLimits {
        max_text_bytes: 15_000,
        ..FormLimits::default()
    };
    let body = body_of(&[(&text_part("a"), &big), (&text_part("b"), &big)]);
    let error = multipart(&body, &options_with(text_total)).unwrap_err();
    assert!(
        error.to_string().contains("the text of the form"),
        "{error}"
    );
}

#[test]
fn malformed_bodies_are_400() {
    let good = body_of(&[(&text_part("a"), b"1")]);
    let unterminated = &good[..good.len() - (SEED_BOUNDARY.len() + 6)];
    let no_disposition = body_of(&[("Content-Type: text/plain", b"1")]);
    let no_blank_line =
        format!("--{SEED_BOUNDARY}\r\nContent-Disposition: form-data; name=\"a\"\r\n");
    let wrong_boundary =
        b"--other\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--other--\r\n".to_vec();
    let cases: [(&str, &[u8]); 5] = [
        ("unterminated", unterminated),
        ("no Content-Disposition", &no_disposition),
        (
            "no blank line after the part headers",
            no_blank_line.as_bytes(),
        ),
        ("the boundary never comes", &wrong_boundary),
        ("empty body", b""),
    ];
    for (what, body) in cases {
        let error = multipart(body, &FormOptions::default()).unwrap_err();
        assert!(
            matches!(error, FormError::Malformed(_)),
            "{what}: {error:?}"
        );
        assert_eq!(error.status(), 400, "{what}");
    }
}

#[test]
fn abusive_boundaries_are_refused_before_reading() {
    let long = "b".repeat(71);
    for content_type in [
        "multipart/form-data".to_string(),
        "multipart/form-data; boundary=".to_string(),
        format!("multipart/form-data; boundary={long}"),
        "multipart/form-data; boundary=\"a\r\nb\"".to_string(),
        "multipart/form-data; boundary=\"ends with space \"".to_string(),
    ] {
        let mut body: &[u8] = b"untouched";
        let error =
            Form::read("", Some(&content_type), &mut body, &FormOptions::default()).unwrap_err();
        assert_eq!(error.status(), 400, "{content_type:?}");
        assert_eq!(body, b"untouched", "{content_type:?}");
    }
    assert!(boundary_of_ok(&"b".repeat(70)));
}

fn boundary_of_ok(boundary: &str) -> bool {
    multipart::boundary_of(&format!("multipart/form-data; boundary={boundary}")).is_ok()
}

#[test]
fn huge_part_headers_are_400_and_read_only_so_far() {
    let mut body =
        format!("--{SEED_BOUNDARY}\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Long: ")
            .into_bytes();
    body.extend(std::iter::repeat_n(b'x', 10_000_000));
    let mut reader = Trickle {
        bytes: &body,
        step: 1 << 20,
    };
    let error = Form::read(
        "",
        Some(&format!("multipart/form-data; boundary={SEED_BOUNDARY}")),
        &mut reader,
        &FormOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(error, FormError::Malformed(_)), "{error:?}");
    let read = body.len() - reader.bytes.len();
    assert!(
        read < 64 * 1024,
        "stopped after {read} bytes, not the whole 10 MB"
    );
}

#[test]
fn python_repr_shows_what_python_shows() {
    assert_eq!(python_repr("dog"), "'dog'");
    assert_eq!(python_repr(""), "''");
    assert_eq!(python_repr("it's"), "\"it's\"");
    assert_eq!(python_repr("both ' and \""), "'both \\' and \"'");
    assert_eq!(python_repr("a\nb\r\tc\\"), "'a\\nb\\r\\tc\\\\'");
    assert_eq!(python_repr("\u{1}\u{7f}é"), "'\\x01\\x7fé'");
}

#[test]
fn file_names_are_made_safe() {
    for (given, safe) in [
        ("text1", "text1"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        (".htaccess", "htaccess"),
        ("..", "upload"),
        ("", "upload"),
        ("a/b/", "upload"),
        ("evil\r\nname.txt", "evilname.txt"),
        ("what?.txt", "what_.txt"),
        ("  spaced .txt. ", "spaced .txt"),
        ("photo été.jpg", "photo été.jpg"),
    ] {
        assert_eq!(sanitize_filename(given), safe, "{given:?}");
    }
    let long = format!("{}.tar.gz", "é".repeat(300));
    let short = sanitize_filename(&long);
    assert!(short.len() <= 200 && short.ends_with(".gz"), "{short}");
}

#[test]
fn saving_never_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let body = body_of(&[
        (&file_part("f", "../notes.txt"), b"one"),
        (&file_part("f", "notes.txt"), b"two"),
        (&file_part("f", "notes"), b"three"),
        (&file_part("f", "notes"), b"four"),
    ]);
    let options = FormOptions {
        temp_dir: Some(dir.path().to_path_buf()),
        ..FormOptions::default()
    };
    let form = multipart(&body, &options).unwrap();
    let saved: Vec<String> = form
        .files()
        .map(|(_, file)| {
            let path = file.save_into(dir.path()).unwrap();
            assert_eq!(path.parent(), Some(dir.path()));
            path.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    assert_eq!(
        (saved[0].as_str(), saved[2].as_str()),
        ("notes.txt", "notes")
    );
    assert!(is_renamed_copy_of(&saved[1], "notes.txt"), "{saved:?}");
    assert!(is_renamed_copy_of(&saved[3], "notes"), "{saved:?}");
    assert_eq!(std::fs::read(dir.path().join(&saved[1])).unwrap(), b"two");
    assert_eq!(std::fs::read(dir.path().join(&saved[3])).unwrap(), b"four");
    drop(form);
    let mut left = names_in(dir.path());
    let mut expected = saved.clone();
    expected.sort();
    left.sort();
    assert_eq!(left, expected, "temporary files are gone");
}

#[test]
fn a_name_is_chosen_in_one_step_when_the_plain_and_numbered_names_exist() {
    let dir = tempfile::tempdir().unwrap();
    // Every name the old numbering tried before giving up: `many.txt`, `many-2.txt`, ...
    // `many-10000.txt`.
    std::fs::write(dir.path().join("many.txt"), b"taken").unwrap();
    for n in 2..=10_000 {
        std::fs::write(dir.path().join(format!("many-{n}.txt")), b"taken").unwrap();
    }
    let body = body_of(&[
        (&file_part("f", "many.txt"), b"new one"),
        (&file_part("f", "many.txt"), b"new two"),
    ]);
    let options = FormOptions {
        temp_dir: Some(dir.path().to_path_buf()),
        ..FormOptions::default()
    };
    let form = multipart(&body, &options).unwrap();
    let saved: Vec<PathBuf> = form
        .files()
        .map(|(_, file)| file.save_into(dir.path()).expect("a free name is found"))
        .collect();
    let names: Vec<String> = saved
        .iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|name| is_renamed_copy_of(name, "many.txt")),
        "{names:?}"
    );
    assert_ne!(names[0], names[1]);
    assert_eq!(std::fs::read(&saved[0]).unwrap(), b"new one");
    assert_eq!(std::fs::read(&saved[1]).unwrap(), b"new two");
    drop(form);
    assert_eq!(
        names_in(dir.path()).len(),
        10_000 + 2,
        "two files more, no temporary file"
    );
}

/// True if `saved` is `plain` with `-` and six hexadecimal digits before its extension:
/// `notes.txt` → `notes-3f9a1c.txt`, `notes` → `notes-3f9a1c`.
fn is_renamed_copy_of(saved: &str, plain: &str) -> bool {
    let (stem, extension) = match plain.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, format!(".{extension}")),
        _ => (plain, String::new()),
    };
    saved
        .strip_prefix(stem)
        .and_then(|rest| rest.strip_suffix(extension.as_str()))
        .and_then(|middle| middle.strip_prefix('-'))
        .is_some_and(|suffix| suffix.len() == 6 && suffix.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The names of the entries of `dir`, unsorted.
fn names_in(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_file_that_cannot_be_saved_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let body = body_of(&[(&file_part("f", "notes.txt"), b"one")]);
    let options = FormOptions {
        temp_dir: Some(dir.path().to_path_buf()),
        ..FormOptions::default()
    };
    let form = multipart(&body, &options).unwrap();
    let file = form.file("f").unwrap();
    let error = file.save_into(&dir.path().join("missing")).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::NotFound);

    let not_saved = FormError::NotSaved {
        filename: file.filename.clone(),
        error,
    };
    assert_eq!(not_saved.status(), 500);
    assert!(
        not_saved
            .to_string()
            .contains("\"notes.txt\" could not be saved"),
        "{not_saved}"
    );
    let disk_full = FormError::NotSaved {
        filename: "big.iso".into(),
        error: io::ErrorKind::StorageFull.into(),
    };
    assert_eq!(disk_full.status(), 507, "Insufficient Storage");
}

#[test]
fn leftover_temporary_files_are_removed_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        ".upload-abc123",
        ".upload-XyZ789",
        "notes.txt",
        ".hidden",
        "upload-1",
    ] {
        std::fs::write(dir.path().join(name), b"bytes").unwrap();
    }
    std::fs::create_dir(dir.path().join(".upload-folder")).unwrap();
    assert_eq!(remove_leftover_temp_files(dir.path()).unwrap(), 2);
    let mut left = names_in(dir.path());
    left.sort();
    assert_eq!(left, [".hidden", ".upload-folder", "notes.txt", "upload-1"]);
    assert_eq!(remove_leftover_temp_files(dir.path()).unwrap(), 0);
}

#[test]
fn format_characters_are_removed_from_file_names() {
    for (given, safe) in [
        // `ünïcödé` + RIGHT-TO-LEFT OVERRIDE + `gnp.exe` is shown as `ünïcödéexe.png`.
        ("ünïcödé\u{202E}gnp.exe", "ünïcödégnp.exe"),
        ("zero\u{200B}width\u{200F}.txt", "zerowidth.txt"),
        ("\u{2066}isolated\u{2069}.pdf", "isolated.pdf"),
        ("\u{FEFF}bom.txt", "bom.txt"),
        ("soft\u{AD}hyphen", "softhyphen"),
        ("tag\u{E0041}\u{E007F}s", "tags"),
        ("\u{202E}\u{200B}", "upload"),
        ("still visible: été ✓.txt", "still visible_ été ✓.txt"),
    ] {
        assert_eq!(sanitize_filename(given), safe, "{given:?}");
    }
    assert_eq!(
        python_repr("a\u{202E}b\u{AD}c\u{E0041}"),
        "'a\\u202eb\\xadc\\U000e0041'",
        "shown escaped, as Python's repr shows them"
    );
}

#[test]
fn a_file_name_that_is_not_utf8_still_makes_a_file() {
    let mut body = Vec::new();
    let parts: [&[u8]; 4] = [
        b"name=\"latin1\"; filename=\"caf\xe9.txt\"",
        b"name=\"bare\"; filename=caf\xe9-bare.txt",
        b"name=\"quoted\"; filename=\"C:\\dir\\\xff \\\"q\\\".txt\"",
        b"name=\"text\"",
    ];
    for disposition in parts {
        body.extend_from_slice(format!("--{SEED_BOUNDARY}\r\n").as_bytes());
        body.extend_from_slice(b"Content-Disposition: form-data; ");
        body.extend_from_slice(disposition);
        body.extend_from_slice(b"\r\n\r\nbytes\r\n");
    }
    body.extend_from_slice(format!("--{SEED_BOUNDARY}--\r\n").as_bytes());
    let form = multipart(&body, &FormOptions::default()).unwrap();
    let names: Vec<(&str, &str)> = form
        .files()
        .map(|(field, file)| (field, file.filename.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("latin1", "caf\u{FFFD}.txt"),
            ("bare", "caf\u{FFFD}-bare.txt"),
            ("quoted", "C:\\dir\\\u{FFFD} \"q\".txt"),
        ]
    );
    assert_eq!(
        form.file("latin1").unwrap().read_to_vec(10).unwrap(),
        b"bytes"
    );
    assert_eq!(
        form.file("quoted").unwrap().safe_filename(),
        "\u{FFFD} _q_.txt"
    );
    assert_eq!(
        form.first("text"),
        Some("bytes"),
        "a part without a file name is text"
    );
}
