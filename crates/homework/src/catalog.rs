//! Every lesson and exercise the checker knows, in one place.
//!
//! Adding an exercise is one entry here plus its files (see the crate documentation for the
//! file layout); adding a lesson is one [`Lesson`] entry. Nothing else in the checker names a
//! lesson or an exercise.

/// One step of the course, as the checker sees it.
#[derive(Debug)]
pub struct Lesson {
    /// Short name used on the command line: `lesson02`.
    pub id: &'static str,
    /// The Cargo package holding its binary, exercises and exercise tests: `lesson02-http`.
    pub package: &'static str,
    /// A title for listings.
    pub title: &'static str,
    /// The book chapter that explains it, relative to `book/src/`.
    pub chapter: &'static str,
    /// The exercises, in the order the chapter introduces them.
    pub exercises: &'static [Exercise],
    /// How to start a server for the black-box checks (shown by `check --url`).
    pub serve_hint: &'static str,
}

/// One function (or small program) the learner writes.
#[derive(Debug)]
pub struct Exercise {
    /// Name used on the command line and as the module of its tests: `request_line`.
    pub name: &'static str,
    /// What the learner writes, in one line.
    pub summary: &'static str,
    /// A nudge for a learner who is stuck; never the answer.
    pub hint: &'static str,
    /// Plausible wrong answers its tests must catch (`verify` tries each).
    pub mutants: &'static [Mutant],
}

/// A plausible wrong answer to an exercise: its solution with one piece of text replaced.
/// `verify` puts it in the learner's file and expects the exercise's tests to fail; tests
/// that only fail on `todo!()` would let a learner's real mistakes through.
#[derive(Debug)]
pub struct Mutant {
    /// Text that occurs exactly once in the solution file.
    pub find: &'static str,
    /// What it becomes in the mutant (it must still compile).
    pub replace: &'static str,
    /// The learner's mistake it stands for, in a few words.
    pub mistake: &'static str,
}

impl Lesson {
    /// The package directory, relative to the workspace root: `lessons/lesson02-http`.
    pub fn dir(&self) -> String {
        format!("lessons/{}", self.package)
    }

    /// The learner's file of an exercise: `lessons/lesson02-http/exercises/request_line.rs`.
    pub fn exercise_file(&self, exercise: &Exercise) -> String {
        format!("{}/exercises/{}.rs", self.dir(), exercise.name)
    }

    /// The reference solution of an exercise: `.../exercises/solutions/request_line.rs`.
    pub fn solution_file(&self, exercise: &Exercise) -> String {
        format!("{}/exercises/solutions/{}.rs", self.dir(), exercise.name)
    }
}

