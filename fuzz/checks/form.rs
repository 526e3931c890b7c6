//! The checks of the `form` fuzz target, shared by the fuzz target itself
//! (`fuzz/fuzz_targets/form.rs`) and by `cargo test`, which replays every input in
//! `fuzz/seeds/form/` through them (`crates/server-core/tests/fuzz_seeds.rs`).
//!
//! What the target checks: the form reader on arbitrary bodies, multipart and urlencoded.
//!
//! Whatever the bytes, `Form::read` may not panic, hang or grow without bound: it returns a
//! form or an error whose status is 400 or 413. The body arrives in reads of a size taken
//! from the input, so multer is fed in every possible slicing. Each input runs with the
//! default limits and with tiny ones, so every 413 path is reachable from short inputs.

use std::io::{self, Read};

use server_core::form::{Form, FormLimits, FormOptions};

/// Hands out the body `step` bytes at a time.
struct Slices<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Read for Slices<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(out.len()).min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// Checks one input: panics when the code under test misbehaves on it.
pub fn check(data: &[u8]) {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let step = usize::from(first % 64) + 1;
    let tiny = FormLimits {
        max_parts: 3,
        max_field_bytes: 8,
        max_text_bytes: 16,
        max_file_bytes: 32,
        max_total_bytes: 256,
        max_part_header_bytes: 64,
    };
    for limits in [FormLimits::default(), tiny] {
        let options = FormOptions {
            limits,
            ..FormOptions::default()
        };
        for content_type in [
            "multipart/form-data; boundary=XyZ",
            "application/x-www-form-urlencoded",
        ] {
            let reader = Slices { bytes: body, step };
            match Form::read("q=1", Some(content_type), reader, &options) {
                Ok(form) => {
                    let _ = (form.describe(), form.names());
                    for (_, file) in form.files() {
                        assert!(file.size <= options.limits.max_file_bytes);
                    }
                }
                Err(error) => {
                    assert!(matches!(error.status(), 400 | 413), "{error:?}");
                    assert!(!error.to_string().is_empty());
                }
            }
        }
    }
}
