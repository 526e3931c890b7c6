//! Which requests run a script, and which script (RFC 3875 §3.3, §4.1.5, §4.1.13).
//!
//! What it teaches: a CGI host serves two kinds of URL from one directory — files, which are
//! sent as they are, and scripts, which are *run*. Mixing them up in one direction runs a
//! file nobody meant to run; in the other it sends a script's source code, with whatever
//! passwords it holds, to anyone who asks. Chapter 3 shows both mistakes.
//!
//! [`classify`] decides, from the path alone, with the decoder of the static file server
//! ([`relative_path`]), so both handlers always agree on what a path means:
//! - a path is a script path when its first decoded segment is `cgi-bin` or `htbin` (Python's
//!   two script folders), compared after lower-casing and removing trailing dots and spaces.
//!   Every spelling of that folder — `/cgi-bin%2fx`, `//cgi-bin/x`, `/./cgi-bin/x`,
//!   `/CGI-BIN/x` (one file on a case-insensitive disk), `/cgi-bin./x` and `/cgi-bin%20/x`
//!   (one file on Windows shares) — is therefore a script path and never reaches the static
//!   file server;
//! - the segments after the folder are kept, decoded, with `.` and empty segments left out
//!   and a trailing `/` remembered; which of them is the script is for the disk to say;
//! - a path the decoder refuses (`..`, a backslash, a NUL) is a 404 whatever it starts
//!   with; so is a script path with a segment that is not UTF-8, since its parts become the
//!   text of `SCRIPT_NAME` and `PATH_INFO` (a *file* with such a name is served as usual).
//!
//! [`resolve_script`] then finds the script's file, always inside the canonical folder name
//! (`cgi-bin`, whatever the spelling). Scripts may live in folders below it, and the script
//! is found as CPython's `run_cgi` finds it ([`script_index`]): walk down the segments while
//! the next one is a directory and something follows it; the first that is not a directory
//! is the script, and the segments after it are `PATH_INFO` (§4.1.5), with a trailing `/`
//! kept. So `/cgi-bin/sub/env/a` runs `cgi-bin/sub/env` with `SCRIPT_NAME` `/cgi-bin/sub/env`
//! and `PATH_INFO` `/a`. Every directory on the way is checked like a file: one reached
//! through a symbolic link that leads outside the served directory ends the walk, and then
//! the script's own check refuses it. A missing script, or a symbolic link that leads outside
//! the served directory, is 404 ([`inside_root`], as for files); `/cgi-bin/` itself, a
//! directory, something that is not a regular file, or a file without the execute permission
//! is 403. The permission checked is the one of the user the script will run as. The 403 for
//! the folder itself names the folder's `index` script when there is one that can run, so
//! its page can link a learner on to the list of scripts.

use std::fmt;
use std::fs::{self, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

use super::RunAs;
use super::env::ScriptTarget;
use crate::static_files::{NotFound, inside_root, relative_path, without_fragment};

/// The folders whose files are run instead of sent, as `python3 -m http.server --cgi` has them.
pub const SCRIPT_DIRECTORIES: [&str; 2] = ["cgi-bin", "htbin"];

/// What a request path asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A file or directory: the static file server answers.
    Static,
    /// Something under a script folder: a script runs, or the request is refused.
    Script(ScriptPath),
}

/// A path under a script folder, split into its parts (still only names, not files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptPath {
    /// The script folder in its canonical spelling, one of [`SCRIPT_DIRECTORIES`].
    pub directory: &'static str,
    /// The decoded segments after the folder: folders below it, the script's file name, then
    /// `PATH_INFO`. Which is which only the disk can say ([`script_index`]).
    pub segments: Vec<String>,
    /// The path ended with `/` after at least one segment, which `PATH_INFO` keeps.
    pub trailing_slash: bool,
}

impl ScriptPath {
    /// The relative path of the segment at `index` and the folders above it:
    /// `cgi-bin/sub/env` for `/cgi-bin/sub/env/a` and index 1.
    pub fn file_path(&self, index: usize) -> PathBuf {
        let mut path = PathBuf::from(self.directory);
        path.extend(&self.segments[..=index]);
        path
    }

    /// `SCRIPT_NAME` when the script is the segment at `script`: the script's URL path,
    /// decoded and canonical, `/cgi-bin/sub/env`.
    pub fn script_name(&self, script: usize) -> String {
        format!("/{}/{}", self.directory, self.segments[..=script].join("/"))
    }

