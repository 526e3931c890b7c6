//! Fuzz target: the form reader on arbitrary bodies, multipart and urlencoded.
//!
//! Whatever the bytes, `Form::read` may not panic, hang or grow without bound: it returns a
//! form or an error whose status is 400 or 413. The body arrives in reads of a size taken
//! from the input, so multer is fed in every possible slicing. Each input runs with the
//! default limits and with tiny ones, so every 413 path is reachable from short inputs.
//!
//! The checks themselves are in `fuzz/checks/form.rs`, which `cargo test` also runs on
//! every input in `fuzz/seeds/form/`.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/form.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::check(data));
