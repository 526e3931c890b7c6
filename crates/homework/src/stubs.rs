//! Turns a reference solution into the learner's stub.
//!
//! The solution is the single source of truth; the learner's file is generated from it. Code
//! only the solution has is fenced by two marker lines (mdBook anchors, so the book hides them):
//!
//! ```text
//!     // ANCHOR: solution stub: todo!("split the line at single spaces")
//!     ...the solution's lines...
//!     // ANCHOR_END: solution
//! ```
//!
//! [`generate_stub`] replaces each fenced region, markers included, by one line: the text after
//! `stub:`, trimmed, at the marker's indentation. Every other line is copied byte for byte, line
//! endings and the file's last newline included. A region is opened by an anchor named exactly
//! `solution` (as mdBook reads anchor names, so `ANCHOR: solutions` is another anchor).

use std::fmt;

/// What opens a fenced region, up to the anchor name.
const START_MARKER: &str = "ANCHOR:";
/// What closes a fenced region, up to the anchor name.
const END_MARKER: &str = "ANCHOR_END:";
/// The anchor name of the regions that become stubs.
const REGION_NAME: &str = "solution";
/// What introduces the replacement text on an opening marker line.
const STUB_LABEL: &str = "stub:";

/// Why a solution file cannot be turned into a stub. Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StubError {
    /// A region is opened and never closed.
    Unterminated {
        /// The line of the `ANCHOR: solution` marker.
        opened_at: usize,
    },
    /// A region is opened inside another one.
    Nested {
        /// The line of the inner `ANCHOR: solution` marker.
        line: usize,
        /// The line of the marker of the region it is inside.
        outer_opened_at: usize,
    },
    /// An `ANCHOR_END: solution` with no open region before it.
    EndWithoutStart {
        /// The line of the `ANCHOR_END: solution` marker.
        line: usize,
    },
    /// An `ANCHOR: solution` marker without `stub:` text to put in its place.
    MissingStubText {
        /// The line of the marker.
        line: usize,
    },
}

impl fmt::Display for StubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StubError::Unterminated { opened_at } => write!(
                f,
                "line {opened_at}: `ANCHOR: solution` opens a region that is never closed \
                 (add `// ANCHOR_END: solution` after the solution's lines)"
            ),
            StubError::Nested {
                line,
                outer_opened_at,
            } => write!(
                f,
                "line {line}: `ANCHOR: solution` inside the region opened on line \
                 {outer_opened_at}; regions cannot be nested (close the first one before)"
            ),
            StubError::EndWithoutStart { line } => write!(
                f,
                "line {line}: `ANCHOR_END: solution` closes nothing (no `ANCHOR: solution` \
                 before it is still open)"
            ),
            StubError::MissingStubText { line } => write!(
                f,
                "line {line}: `ANCHOR: solution` needs the learner's replacement after `stub:`, \
                 e.g. `// ANCHOR: solution stub: todo!(\"what to write\")`"
            ),
        }
    }
}

impl std::error::Error for StubError {}

/// What a line of a solution file is, as far as stubs are concerned.
#[derive(Debug, PartialEq, Eq)]
enum Line<'a> {
    /// `ANCHOR: solution stub: TEXT`, with TEXT trimmed (empty when there is none).
    Start { stub: &'a str },
    /// `ANCHOR_END: solution`.
    End,
    /// Anything else.
    Other,
}

/// Builds the learner's stub from a solution's source; see the module documentation.
pub fn generate_stub(solution_source: &str) -> Result<String, StubError> {
    let mut stub = String::with_capacity(solution_source.len());
    // The line number of the marker of the region being dropped, if inside one.
    let mut open_region: Option<usize> = None;
    for (index, line) in solution_source.split_inclusive('\n').enumerate() {
        let number = index + 1;
        match (classify(line), open_region) {
            (Line::Start { .. }, Some(outer_opened_at)) => {
                return Err(StubError::Nested {
                    line: number,
                    outer_opened_at,
                });
            }
            (Line::Start { stub: "" }, None) => {
                return Err(StubError::MissingStubText { line: number });
            }
            (Line::Start { stub: text }, None) => {
                stub.push_str(indentation(line));
                stub.push_str(text);
                stub.push_str(line_ending(line));
                open_region = Some(number);
            }
            (Line::End, None) => return Err(StubError::EndWithoutStart { line: number }),
            (Line::End, Some(_)) => open_region = None,
            (Line::Other, Some(_)) => {}
            (Line::Other, None) => stub.push_str(line),
        }
    }
    match open_region {
        Some(opened_at) => Err(StubError::Unterminated { opened_at }),
        None => Ok(stub),
    }
}

/// Reads one line (with or without its line ending) as a marker or not.
fn classify(line: &str) -> Line<'_> {
    if let Some(rest) = after_marker(line, START_MARKER) {
        let stub = match rest.split_once(STUB_LABEL) {
            Some((_, text)) => text.trim(),
            None => "",
        };
        return Line::Start { stub };
    }
    if after_marker(line, END_MARKER).is_some() {
        return Line::End;
    }
    Line::Other
}

/// What follows `MARKER solution` on the line, when the line has that marker for that name.
fn after_marker<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let (_, after) = line.split_once(marker)?;
    let rest = after.trim_start().strip_prefix(REGION_NAME)?;
    // `solution` must be the whole anchor name, as mdBook reads it ([\w-]+).
    let continues_name = rest
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-');
    (!continues_name).then_some(rest)
}

