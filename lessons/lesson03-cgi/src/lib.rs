//! Lesson 03: a CGI/1.1 host, and CGI programs written in Rust.
//!
//! The host itself — routing `cgi-bin/` paths, the meta-variables, running scripts with
//! pipes, checking their output — is reusable, so it lives in `server_core::cgi`; chapter 3
//! (`book/src/ch03-cgi.md`) walks through it. This package adds the command line
//! (`src/main.rs`) and [`rust_cgi`], the programs the same binary runs with
//! `--cgi-program NAME`.

pub mod rust_cgi;