    /// `PATH_INFO` when the script is the segment at `script`: `/a/b` for
    /// `/cgi-bin/env/a/b`, `/` for `/cgi-bin/env/`, `None` when nothing follows the script.
    pub fn path_info(&self, script: usize) -> Option<String> {
        let after = &self.segments[script + 1..];
        if after.is_empty() {
            return self.trailing_slash.then(|| "/".to_string());
        }
        let mut info = format!("/{}", after.join("/"));
        if self.trailing_slash {
            info.push('/');
        }
        Some(info)
    }
}

// ANCHOR: classify
/// Decides whether a raw (still percent-encoded) request path — without its query, as
/// [`crate::RequestHead::path`] gives it — is a script path.
pub fn classify(raw_path: &str) -> Result<Route, NotFound> {
    let raw_path = without_fragment(raw_path);
    let relative = relative_path(raw_path)?;
    let mut segments = relative.components().filter_map(|part| match part {
        Component::Normal(name) => Some(name),
        _ => None,
    });
    // A first segment that is not UTF-8 cannot be a script folder: a file, for the file server.
    let Some(directory) = segments
        .next()
        .and_then(|first| first.to_str())
        .and_then(script_directory)
    else {
        return Ok(Route::Static);
    };
    // Below a script folder every segment becomes text (`SCRIPT_NAME`, `PATH_INFO`).
    let segments: Vec<String> = segments
        .map(|name| name.to_str().map(str::to_string).ok_or(NotFound::NotUtf8))
        .collect::<Result<_, _>>()?;
    let trailing_slash = !segments.is_empty() && ends_with_slash(raw_path);
    Ok(Route::Script(ScriptPath {
        directory,
        segments,
        trailing_slash,
    }))
}

/// The canonical name of a script folder, if `segment` is one in any spelling.
pub fn script_directory(segment: &str) -> Option<&'static str> {
    let folded = segment.to_lowercase();
    let folded = folded.trim_end_matches(['.', ' ']);
    SCRIPT_DIRECTORIES.into_iter().find(|dir| *dir == folded)
}
// ANCHOR_END: classify

/// True when the raw path ends with `/`, written plainly or as `%2F`.
fn ends_with_slash(raw_path: &str) -> bool {
    let bytes = raw_path.as_bytes();
    raw_path.ends_with('/')
        || bytes.len() >= 3 && bytes[bytes.len() - 3..].eq_ignore_ascii_case(b"%2f")
}

/// Why a script path cannot be run. Each says what the client is answered and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptRefusal {
    /// The path names the script folder but no script in it (403). A folder is never listed,
    /// but the page can point to the folder's own `index` script, which lists what it wants.
    NoScriptName {
        /// The URL of the folder's `index` script (`/cgi-bin/index`), when one can be run.
        index: Option<String>,
    },
    /// Nothing runnable by that name exists in the served directory (404); see [`NotFound`].
    NotFound(NotFound),
    /// The name belongs to a directory (403).
    Directory,
    /// The name belongs to a pipe, socket or device (403).
    NotARegularFile,
    /// The file lacks the execute permission for the user scripts run as (403).
    NotExecutable {
        /// Who would run it, for the message: `the server's user` or `uid 65534 (gid 65534)`.
        runner: String,
    },
}

impl ScriptRefusal {
    /// The status the client is answered with.
    pub fn status(&self) -> u16 {
        match self {
            ScriptRefusal::NotFound(_) => 404,
            _ => 403,
        }
    }
}

impl fmt::Display for ScriptRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptRefusal::NoScriptName { .. } => {
                f.write_str("this folder holds scripts; add a script's name to run it")
            }
            ScriptRefusal::NotFound(why) => write!(f, "no such script: {why}"),
            ScriptRefusal::Directory => f.write_str("a directory cannot be run as a script"),
            ScriptRefusal::NotARegularFile => {
                f.write_str("only regular files can be run as scripts")
            }
            ScriptRefusal::NotExecutable { runner } => write!(
                f,
                "the script is not executable by {runner} (try: chmod a+rx on the script)"
            ),
        }
    }
}

impl std::error::Error for ScriptRefusal {}