/// The course, in order.
pub static LESSONS: &[Lesson] = &[
    Lesson {
        id: "lesson01",
        package: "lesson01-echo",
        title: "Raw TCP: the bytes of a request",
        chapter: "ch01-raw-tcp.md",
        serve_hint: "cargo run -p lesson01-echo -- 8001",
        exercises: &[
            Exercise {
                name: "head_end",
                summary: "find where a request's head ends: its first empty line",
                hint: "Think in lines: each ends at a LF, and a line is empty when nothing, or \
                       only a CR, stands before its LF. An empty line before the request line \
                       is not the end. Stay with the bytes: the answer counts bytes, and \
                       header values need not be UTF-8.",
                mutants: &[Mutant {
                    find: "let empty = line.is_empty() || line == b\"\\r\";",
                    replace: "let empty = line.is_empty();",
                    mistake: "a line ending in CRLF is never taken for empty",
                }],
            },
            Exercise {
                name: "hello_response",
                summary: "build a complete HTTP/1.1 response for any body, by hand",
                hint: "A status line, three header lines and an empty line, each ending in \
                       \\r\\n, then the body exactly as given. Content-Length counts bytes, not \
                       characters: how long is \"héllo\" in UTF-8?",
                mutants: &[Mutant {
                    find: "length = body.len(),",
                    replace: "length = body.chars().count(),",
                    mistake: "Content-Length counts characters instead of bytes",
                }],
            },
        ],
    },
    Lesson {
        id: "lesson02",
        package: "lesson02-http",
        title: "HTTP/1.1: parsing requests and serving files",
        chapter: "ch02-http.md",
        serve_hint: "cargo run -p lesson02-http -- 8002 -d crates/homework/fixtures/lesson02",
        exercises: &[
            Exercise {
                name: "request_line",
                summary: "split a request line into method, path, query and version, strictly",
                hint: "Split at every single space, not at runs of whitespace, and insist on \
                       exactly three parts; then check each part in turn (is_tchar is there for \
                       the method). Read the version byte by byte rather than parsing numbers: \
                       \"+1\".parse::<u8>() is Ok(1).",
                mutants: &[Mutant {
                    find: "let parts: Vec<&str> = line.split(' ').collect();",
                    replace: "let parts: Vec<&str> = line.split_whitespace().collect();",
                    mistake: "runs of spaces and tabs split the line like single spaces",
                }],
            },
            Exercise {
                name: "safe_path",
                summary: "percent-decode a URL path, then make it a safe relative file path",
                hint: "Get percent_decode right first: a '%' counts only when two hex digits \
                       follow it. Then decode the whole path before splitting it on '/', so that \
                       %2f and %2e%2e are seen as what they become, and make text of a segment \
                       only once its bytes have passed the checks.",
                mutants: &[Mutant {
                    find: "b\"..\" => return Err(Refusal::ParentSegment),",
                    replace: "b\"..\" => continue,",
                    mistake: "a `..` segment is dropped instead of refused",
                }],
            },
            Exercise {
                name: "listing_entry",
                summary: "render one directory-listing line with a safe link and escaped text",
                hint: "Two different encodings of one name: the href is percent-encoded byte by \
                       byte, in uppercase hex (keep only letters, digits and - . _ ~), the \
                       visible text is HTML-escaped (& < > \" '), each character once. A \
                       directory's '/' is added after encoding.",
                mutants: &[Mutant {
                    find: "'<' => text.push_str(\"&lt;\"),",
                    replace: "'<' => text.push('<'),",
                    mistake: "`<` in a name is not escaped",
                }],
            },
        ],
    },
    Lesson {
        id: "lesson03",
        package: "lesson03-cgi",
        title: "CGI: running scripts behind the server",
        chapter: "ch03-cgi.md",
        serve_hint: "cargo run -p lesson03-cgi -- 8003",
        exercises: &[
            Exercise {
                name: "cgi_env",
                summary: "turn a request into a CGI script's environment variables",
                hint: "A sorted map is the easy way to end sorted and to merge a header sent \
                       twice. Compare header names without regard to case, and decide whether \
                       a header may pass before you rename it: once renamed, X_Forwarded_For \
                       and X-Forwarded-For look the same. Which variables need a body, and \
                       which one must exist even when it is empty?",
                mutants: &[Mutant {
                    find: "LEFT_OUT.iter().any(|left| name.eq_ignore_ascii_case(left))",
                    replace: "LEFT_OUT[1..].iter().any(|left| name.eq_ignore_ascii_case(left))",
                    mistake: "a `Proxy` header becomes HTTP_PROXY (httpoxy)",
                }],
            },
            Exercise {
                name: "cgi_response",
                summary: "split a script's output into its status, header fields and body",
                hint: "Take one line at a time up to the first empty one, remembering a CR may \
                       stand before each LF; what follows is the body, untouched. Check each \
                       line as you read it, so errors name the right line, but decide the \
                       status only at the end: a Location may come before the Status that \
                       overrides it.",
                mutants: &[Mutant {
                    find: "Some(target) if target.starts_with('/') => return Err(CgiError::LocalRedirect),",
                    replace: "",
                    mistake: "a local redirect (`Location: /path`) is answered as a client redirect",
                }],
            },
            Exercise {
                name: "env_table",
                summary: "show the CGI environment as an HTML table, sorted by name and escaped",
                hint: "Copy the slice into a Vec so that you can sort it: tuples sort by their \
                       first element first, and str sorts byte by byte, capitals before small \
                       letters. Then one line per variable. Everything in the table came from \
                       the request or the server, so both the name and the value go through \
                       escape() on their way in.",
                mutants: &[
                    Mutant {
                        find: "escape(value)",
                        replace: "value.to_string()",
                        mistake: "values are put in the page unescaped",
                    },
                    Mutant {
                        find: "sorted.sort_unstable();",
                        replace: "",
                        mistake: "the rows keep the order the variables came in",
                    },
                ],
            },
            Exercise {
                name: "adding_machine",
                summary: "add up every `operand` of a query string, or name the values that are no numbers",
                hint: "Form::from_query does the decoding, and all(\"operand\") gives every \
                       value in order. Trim, skip what is blank, and let i64's parse decide \
                       what a whole number is. Keep going after a bad value, so that the \
                       refusal can name them all, and add in an i128: what is \
                       9223372036854775807 + 1 in an i64?",
                mutants: &[
                    Mutant {
                        find: "Err(_) => not_numbers.push(value.to_string()),",
                        replace: "Err(_) => return Err(Refusal::NotWholeNumbers(vec![value.to_string()])),",
                        mistake: "the refusal names only the first bad value",
                    },
                    Mutant {
                        find: "let value = value.trim_matches([' ', '\\t']);",
                        replace: "let value = value.trim_matches(' ');",
                        mistake: "tabs around a value are not trimmed",
                    },
                ],
            },
        ],
    },
    Lesson {
        id: "lesson04",
        package: "lesson04-forms",
        title: "Forms, uploads and cookies",
        chapter: "ch04-forms.md",
        serve_hint: "cargo run -p lesson04-forms -- 8004",
        exercises: &[
            Exercise {
                name: "query_pairs",
                summary: "decode a query string or urlencoded form into names with all their values",
                hint: "Decode bytes first and make text last: collect the decoded bytes in a \
                       Vec<u8>, and only a '%' with two hex digits after it is an escape. Split \
                       the fields before decoding anything, or an encoded & or = would split \
                       them wrongly. Where does a repeated name's second value go, and what \
                       does a piece with no '=' mean?",
                mutants: &[Mutant {
                    find: "decoded.push(b' ');",
                    replace: "decoded.push(b'+');",
                    mistake: "`+` is kept instead of becoming a space",
                }],
            },
            Exercise {
                name: "multipart_parts",
                summary: "split a multipart/form-data body into its parts at the boundary",
                hint: "The CR LF before `--boundary` belongs to the delimiter, not to the part \
                       before it. Only the first delimiter may come without one: could you make \
                       it look like the others? After a delimiter, look at the next bytes: `--` \
                       ends the body, the end of the line starts a part, anything else was \
                       data. Each part is split at its first empty line; its content is bytes, \
                       never text.",
                mutants: &[Mutant {
                    find: "|| boundary.len() > 70",
                    replace: "|| boundary.len() > 700",
                    mistake: "a boundary longer than 70 characters is accepted",
                }],
            },
            Exercise {
                name: "cookie_pairs",
                summary: "read a Cookie header into its name=value pairs, in order",
                hint: "Split first at ';', then each piece at its first '=' only. Trim before \
                       you judge a piece: ' ' is as empty as ''. Quotes come off a value only \
                       when it starts and ends with one, and nothing is ever merged or sorted: \
                       the same name may come twice.",
                mutants: &[Mutant {
                    find: "piece.split_once('=')",
                    replace: "piece.rsplit_once('=')",
                    mistake: "a cookie is split at its last `=` instead of its first",
                }],
            },
        ],
    },
    Lesson {
        id: "lesson05",
        package: "lesson05-gateway",
        title: "A gateway interface: WSGI in Rust",
        chapter: "ch05-gateway.md",
        serve_hint: "cargo run -p lesson05-gateway -- 8005",
        exercises: &[
            Exercise {
                name: "resolve_path",
                summary: "find the handler of a path in ordered regex routes, with its captured arguments",
                hint: "Strip the slashes first, then go through the routes in order and stop at \
                       the first that matches. The regex crate finds a match anywhere in the text, \
                       but a route only counts when its match starts at the very beginning: where \
                       does the match you found start? Regex::new returns a Result; captures.iter() \
                       gives every group, the whole match first.",
                mutants: &[Mutant {
                    find: "if captures.get(0).is_some_and(|whole| whole.start() == 0) {",
                    replace: "if captures.get(0).is_some() {",
                    mistake: "a pattern may match anywhere in the path, not only at its start",
                }],
            },
            Exercise {
                name: "environ_page",
                summary: "fill the environment page's two tables from the environ, escaped",
                hint: "Two loops. The first goes through SHOWN in its order and looks each key up \
                       among the variables: a key that is missing and a key whose value is empty \
                       both show NOT_SET. The second sorts a copy of the variables and writes \
                       every one. Whatever came from the environ passes through escape(); the \
                       labels and NOT_SET are the page's own markup.",
                mutants: &[
                    Mutant {
                        find: "Some(value) if !value.is_empty() => escape(value),",
                        replace: "Some(value) => escape(value),",
                        mistake: "an empty value shows an empty cell instead of (not set)",
                    },
                    Mutant {
                        find: "escape(name),",
                        replace: "name,",
                        mistake: "the names in the table of every variable are not escaped",
                    },
                ],
            },
        ],
    },
    Lesson {
        id: "lesson06",
        package: "lesson06-books",
        title: "The book list: dispatch, templates and escaping",
        chapter: "ch06-books.md",
        serve_hint: "cargo run -p lesson06-books -- 8006",
        exercises: &[Exercise {
            name: "book_detail",
            summary: "render one book's page: its fields escaped, in the shared template",
            hint: "Three outcomes: a page, NotFound for an id the database does not know, and \
                   Internal for a record that lacks a field. Escape every value from the \
                   database once, as it goes into the HTML; page() escapes the title itself, \
                   so give it the raw one.",
            mutants: &[Mutant {
                find: "escape(field(name)?)",
                replace: "field(name)?",
                mistake: "the book's fields are put in the page unescaped",
            }],
        }],
    },
    Lesson {
        id: "lesson07",
        package: "lesson07-calculator",
        title: "The calculator: reading a request from its path",
        chapter: "ch07-calculator.md",
        serve_hint: "cargo run -p lesson07-calculator -- 8007",
        exercises: &[Exercise {
            name: "calculate",
            summary: "compute add, subtract, multiply or divide of two 64-bit operands, or say why not",
            hint: "Check the operation first, then the shape of each operand (a sign, then 1 to \
                   19 digits) before parsing it. The checked_ methods of i64 return None \
                   instead of overflowing; what does i64::MIN / -1 give? A division that does \
                   not come out even is rounded in integers: multiply the numerator by \
                   10^10 in i128 first, then look at twice the remainder.",
            mutants: &[Mutant {
                find: "if 2 * (numerator % divisor) >= divisor {",
                replace: "if 2 * (numerator % divisor) > divisor {",
                mistake: "a half is rounded down instead of away from zero",
            }],
        }],
    },
    Lesson {
        id: "lesson08",
        package: "lesson08-tls",
        title: "HTTPS: certificates, TLS versions and ALPN",
        chapter: "ch08-tls.md",
        serve_hint: "cargo run -p lesson08-tls -- 8443 --write-cert /tmp/lesson08.pem",
        exercises: &[Exercise {
            name: "server_config",
            summary: "build a rustls ServerConfig from PEM files, with TLS 1.2 as the minimum",
            hint: "Read first, then build. pem_slice_iter gives every certificate (collect \
                   the Results, and an empty chain is no certificate too); from_pem_slice \
                   finds a key in any of the three forms. Then follow the builder's order: \
                   provider, versions, client auth, certificate. Which rustls::Error means \
                   the key is not the certificate's? ALPN names are bytes, set on the config \
                   after it is built.",
            mutants: &[Mutant {
                find: "config.alpn_protocols = vec![HTTP_1_1.to_vec()];",
                replace: "",
                mistake: "no ALPN protocol is offered",
            }],
        }],
    },
];

