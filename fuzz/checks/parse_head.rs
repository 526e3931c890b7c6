//! The checks of the `parse_head` fuzz target, shared by the fuzz target itself
//! (`fuzz/fuzz_targets/parse_head.rs`) and by `cargo test`, which replays every input in
//! `fuzz/seeds/parse_head/` through them (`crates/server-core/tests/fuzz_seeds.rs`).
//!
//! What the target checks: `parse_head` and `parse_chunk_size` on arbitrary bytes.
//!
//! Neither may panic, whatever the input; an accepted head must be usable (every accessor
//! works on it) and a refusal must carry a status in 400..=505. Each input is parsed twice,
//! with the default limits and with small ones, so that the 413, 414 and 431 paths are
//! reached by short inputs too.

use server_core::Limits;
use server_core::body::parse_chunk_size;
use server_core::request::parse_head;

/// Checks one input: panics when the code under test misbehaves on it.
pub fn check(data: &[u8]) {
    let small = Limits {
        max_request_line: 40,
        max_header_bytes: 120,
        max_headers: 4,
        max_body: 16,
    };
    for limits in [Limits::default(), small] {
        match parse_head(data, &limits) {
            Ok(head) => {
                assert!(!head.method.is_empty() && !head.target.is_empty());
                let _ = (head.path(), head.query(), head.request_line());
                for field in &head.headers {
                    assert_eq!(field.value_bytes().len(), field.value.chars().count());
                }
            }
            Err(error) => {
                assert!((400..=505).contains(&error.status()), "{error:?}");
                assert!(!error.to_string().is_empty());
            }
        }
    }
    if let Err(error) = parse_chunk_size(data) {
        assert_eq!(error.status(), 400, "{error:?}");
    }
}
