//! Exercise `env_table`: the course's in-class exercise I — the CGI environment as an HTML
//! table.
//!
//! A CGI script knows its request only through its environment (RFC 3875 §4.1), so the first
//! thing the course has a learner write is a page that shows that environment. The finished
//! Python page is `cgi-bin/env`; the same exercise in Python, for you to fill in, is
//! `cgi-bin/exercises/env_table`. Here you write the part that matters, as a pure function:
//! the variables go in, the table comes out. `examples/exercise_programs.rs` is the real CGI
//! program around it (`cgi-bin/exercises/env_table-rust` runs it), so once this passes, the
//! page your function builds is the one a browser gets.
//!
//! You write [`env_table`]:
//!
//! ```text
//! <table>
//! <tr><th>Name</th><th>Value</th></tr>
//! <tr><td>NAME</td><td>VALUE</td></tr>
//! ...one row per variable...
//! </table>
//! ```
//!
//! - one line per row, each ending in `\n`, the header row first;
//! - the rows sorted by name, byte by byte (as `str`'s `Ord` and Python's `sorted()` sort:
//!   `PATH` before `QUERY_STRING` before `lang`), whatever order the variables came in;
//! - every name and every value HTML-escaped with [`escape`]: a value such as
//!   `<script>` comes from the request, so it must show as text and never run;
//! - an empty value is an empty cell; nothing is trimmed or decoded.
//!
//! The names of an environment are unique, so ties in the sort do not happen.

use server_core::html::escape;

// ANCHOR: exercise
/// The CGI variables `(name, value)` as an HTML table, one row per variable, sorted by
/// name, everything escaped.
pub fn env_table(variables: &[(&str, &str)]) -> String {
    // ANCHOR: solution stub: todo!("sort the variables by name, then write one escaped row for each")
    let mut sorted = variables.to_vec();
    sorted.sort_unstable();
    let mut table = String::from("<table>\n<tr><th>Name</th><th>Value</th></tr>\n");
    for (name, value) in sorted {
        table.push_str(&format!(
            "<tr><td>{}</td><td>{}</td></tr>\n",
            escape(name),
            escape(value)
        ));
    }
    table.push_str("</table>\n");
    table
    // ANCHOR_END: solution
}
// ANCHOR_END: exercise