// ANCHOR: resolve_script
/// Finds the file of a script path under `root` (canonical) and checks that it can be run.
pub fn resolve_script(
    root: &Path,
    path: &ScriptPath,
    run_as: RunAs,
) -> Result<ScriptTarget, ScriptRefusal> {
    if path.segments.is_empty() {
        return Err(ScriptRefusal::NoScriptName {
            index: runnable_index(root, path.directory, run_as),
        });
    }
    let script = script_index(root, path);
    let file =
        inside_root(root, &root.join(path.file_path(script))).map_err(ScriptRefusal::NotFound)?;
    let metadata = fs::metadata(&file).map_err(|_| ScriptRefusal::NotFound(NotFound::Missing))?;
    if metadata.is_dir() {
        return Err(ScriptRefusal::Directory);
    }
    if !metadata.is_file() {
        return Err(ScriptRefusal::NotARegularFile);
    }
    if !is_executable_by(&metadata, run_as) {
        return Err(ScriptRefusal::NotExecutable {
            runner: run_as.to_string(),
        });
    }
    let path_info = path.path_info(script);
    let path_translated = path_info
        .as_deref()
        .map(|info| root.join(info.trim_start_matches('/')));
    Ok(ScriptTarget {
        script_name: path.script_name(script),
        script_file: file,
        path_info,
        path_translated,
    })
}
// ANCHOR_END: resolve_script

/// The URL of `directory`'s `index` script if it passes every check a script request would,
/// so that a page never links to a script that would be refused.
fn runnable_index(root: &Path, directory: &'static str, run_as: RunAs) -> Option<String> {
    let index = ScriptPath {
        directory,
        segments: vec!["index".to_string()],
        trailing_slash: false,
    };
    resolve_script(root, &index, run_as)
        .ok()
        .map(|target| target.script_name)
}

// ANCHOR: script_index
/// Which segment of `path` is the script, found as CPython's `run_cgi` finds it: walk down
/// while the segment is a directory inside `root` (canonical) and more segments follow. The
/// first segment that is not — missing, a file, or a link that leads out — is the script;
/// [`resolve_script`] then checks it. The last segment is the script at the latest: a
/// directory there is refused as one, never walked into.
pub fn script_index(root: &Path, path: &ScriptPath) -> usize {
    let last = path.segments.len().saturating_sub(1);
    (0..last)
        .find(|&index| {
            let is_folder = inside_root(root, &root.join(path.file_path(index)))
                .is_ok_and(|real| real.is_dir());
            !is_folder
        })
        .unwrap_or(last)
}
// ANCHOR_END: script_index