/// Finds a lesson by id (`lesson02`), number (`2`, `02`) or package name (`lesson02-http`).
pub fn find_lesson(name: &str) -> Option<&'static Lesson> {
    let wanted = name.trim().to_ascii_lowercase();
    let as_id = match wanted.parse::<u32>() {
        Ok(number) => format!("lesson{number:02}"),
        Err(_) => wanted.clone(),
    };
    LESSONS
        .iter()
        .find(|lesson| lesson.id == as_id || lesson.package == wanted)
}

/// Finds an exercise by name, with its lesson; `lesson02/request_line` also works.
pub fn find_exercise(name: &str) -> Option<(&'static Lesson, &'static Exercise)> {
    let (lesson_part, exercise_part) = match name.split_once('/') {
        Some((lesson, exercise)) => (Some(lesson), exercise),
        None => (None, name),
    };
    LESSONS
        .iter()
        .filter(|lesson| {
            lesson_part.is_none_or(|l| find_lesson(l).is_some_and(|f| f.id == lesson.id))
        })
        .flat_map(|lesson| {
            lesson
                .exercises
                .iter()
                .map(move |exercise| (lesson, exercise))
        })
        .find(|(_, exercise)| exercise.name == exercise_part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lessons_are_found_by_any_of_their_names() {
        for name in ["lesson02", "2", "02", "lesson02-http", "LESSON02"] {
            assert_eq!(find_lesson(name).map(|l| l.id), Some("lesson02"), "{name}");
        }
        assert!(find_lesson("lesson99").is_none());
    }

    #[test]
    fn exercises_are_found_with_or_without_their_lesson() {
        let (lesson, exercise) = find_exercise("request_line").unwrap();
        assert_eq!((lesson.id, exercise.name), ("lesson02", "request_line"));
        assert!(find_exercise("lesson02/request_line").is_some());
        assert!(find_exercise("lesson01/request_line").is_none());
        assert!(find_exercise("nothing").is_none());
    }

    #[test]
    fn exercise_names_are_unique_across_the_course() {
        let mut names: Vec<&str> = LESSONS
            .iter()
            .flat_map(|l| l.exercises.iter().map(|e| e.name))
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
    }

    /// The `.rs` file names (without `.rs`) directly in `dir`, sorted.
    fn rust_files(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(Result::ok)
            .filter(|entry| entry.path().is_file())
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".rs").map(str::to_string)
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_catalog_names_exactly_the_exercises_on_disk() {
        let root = crate::workspace::workspace_root();
        for lesson in LESSONS {
            let mut named: Vec<String> = lesson.exercises.iter().map(|e| e.name.into()).collect();
            named.sort();
            let dir = root.join(lesson.dir());
            for place in ["exercises", "exercises/solutions", "tests/exercises"] {
                assert_eq!(
                    rust_files(&dir.join(place)),
                    named,
                    "{}/{place}",
                    lesson.dir()
                );
            }
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
            for name in &named {
                let target =
                    format!("[[test]]\nname = \"{name}\"\npath = \"tests/exercises/{name}.rs\"\n");
                assert!(
                    manifest.contains(&target),
                    "{}: no {target}",
                    lesson.package
                );
            }
            assert_eq!(
                manifest.matches("[[test]]").count(),
                named.len(),
                "{}: a test target that is not an exercise",
                lesson.package
            );
        }
    }

    #[test]
    fn every_exercise_has_a_mutant_whose_text_is_once_in_its_solution() {
        let root = crate::workspace::workspace_root();
        for lesson in LESSONS {
            for exercise in lesson.exercises {
                assert!(
                    !exercise.mutants.is_empty(),
                    "{} has no mutant",
                    exercise.name
                );
                let solution =
                    std::fs::read_to_string(root.join(lesson.solution_file(exercise))).unwrap();
                for mutant in exercise.mutants {
                    assert_eq!(
                        solution.matches(mutant.find).count(),
                        1,
                        "{}: {:?}",
                        exercise.name,
                        mutant.find
                    );
                    assert_ne!(mutant.find, mutant.replace, "{}", exercise.name);
                }
            }
        }
    }
}
