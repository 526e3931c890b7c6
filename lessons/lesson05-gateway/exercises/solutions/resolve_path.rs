//! Exercise `resolve_path`: choose the code that answers a path, as the course's dispatcher
//! does.
//!
//! One gateway application serves many pages by looking at the path (`PATH_INFO`). The
//! course keeps an ordered list of (regular expression, handler) pairs, the routes:
//!
//! ```text
//! ^$                  books     "/"          → books()
//! ^book/(id[\d]+)$    book      "/book/id3"  → book("id3")
//! ```
//!
//! and `resolve_path` finds the handler of a path with the arguments to call it with. The
//! core's `server_core::gateway::Router` does this for lessons 06 and 07; chapter 5
//! (`book/src/ch05-gateway.md`) shows it at work. Here you write it yourself.
//!
//! You write [`resolve_path`]:
//!
//! 1. Strip every leading `/` from the path: the patterns are written without it, so
//!    `/book/id3` is matched as `book/id3`, and `/` as the empty text.
//! 2. Try the routes in order. The first pattern that matches wins, even when a later one
//!    would match too.
//! 3. A pattern matches as Python's `re.match` does: at the *start* of the path, but not
//!    necessarily up to its end — a pattern that means the whole path ends in `$`. The
//!    `regex` crate searches anywhere in the text (it finds `dog` in `hotdog`), so make sure
//!    the match starts at the beginning: `cat|dog` must not match `hotdog`, and `book` must
//!    not match `my/book`.
//! 4. The arguments are the pattern's capture groups, in order — not the whole match. A group
//!    that took no part in the match (the `(/\w+)?` of `^hello(/\w+)?$` for `/hello`) gives
//!    `""`, so there are always as many arguments as the pattern has groups.
//! 5. When no pattern matches, the answer is [`ResolveError::NotFound`]: the server answers
//!    404 (the course raises `NameError`). A pattern that is not a valid regular expression
//!    is [`ResolveError::BadPattern`] holding that pattern, never a panic: Python's
//!    `re.match` raises `re.error` for it in the same way, when the route is reached.
//!
//! The handler can be anything you can copy: a function (`fn(&[&str]) -> String`), or, in the
//! tests, just a name. Compiling each pattern on every call keeps the exercise short; the
//! core's `Router` compiles its patterns once, when the routes are made.

use std::fmt;

// ANCHOR: exercise
/// Why a path has no handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// No pattern matches the path: 404 Not Found.
    NotFound,
    /// This pattern is not a valid regular expression: a bug in the routes, not in the request.
    BadPattern(String),
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::NotFound => f.write_str("no route matches the path"),
            ResolveError::BadPattern(pattern) => {
                write!(
                    f,
                    "the route pattern {pattern:?} is not a valid regular expression"
                )
            }
        }
    }
}

impl std::error::Error for ResolveError {}

/// The handler of the first route whose pattern matches `path` (without its leading `/`s) at
/// its start, with the groups the pattern captured as arguments.
pub fn resolve_path<'p, H: Copy>(
    routes: &[(&str, H)],
    path: &'p str,
) -> Result<(H, Vec<&'p str>), ResolveError> {
    // ANCHOR: solution stub: todo!("strip the leading /s, then try each pattern in order, matching at the start")
    let path = path.trim_start_matches('/');
    for &(pattern, handler) in routes {
        let regex = regex::Regex::new(pattern)
            .map_err(|_| ResolveError::BadPattern(pattern.to_string()))?;
        // `captures` finds the leftmost match: when a match starts at 0, it is that one.
        let Some(captures) = regex.captures(path) else {
            continue;
        };
        if captures.get(0).is_some_and(|whole| whole.start() == 0) {
            let args = captures
                .iter()
                .skip(1)
                .map(|group| group.map_or("", |group| group.as_str()))
                .collect();
            return Ok((handler, args));
        }
    }
    Err(ResolveError::NotFound)
    // ANCHOR_END: solution
}
// ANCHOR_END: exercise