/// The spaces and tabs a line starts with.
fn indentation(line: &str) -> &str {
    let width = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..width]
}

/// The line's ending: `\r\n`, `\n`, or nothing for a last line without one.
fn line_ending(line: &str) -> &str {
    if line.ends_with("\r\n") {
        "\r\n"
    } else if line.ends_with('\n') {
        "\n"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn a_region_becomes_its_stub_at_the_markers_indentation() {
        let solution = "\
pub fn parse(line: &str) -> Vec<&str> {
    // ANCHOR: solution stub: todo!(\"split the line at single spaces\")
    let parts = line.split(' ');
    parts.collect()
    // ANCHOR_END: solution
}
";
        let expected = "\
pub fn parse(line: &str) -> Vec<&str> {
    todo!(\"split the line at single spaces\")
}
";
        assert_eq!(generate_stub(solution).unwrap(), expected);
    }

    #[test]
    fn a_file_without_regions_is_copied_verbatim() {
        for source in [
            "",
            "\n",
            "fn main() {}\n",
            "no newline at the end",
            "a\r\nb\r\n",
        ] {
            assert_eq!(generate_stub(source).unwrap(), source, "{source:?}");
        }
    }

    #[test]
    fn several_regions_each_become_a_stub() {
        let solution = "\
fn a() -> u8 {
    // ANCHOR: solution stub: todo!(\"a\")
    1
    // ANCHOR_END: solution
}
// ANCHOR: solution stub: // write `b` here
fn b() {}
// ANCHOR_END: solution
";
        let expected = "\
fn a() -> u8 {
    todo!(\"a\")
}
// write `b` here
";
        assert_eq!(generate_stub(solution).unwrap(), expected);
    }

    #[test]
    fn the_files_last_newline_and_line_endings_are_kept() {
        let solution = "fn a() {\r\n\t// ANCHOR: solution stub: todo!()\r\n\tx\r\n\t// ANCHOR_END: solution\r\n}";
        assert_eq!(
            generate_stub(solution).unwrap(),
            "fn a() {\r\n\ttodo!()\r\n}"
        );
    }

    #[test]
    fn the_stub_text_is_trimmed_and_may_itself_mention_stub() {
        let solution = "  // ANCHOR: solution stub:   todo!(\"stub: later\")   \n  x\n  // ANCHOR_END: solution\n";
        assert_eq!(
            generate_stub(solution).unwrap(),
            "  todo!(\"stub: later\")\n"
        );
    }

    #[test]
    fn other_anchors_are_copied_verbatim() {
        let source = "// ANCHOR: exercise\n// ANCHOR: solutions_table stub: x\nfn a() {}\n// ANCHOR_END: solutions_table\n// ANCHOR_END: exercise\n";
        assert_eq!(generate_stub(source).unwrap(), source);
    }

    #[test]
    fn an_unterminated_region_names_its_opening_line() {
        let solution = "fn a() {\n    // ANCHOR: solution stub: todo!()\n    1\n}\n";
        let error = generate_stub(solution).unwrap_err();
        assert_eq!(error, StubError::Unterminated { opened_at: 2 });
        assert!(error.to_string().starts_with("line 2: "), "{error}");
    }

    #[test]
    fn a_nested_region_names_both_lines() {
        let solution =
            "// ANCHOR: solution stub: a\n\n// ANCHOR: solution stub: b\n// ANCHOR_END: solution\n";
        let error = generate_stub(solution).unwrap_err();
        assert_eq!(
            error,
            StubError::Nested {
                line: 3,
                outer_opened_at: 1
            }
        );
        assert!(error.to_string().contains("line 1"), "{error}");
    }

    #[test]
    fn an_end_without_a_start_is_refused() {
        let solution = "fn a() {}\n// ANCHOR_END: solution\n";
        assert_eq!(
            generate_stub(solution).unwrap_err(),
            StubError::EndWithoutStart { line: 2 }
        );
    }

    #[test]
    fn a_second_end_is_an_end_without_a_start() {
        let solution =
            "// ANCHOR: solution stub: a\n// ANCHOR_END: solution\n// ANCHOR_END: solution\n";
        assert_eq!(
            generate_stub(solution).unwrap_err(),
            StubError::EndWithoutStart { line: 3 }
        );
    }

    #[test]
    fn a_start_without_stub_text_is_refused() {
        for marker in [
            "// ANCHOR: solution",
            "// ANCHOR: solution stub:",
            "// ANCHOR: solution stub:   ",
        ] {
            let solution = format!("fn a() {{}}\n{marker}\nx\n// ANCHOR_END: solution\n");
            let error = generate_stub(&solution).unwrap_err();
            assert_eq!(error, StubError::MissingStubText { line: 2 }, "{marker:?}");
            assert!(error.to_string().contains("stub:"), "{error}");
        }
    }

    #[test]
    fn every_error_message_starts_with_its_line_number() {
        let errors = [
            StubError::Unterminated { opened_at: 7 },
            StubError::Nested {
                line: 7,
                outer_opened_at: 2,
            },
            StubError::EndWithoutStart { line: 7 },
            StubError::MissingStubText { line: 7 },
        ];
        for error in errors {
            assert!(error.to_string().starts_with("line 7: "), "{error}");
        }
    }
}
