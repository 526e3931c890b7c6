//! Lesson 04: forms, uploads and cookies — a server that shows what a browser's form sends,
//! like the course's Python handler built on `cgi.FieldStorage` (and, with JSON, like its
//! `http.server` example that echoes path, query, body, form and cookies).
//!
//! Reading the form is the lesson's idea: `echo.rs`, on top of `server_core::form` (chapter 4).
//! This file wires the command line to it, and cleans the upload folder of the temporary
//! files that uploads cut off by a stop leave behind: at start (a previous run may have been
//! killed) and after a clean shutdown (Ctrl-C or SIGTERM: an upload still arriving when the
//! grace period ends is abandoned).

mod echo;
mod page;

use std::path::Path;

use clap::Parser;
use server_core::Server;
use server_core::access_log::log_message;
use server_core::cli::{self, ListenArgs, TuningArgs};
use server_core::form::{FormLimits, FormOptions, remove_leftover_temp_files};

/// The help heading of the form flags.
const FORMS: &str = "Forms and uploads";

/// Serve two forms and show, for any other request, what the server read from it.
#[derive(Parser)]
#[command(version, about, after_help = cli::SHARING_HELP)]
struct Args {
    #[command(flatten)]
    listen: ListenArgs,

    /// Folder the uploaded files are saved into (created if missing).
    #[arg(long, value_name = "DIR", default_value = "uploads", help_heading = FORMS)]
    upload_dir: std::path::PathBuf,

    /// Most fields in one form (413 past it).
    #[arg(long, value_name = "N", default_value_t = FormLimits::default().max_parts, help_heading = FORMS)]
    max_parts: usize,

    /// Largest text field in bytes (413 past it).
    #[arg(long, value_name = "BYTES", default_value_t = FormLimits::default().max_field_bytes, help_heading = FORMS)]
    max_field_size: u64,

    /// Largest uploaded file in bytes (413 past it).
    #[arg(long, value_name = "BYTES", default_value_t = FormLimits::default().max_file_bytes, help_heading = FORMS)]
    max_file_size: u64,

    #[command(flatten)]
    tuning: TuningArgs,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let listener =
        cli::bind(&args.listen, env!("CARGO_PKG_NAME")).unwrap_or_else(|e| cli::exit_with(e));
    let uploads = cli::writable_directory(&args.upload_dir, "--upload-dir")
        .unwrap_or_else(|e| cli::exit_with(e));
    remove_leftovers(&uploads, "at start");
    let limits = FormLimits {
        max_parts: args.max_parts,
        max_field_bytes: args.max_field_size,
        max_file_bytes: args.max_file_size,
        max_total_bytes: args.tuning.max_body,
        ..FormLimits::default()
    };
    // Temporary files live in the upload folder, so saving one is a hard link, not a copy.
    let options = FormOptions {
        limits,
        temp_dir: Some(uploads.clone()),
        ..FormOptions::default()
    };
    let config = args
        .tuning
        .to_config(concat!("lesson04-forms/", env!("CARGO_PKG_VERSION")));
    cli::announce(&listener, "HTTP", "http");
    println!("Uploads are saved in {}", uploads.display());
    let handler = echo::FormEcho::new(uploads.clone(), options);
    Server::new(listener, config, handler).run_until_ctrl_c();
    remove_leftovers(&uploads, "at shutdown");
}
// ANCHOR_END: main

/// Removes the temporary files of unfinished uploads from the upload folder and says in the
/// log how many there were, if any; `when` is "at start" or "at shutdown".
fn remove_leftovers(uploads: &Path, when: &str) {
    match remove_leftover_temp_files(uploads) {
        Ok(0) => {}
        Ok(count) => log_message(
            None,
            &format!(
                "{when}: removed {count} temporary file{} (.upload-*) of unfinished uploads \
                 from {}",
                if count == 1 { "" } else { "s" },
                uploads.display()
            ),
        ),
        Err(err) => log_message(
            None,
            &format!(
                "{when}: could not remove the temporary files (.upload-*) of unfinished \
                 uploads from {}: {err}",
                uploads.display()
            ),
        ),
    }
}
