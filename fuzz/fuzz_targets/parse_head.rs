//! Fuzz target: `parse_head` and `parse_chunk_size` on arbitrary bytes.
//!
//! Neither may panic, whatever the input; an accepted head must be usable (every accessor
//! works on it) and a refusal must carry a status in 400..=505. Each input is parsed twice,
//! with the default limits and with small ones, so that the 413, 414 and 431 paths are
//! reached by short inputs too.
//!
//! The checks themselves are in `fuzz/checks/parse_head.rs`, which `cargo test` also runs on
//! every input in `fuzz/seeds/parse_head/`.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/parse_head.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::check(data));