/// Whether the execute bit that applies to the script's user is set: the owner's, the
/// group's or everyone else's. For the server's own user, any execute bit will do (as in
/// Python); root may run anything with one execute bit anyway. For a folder, the execute
/// bit is the permission to enter it.
pub fn is_executable_by(metadata: &Metadata, run_as: RunAs) -> bool {
    let mode = metadata.mode();
    match run_as {
        RunAs::ServerUser => mode & 0o111 != 0,
        RunAs::User { uid, .. } if metadata.uid() == uid => mode & 0o100 != 0,
        RunAs::User { gid, .. } if metadata.gid() == gid => mode & 0o010 != 0,
        RunAs::User { .. } => mode & 0o001 != 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn script(path: &str) -> ScriptPath {
        match classify(path) {
            Ok(Route::Script(script)) => script,
            other => panic!("{path:?} should be a script path, got {other:?}"),
        }
    }

    #[test]
    fn every_spelling_of_the_script_folder_is_a_script_path() {
        for path in [
            "/cgi-bin/x",
            "/cgi-bin%2fx",
            "/cgi-bin%2Fx",
            "//cgi-bin/x",
            "/./cgi-bin/x",
            "/cgi-bin/./x",
            "/cgi-bin//x",
            "/CGI-BIN/x",
            "/Cgi-Bin/x",
            "/cgi-bin./x",
            "/cgi-bin../x",
            "/cgi-bin%20/x",
            "/cgi-bin.%20./x",
            "/%63gi-bin/x",
            "/cgi-bin/x#fragment",
        ] {
            let script = script(path);
            assert_eq!(script.directory, "cgi-bin", "{path}");
            assert_eq!(script.segments, ["x"], "{path}");
            assert_eq!(script.script_name(0), "/cgi-bin/x", "{path}");
        }
        assert_eq!(script("/HTBIN/x").directory, "htbin");
    }

    #[test]
    fn other_paths_are_files() {
        for path in [
            "/",
            "/index.html",
            "/cgi-binx/y",
            "/cgi/bin",
            "/docs/cgi-bin/x",
            "/cgi-bin-src/x",
            "/x-cgi-bin/x",
        ] {
            assert_eq!(classify(path), Ok(Route::Static), "{path}");
        }
    }

    #[test]
    fn paths_the_decoder_refuses_are_refused_whatever_they_start_with() {
        assert_eq!(classify("/cgi-bin/../x"), Err(NotFound::ParentSegment));
        assert_eq!(classify("/x/..%2fcgi-bin/y"), Err(NotFound::ParentSegment));
        assert_eq!(
            classify("/cgi-bin/a%5cb"),
            Err(NotFound::ForbiddenCharacter)
        );
        assert_eq!(classify("/cgi-bin/a%00"), Err(NotFound::ForbiddenCharacter));
        assert_eq!(classify("/cgi-bin/%ff"), Err(NotFound::NotUtf8));
        assert_eq!(classify("/cgi-bin/env/a%ff"), Err(NotFound::NotUtf8));
        // Not a script folder, whatever follows: the file server decides.
        assert_eq!(classify("/%ff/cgi-bin/x"), Ok(Route::Static));
    }

    #[test]
    fn the_folder_alone_names_no_script() {
        assert!(script("/cgi-bin").segments.is_empty());
        assert!(script("/cgi-bin/").segments.is_empty());
        assert!(!script("/cgi-bin/").trailing_slash);
    }

    #[test]
    fn what_follows_the_script_is_decoded_path_info() {
        let path = script("/cgi-bin/env/a//b/./c%20d/");
        assert_eq!(path.segments, ["env", "a", "b", "c d"]);
        assert_eq!(path.path_info(0).as_deref(), Some("/a/b/c d/"));
        assert_eq!(path.path_info(1).as_deref(), Some("/b/c d/"));
        assert_eq!(path.script_name(1), "/cgi-bin/env/a");
        assert_eq!(script("/cgi-bin/env/").path_info(0).as_deref(), Some("/"));
        assert_eq!(script("/cgi-bin/env%2F").path_info(0).as_deref(), Some("/"));
        assert_eq!(script("/cgi-bin/env/x").path_info(0).as_deref(), Some("/x"));
        assert_eq!(script("/cgi-bin/env").path_info(0), None);
    }

    /// A served directory with a script folder, made readable for `nobody` too.
    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        fs::create_dir(dir.path().join("cgi-bin")).unwrap();
        dir
    }

    fn write(path: &Path, mode: u32) {
        fs::write(path, "#!/bin/sh\necho\n").unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn resolve(root: &Path, path: &str, run_as: RunAs) -> Result<ScriptTarget, ScriptRefusal> {
        resolve_script(&root.canonicalize().unwrap(), &script(path), run_as)
    }

    #[test]
    fn a_runnable_script_resolves_with_its_path_info() {
        let site = site();
        write(&site.path().join("cgi-bin/env"), 0o755);
        let root = site.path().canonicalize().unwrap();
        let target = resolve(&root, "/CGI-BIN/env/a/b", RunAs::ServerUser).unwrap();
        assert_eq!(target.script_name, "/cgi-bin/env");
        assert_eq!(target.script_file, root.join("cgi-bin/env"));
        assert_eq!(target.path_info.as_deref(), Some("/a/b"));
        assert_eq!(target.path_translated, Some(root.join("a/b")));
    }

    #[test]
    fn scripts_that_cannot_run_are_refused_with_the_right_status() {
        let site = site();
        let root = site.path();
        write(&root.join("cgi-bin/plain"), 0o644);
        fs::create_dir(root.join("cgi-bin/dir")).unwrap();
        fs::write(root.join("secret.sh"), "#!/bin/sh\n").unwrap();
        let outside = tempfile::tempdir().unwrap();
        write(&outside.path().join("escape"), 0o755);
        symlink(outside.path().join("escape"), root.join("cgi-bin/escape")).unwrap();

        let status = |path: &str| {
            resolve(root, path, RunAs::ServerUser)
                .map(|_| 200)
                .unwrap_or_else(|refusal| refusal.status())
        };
        assert_eq!(status("/cgi-bin/missing"), 404);
        assert_eq!(status("/cgi-bin/escape"), 404);
        assert_eq!(status("/cgi-bin/plain"), 403);
        assert_eq!(status("/cgi-bin/dir"), 403);
        assert_eq!(status("/cgi-bin/"), 403);
        assert_eq!(
            resolve(root, "/cgi-bin/escape", RunAs::ServerUser),
            Err(ScriptRefusal::NotFound(NotFound::OutsideRoot))
        );
    }

    #[test]
    fn the_folder_alone_names_its_index_script_only_when_it_can_run() {
        let site = site();
        let root = site.path();
        let refusal = |path: &str| resolve(root, path, RunAs::ServerUser).unwrap_err();
        assert_eq!(
            refusal("/cgi-bin/"),
            ScriptRefusal::NoScriptName { index: None }
        );
        write(&root.join("cgi-bin/index"), 0o644);
        assert_eq!(
            refusal("/cgi-bin/"),
            ScriptRefusal::NoScriptName { index: None },
            "an index without the execute bit would be refused: no link to it"
        );
        write(&root.join("cgi-bin/index"), 0o755);
        let with_index = ScriptRefusal::NoScriptName {
            index: Some("/cgi-bin/index".to_string()),
        };
        assert_eq!(refusal("/cgi-bin/"), with_index);
        assert_eq!(refusal("/CGI-BIN"), with_index);
        assert_eq!(with_index.status(), 403);
    }

    #[test]
    fn a_script_in_a_folder_below_the_script_folder_is_found_like_cpython_finds_it() {
        let site = site();
        let root = site.path().canonicalize().unwrap();
        fs::create_dir_all(root.join("cgi-bin/sub/deeper")).unwrap();
        write(&root.join("cgi-bin/sub/env"), 0o755);
        write(&root.join("cgi-bin/sub/deeper/env"), 0o755);
        let target = resolve(&root, "/cgi-bin/sub/env/a/b/", RunAs::ServerUser).unwrap();
        assert_eq!(target.script_name, "/cgi-bin/sub/env");
        assert_eq!(target.script_file, root.join("cgi-bin/sub/env"));
        assert_eq!(target.path_info.as_deref(), Some("/a/b/"));
        assert_eq!(target.path_translated, Some(root.join("a/b/")));
        let deeper = resolve(&root, "/cgi-bin/sub/deeper/env", RunAs::ServerUser).unwrap();
        assert_eq!(deeper.script_name, "/cgi-bin/sub/deeper/env");
        assert_eq!(deeper.path_info, None);
        // The walk stops at the first name that is not a directory, even a missing one.
        let walked = |path: &str| script_index(&root, &script(path));
        assert_eq!(walked("/cgi-bin/sub/deeper/env/x"), 2);
        assert_eq!(walked("/cgi-bin/sub/missing/env"), 1);
        assert_eq!(walked("/cgi-bin/sub/deeper"), 1);
    }

    #[test]
    fn folders_below_the_script_folder_keep_the_safety_rules() {
        let site = site();
        let root = site.path().canonicalize().unwrap();
        fs::create_dir_all(root.join("cgi-bin/sub")).unwrap();
        write(&root.join("cgi-bin/sub/plain"), 0o644);
        let outside = tempfile::tempdir().unwrap();
        write(&outside.path().join("env"), 0o755);
        symlink(outside.path(), root.join("cgi-bin/out")).unwrap();
        let status = |path: &str| {
            resolve(&root, path, RunAs::ServerUser)
                .map(|_| 200)
                .unwrap_or_else(|refusal| refusal.status())
        };
        assert_eq!(status("/cgi-bin/sub"), 403, "a directory is not a script");
        assert_eq!(status("/cgi-bin/sub/"), 403, "nor with its slash");
        assert_eq!(status("/cgi-bin/sub/plain"), 403, "not executable");
        assert_eq!(status("/cgi-bin/sub/missing/x"), 404);
        assert_eq!(
            resolve(&root, "/cgi-bin/out/env", RunAs::ServerUser),
            Err(ScriptRefusal::NotFound(NotFound::OutsideRoot)),
            "a folder reached through a link that leads out"
        );
        assert_eq!(
            classify("/cgi-bin/sub/../env"),
            Err(NotFound::ParentSegment)
        );
    }

    #[test]
    fn a_link_to_a_script_inside_the_root_runs_it() {
        let site = site();
        let root = site.path();
        write(&root.join("tool.sh"), 0o755);
        symlink("../tool.sh", root.join("cgi-bin/tool")).unwrap();
        let target = resolve(root, "/cgi-bin/tool", RunAs::ServerUser).unwrap();
        assert_eq!(
            target.script_file,
            root.canonicalize().unwrap().join("tool.sh")
        );
    }

    #[test]
    fn the_execute_bit_that_counts_is_the_runners() {
        let site = site();
        let file = site.path().join("cgi-bin/s");
        let nobody = RunAs::User {
            uid: 65534,
            gid: 65534,
        };
        write(&file, 0o750);
        let metadata = fs::metadata(&file).unwrap();
        assert!(is_executable_by(&metadata, RunAs::ServerUser));
        assert!(!is_executable_by(&metadata, nobody));
        let owner = RunAs::User {
            uid: metadata.uid(),
            gid: 12345,
        };
        assert!(is_executable_by(&metadata, owner));
        write(&file, 0o755);
        assert!(is_executable_by(&fs::metadata(&file).unwrap(), nobody));
        let refusal = resolve(site.path(), "/cgi-bin/s", RunAs::ServerUser);
        assert!(refusal.is_ok());
    }
}
