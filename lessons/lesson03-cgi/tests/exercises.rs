//! Homework checks of lesson 03: one module per exercise in `lessons/lesson03-cgi/exercises/`.
//!
//! Every test is ignored by default, so `cargo test --workspace` stays green while the
//! exercises are still stubs. Run them with `cargo run -p homework -- check lesson03`, which
//! explains each failure and gives a hint; `cargo test -p lesson03-cgi --test exercises --
//! --include-ignored` runs them directly, and `--features reference` runs them against the
//! reference solutions in `exercises/solutions/`.

#[path = "exercises/cgi_env.rs"]
mod cgi_env;
#[path = "exercises/cgi_response.rs"]
mod cgi_response;
