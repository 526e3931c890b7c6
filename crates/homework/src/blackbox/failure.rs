//! Why a black-box check failed, in plain words: the one type every check returns.
//!
//! It sits below everything else of the black-box checks — the client reports a connection
//! that failed with it, and [`super::expect`] a response that broke an expectation — so that
//! the modules import each other in one direction only.

/// Why a check failed: what went wrong and, when two values were compared, both of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, in plain words.
    pub message: String,
    /// What a correct server sends, when the failure compared two values.
    pub expected: Option<String>,
    /// What this server sent, when the failure compared two values.
    pub got: Option<String>,
}

impl Failure {
    /// A failure that is only a message (nothing to compare).
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            expected: None,
            got: None,
        }
    }

    /// A failure comparing what a correct server sends with what this one sent.
    pub fn comparing(
        message: impl Into<String>,
        expected: impl Into<String>,
        got: impl Into<String>,
    ) -> Failure {
        Failure {
            message: message.into(),
            expected: Some(expected.into()),
            got: Some(got.into()),
        }
    }

    /// The same failure, its message preceded by `context` (say, which of two requests).
    pub fn in_context(mut self, context: &str) -> Failure {
        self.message = format!("{context}: {}", self.message);
        self
    }
}
