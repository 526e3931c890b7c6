//! Serving a directory (being written: see issue 2).

use std::path::PathBuf;

use crate::{Request, RequestBody, Response};

/// A handler that serves the files under `root`.
pub struct StaticFiles {
    root: PathBuf,
}

impl StaticFiles {
    /// Serves `root`, which should be canonical (see `cli::check_directory`).
    pub fn new(root: PathBuf) -> Self {
        StaticFiles { root }
    }
}

impl crate::Handler for StaticFiles {
    fn handle(&self, _request: &Request, _body: &mut RequestBody<'_>) -> Response {
        let _ = &self.root;
        Response::error_page(404, "File not found")
    }
}
