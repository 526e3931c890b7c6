//! Serving a directory safely: files, directory listings and redirects (lesson 02).
//!
//! What it teaches: a static file server turns a URL path into a file name, and that one step
//! is where most of its security lives. [`StaticFiles`] is the default handler of
//! `lesson02-http` and behaves like `python3 -m http.server` — files, an `index.html` for a
//! directory, otherwise a listing — with the holes that server has had closed. Chapter 2
//! ("HTTP") walks through [`resolve`], [`redirect_location`] and [`listing_html`].
//!
//! # From a URL path to a file (RFC 3986 §2.1, §3.3)
//!
//! [`relative_path`] takes the path exactly as the client sent it (still percent-encoded),
//! decodes it to *bytes* first and only then splits it on `/`. Decoding first means every
//! spelling of a dangerous segment is seen in its final form: `..`, `%2e%2e`, `..%2f..` and
//! `..%5c` all reach the checks as `..` or a name holding a backslash. Then, per segment:
//! - empty segments (`//`) and `.` are skipped;
//! - `..` is refused. We do not resolve it against the previous segment (RFC 3986 §5.2.4
//!   would): a client never needs it, because browsers remove dot-segments before sending;
//! - a segment holding a backslash (a separator on Windows) or a NUL byte (the end of a
//!   string to the operating system) is refused;
//! - a segment that is not UTF-8 is kept as the bytes it decodes to: a Unix file name is
//!   bytes, not text, and `python3 -m http.server` serves such files too. Nothing in such a
//!   name can climb out of the directory — only `/` separates, and `..` is still refused.
//!
//! Every refusal — and every other failure — is the same `404 File not found` page: a client
//! probing for files learns nothing from the answer. [`NotFound`] still records *why*, for the
//! tests and for anyone debugging [`resolve`].
//!
//! A `%` not followed by two hex digits (`%zz`) is kept as the literal characters, as Python's
//! `urllib.parse.unquote` does: there is no file-system danger in it, and a file named
//! `100%.txt` stays reachable even by clients that forget to encode the `%`. A `#` and what
//! follows it is dropped, as Python does: it can only be a fragment a client forgot to remove.
//!
//! # Symbolic links, and the canonical-path check
//!
//! After joining, the path is opened and the real location of what was opened
//! ([`open_inside_root`]; [`inside_root`] for names that are not opened) must start with the
//! canonical root, compared component by component (so
//! `/srv/public2` is not inside `/srv/public`). A link inside the served directory that points
//! inside it works as usual; one that leads out — `public/secret.txt -> ../private/secret.txt`
//! in the course's example — is a 404, and is left out of listings. The check is also the
//! safety net for anything the segment rules above did not foresee.
//!
//! Files are checked *while* they are opened ([`open_inside_root`]): on Linux, `openat2` with
//! `RESOLVE_BENEATH` walks the path from the open root directory and refuses any step that
//! leaves it, links included, in one system call. There is no gap between a check and the
//! use — swapping a checked name for a link a moment later changes nothing already open.
//! Where `openat2` is missing, or refuses what we accept (an absolute link that stays
//! inside), [`open_then_check`] opens first and then asks the kernel where the opened file
//! really is (`/proc/self/fd/N`): the same answer, one `readlink` more (chapter 2's
//! measuring notes). The file is opened non-blocking, so a named pipe cannot hold a thread.
//! The honest caveat that is left: a *directory listing* still reads entries by name, each
//! checked with [`inside_root`]; a race there can only hide or show a name, never serve a
//! file outside.
//!
//! # Directories (RFC 9110 §15.4.2, §10.2.2)
//!
//! A directory asked for without a trailing `/` gets `301 Moved Permanently` to the same path
//! with the `/` (and the query kept), so that the relative links in its listing resolve inside
//! it. The `Location` is built by [`redirect_location`] from the raw path with every leading
//! `/` and `\` collapsed into one `/`: a `Location: //evil.example/dir/` would send the browser
//! to another host (CVE-2021-28861 in Python's http.server). A directory holding `index.html`
//! (or else `index.htm`) is answered with that file; otherwise with a listing built by
//! [`listing_html`], shaped like Python's:
//! - entries are sorted case-insensitively (Python's `key=str.lower`); names that differ only
//!   in case are ordered by their bytes, so the order never depends on the file system;
//! - directories are shown and linked with a trailing `/`; symbolic links are shown with an
//!   `@` and linked without it (with `/` when they lead to a directory), as Python does;
//! - names are HTML-escaped in the text, and percent-encoded in the `href` with [`HREF_ENCODE`]:
//!   everything except RFC 3986 §2.3's unreserved characters (letters, digits, `- . _ ~`) is
//!   encoded, so `#`, `?`, `%` and `:` cannot turn a name into a fragment, a query, a wrong
//!   escape or a `javascript:` URL;
//! - a name that is not UTF-8 is linked by its bytes (`%FF.txt`), so the link leads back to
//!   the file, and shown with `U+FFFD` for each byte that is not text (a lossy conversion:
//!   the text is for people, the link for the server). Python links it as `%ED%B3%BF.txt`
//!   (a UTF-8 spelling of the surrogate it decodes the byte to), the only spelling its own
//!   decoder reads back — a request for `%FF.txt` makes that decoder fail;
//! - entries a client could not fetch are left out: links whose target is outside the root or
//!   missing, and names that [`relative_path`] would refuse (holding a `\`).
//!
//! The page is `text/html; charset=utf-8`; a directory that cannot be read is a 404.
//!
//! # Files (RFC 9110 §8.3, §8.8.2, §13.1.3, §15.4.5)
//!
//! - `Content-Type` is the first guess of `mime_guess` for the name in the URL, as Python
//!   guesses it (a link `page -> page.html` is served with the link's type), or
//!   `application/octet-stream`. No `charset` is added, as Python
//!   adds none: the server cannot know how a file is encoded, and a wrong charset is worse than
//!   none (HTML files declare theirs with `<meta charset>`).
//! - `Last-Modified` is the file's modification time in whole seconds, but never later than
//!   now (RFC 9110 §8.8.2.1), and left out for a time the HTTP date format cannot hold (before
//!   1970 or after 9999).
//! - `If-Modified-Since` is honoured only when `If-None-Match` is absent (§13.1.3 and §13.2.2:
//!   an entity tag, when sent, decides alone): a file not modified since that date is
//!   `304 Not Modified` with `Last-Modified` and no body (§15.4.5). An unparseable date is
//!   ignored, as the RFC asks.
//! - The body is the open file with its length, [`Body::File`], so a file of any size streams
//!   in constant memory. `HEAD` gets the same response; the connection drops the body.
//! - Only regular files are served; a named pipe, socket or device is a 404, and so is a file
//!   that cannot be opened (no permission) — a 403 would confirm that it exists. A file asked
//!   for with a trailing `/` is a 404, as in Python.
//!
//! # Methods (RFC 9110 §9.3.1, §9.3.2, §15.5.6)
//!
//! `GET` and `HEAD` are served. Every other method the core knows is `405 Method Not Allowed`
//! with `Allow: GET, HEAD`; methods it does not know never reach a handler (501). The body of a
//! request is ignored; the connection reads and discards it.

use std::cmp::Ordering;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{self, AtomicBool};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nix::errno::Errno;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode};

use crate::html;
use crate::request::RequestHead;
use crate::{Body, Request, RequestBody, Response};

/// The methods this handler serves, as the `Allow` header of a 405 lists them.
pub const ALLOWED_METHODS: &str = "GET, HEAD";

/// The files that stand for their directory, in order of preference (Python's list).
pub const INDEX_FILES: [&str; 2] = ["index.html", "index.htm"];

/// What `href`s in a listing percent-encode: every byte except RFC 3986's unreserved
/// characters `A-Z a-z 0-9 - . _ ~` (non-ASCII bytes are always encoded).
pub const HREF_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The type sent when `mime_guess` knows nothing about a name (RFC 9110 §8.3: "unknown bytes").
const UNKNOWN_CONTENT_TYPE: &str = "application/octet-stream";

/// 9999-12-31 23:59:59 UTC, the last moment an HTTP date can express.
const LAST_HTTP_DATE_SECS: u64 = 253_402_300_799;

/// The message of every 404 page, whatever the reason: the same text gives nothing away.
const NOT_FOUND_MESSAGE: &str = "File not found";

/// Why a request path was answered with 404. The client always sees the same page; the reason
/// is for the tests and for a learner debugging [`resolve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotFound {
    /// A segment is `..` (in any spelling, such as `%2e%2e`).
    ParentSegment,
    /// A segment holds a backslash or a NUL byte.
    ForbiddenCharacter,
    /// A segment does not decode to UTF-8 text. Files may have such names; the CGI host
    /// refuses them in a script's path, whose parts become text variables (`cgi::route`).
    NotUtf8,
    /// Nothing exists under that name (or a symbolic link on the way is broken).
    Missing,
    /// The path leads, through a symbolic link, outside the served directory.
    OutsideRoot,
    /// The name belongs to something other than a file or directory: a pipe, socket or device.
    NotARegularFile,
    /// The file or directory exists, but the server may not open or read it.
    Unreadable,
    /// A file was asked for with a trailing `/`, as if it were a directory.
    FileWithTrailingSlash,
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotFound::ParentSegment => {
                "the path has a '..' segment, which could climb out of the served directory"
            }
            NotFound::ForbiddenCharacter => {
                "the path has a backslash or a NUL byte, which some systems read as a \
                 separator or as the end of the name"
            }
            NotFound::NotUtf8 => "the path does not decode to UTF-8 text",
            NotFound::Missing => "nothing by that name exists in the served directory",
            NotFound::OutsideRoot => {
                "the path leads through a symbolic link to outside the served directory"
            }
            NotFound::NotARegularFile => {
                "the name belongs to a pipe, socket or device, not a file or directory"
            }
            NotFound::Unreadable => "the server is not allowed to read it",
            NotFound::FileWithTrailingSlash => {
                "a file was asked for with a trailing '/', as if it were a directory"
            }
        })
    }
}

impl std::error::Error for NotFound {}

// ANCHOR: relative_path
/// Turns a raw URL path (`/docs/caf%C3%A9.txt`) into a relative file path (`docs/café.txt`),
/// refusing any segment that could step outside the served directory.
///
/// Pure: it never touches the file system. See the module docs for the rules.
pub fn relative_path(raw_path: &str) -> Result<PathBuf, NotFound> {
    // Decode first, split second: `%2f` and `%2e%2e` become `/` and `..` before the checks.
    let decoded: Vec<u8> = percent_decode_str(raw_path).collect();
    let mut relative = PathBuf::new();
    for segment in decoded.split(|&byte| byte == b'/') {
        if let Some(name) = checked_segment(segment)? {
            relative.push(name);
        }
    }
    Ok(relative)
}

/// One decoded segment: `Ok(None)` to skip it (empty or `.`), `Ok(Some(name))` to use it.
/// A Unix file name is bytes, so a segment that is not UTF-8 (`%FF`) is still a name.
fn checked_segment(segment: &[u8]) -> Result<Option<&OsStr>, NotFound> {
    match segment {
        b"" | b"." => Ok(None),
        b".." => Err(NotFound::ParentSegment),
        _ if segment.contains(&b'\\') || segment.contains(&0) => Err(NotFound::ForbiddenCharacter),
        _ => Ok(Some(OsStr::from_bytes(segment))),
    }
}
// ANCHOR_END: relative_path

// ANCHOR: inside_root
/// Follows every symbolic link in `path` and checks that the result is still inside `root`.
///
/// `root` must be canonical. Returns the canonical path, which is what should be opened.
pub fn inside_root(root: &Path, path: &Path) -> Result<PathBuf, NotFound> {
    let canonical = path.canonicalize().map_err(|_| NotFound::Missing)?;
    // `Path::starts_with` compares whole components: /srv/public2 is not in /srv/public.
    if canonical.starts_with(root) {
        Ok(canonical)
    } else {
        Err(NotFound::OutsideRoot)
    }
}
// ANCHOR_END: inside_root

// ANCHOR: open_inside_root
/// Opens `relative` under the served directory, and refuses (404) anything that would be
/// outside it — through `..`, or through a symbolic link that leads out.
///
/// Linux can do the whole check while it opens the file: `openat2` with `RESOLVE_BENEATH`
/// walks the path from the already-open root directory and fails with `EXDEV` the moment a
/// step (a link, say) would leave it. One system call, and nothing to race with: the file
/// opened is the file checked. What the kernel refuses that we accept — an absolute link
/// whose target is inside the root — and kernels without `openat2` take the portable way,
/// [`open_then_check`]. The file is opened non-blocking, so a named pipe cannot hold the
/// thread; it is refused afterwards as not a regular file.
pub fn open_inside_root(root: &Root, relative: &Path) -> Result<Opened, NotFound> {
    use nix::fcntl::{OFlag, OpenHow, ResolveFlag, openat2};
    let path = root.path.join(relative);
    let (Some(dir), true) = (&root.dir, OPENAT2_WORKS.load(atomic::Ordering::Relaxed)) else {
        return open_then_check(&root.path, &path);
    };
    // `openat2` needs a name to walk: the root itself is `.`.
    let name = if relative.as_os_str().is_empty() {
        Path::new(".")
    } else {
        relative
    };
    let how = OpenHow::new()
        .flags(OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    match openat2(dir, name, how) {
        Ok(fd) => {
            let file = File::from(fd);
            let metadata = file.metadata().map_err(|_| NotFound::Unreadable)?;
            Ok(Opened {
                file,
                path,
                metadata,
            })
        }
        Err(Errno::ENOENT | Errno::ENOTDIR | Errno::ENAMETOOLONG) => Err(NotFound::Missing),
        Err(Errno::EACCES) => Err(NotFound::Unreadable),
        Err(errno) => {
            // No `openat2` here (an old kernel, or a sandbox that filters it): stop asking.
            if matches!(errno, Errno::ENOSYS | Errno::EPERM) {
                OPENAT2_WORKS.store(false, atomic::Ordering::Relaxed);
            }
            // EXDEV (a step leaves the root, or an absolute link), ELOOP and the rest.
            open_then_check(&root.path, &path)
        }
    }
}

/// The portable way: open `path`, then ask where the opened file really is and compare that
/// with `root`. On Linux the kernel names the file behind a descriptor (`/proc/self/fd/N`);
/// elsewhere the name is canonicalized after the open.
pub fn open_then_check(root: &Path, path: &Path) -> Result<Opened, NotFound> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)
        .map_err(|_| NotFound::Missing)?;
    let real = fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd()))
        .or_else(|_| path.canonicalize())
        .map_err(|_| NotFound::Missing)?;
    if !real.starts_with(root) {
        return Err(NotFound::OutsideRoot);
    }
    let metadata = file.metadata().map_err(|_| NotFound::Unreadable)?;
    Ok(Opened {
        file,
        path: path.to_path_buf(),
        metadata,
    })
}
// ANCHOR_END: open_inside_root

/// False once `openat2` turned out to be missing: every later open takes the portable way.
static OPENAT2_WORKS: AtomicBool = AtomicBool::new(true);

/// The served directory: its canonical path, and the directory itself, opened once at start
/// so that [`open_inside_root`] can resolve names beneath it.
#[derive(Debug)]
pub struct Root {
    /// Canonical, so that paths can be compared with it.
    path: PathBuf,
    /// The open directory; `None` if it could not be opened (then every open takes the
    /// portable way, which fails as it should).
    dir: Option<File>,
}

impl Root {
    /// Opens the served directory. `path` must be canonical.
    pub fn open(path: PathBuf) -> Root {
        let dir = File::open(&path).ok();
        Root { path, dir }
    }

    /// The canonical path of the served directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A file or directory opened by [`open_inside_root`].
#[derive(Debug)]
pub struct Opened {
    /// The open file (or directory).
    pub file: File,
    /// The name it was opened by (the root joined with the URL's path): its extension gives
    /// the `Content-Type`, as in Python, even when a link leads to a file named otherwise.
    pub path: PathBuf,
    /// Its metadata, read from the open file.
    pub metadata: fs::Metadata,
}

// ANCHOR: resolve
/// Maps a raw URL path to the canonical path of an existing file or directory under `root`.
///
/// `root` must be canonical (`cli::check_directory` returns it so).
pub fn resolve(root: &Path, raw_path: &str) -> Result<PathBuf, NotFound> {
    let relative = relative_path(raw_path)?;
    inside_root(root, &root.join(relative))
}
// ANCHOR_END: resolve

// ANCHOR: redirect_location
/// The `Location` for a directory asked for without its trailing `/`: the same path with the
/// `/`, and `?query` when there is a query.
///
/// Every leading `/` and `\` is collapsed into a single `/`, so the result can never start with
/// `//` or `/\` — which a browser reads as "another host" (CVE-2021-28861).
pub fn redirect_location(raw_path: &str, query: &str) -> String {
    let rest = raw_path.trim_start_matches(['/', '\\']);
    let mut location = String::with_capacity(rest.len() + query.len() + 3);
    location.push('/');
    location.push_str(rest);
    if !location.ends_with('/') {
        location.push('/');
    }
    if !query.is_empty() {
        location.push('?');
        location.push_str(query);
    }
    location
}
// ANCHOR_END: redirect_location

/// What kind of entry a directory listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A file (or anything else that is not a directory or a symbolic link).
    File,
    /// A directory: shown and linked with a trailing `/`.
    Directory,
    /// A symbolic link whose target is inside the served directory: shown with `@`.
    Symlink {
        /// The link leads to a directory, so its `href` gets a trailing `/`.
        to_directory: bool,
    },
}

impl EntryKind {
    /// What follows the name in the link target.
    fn href_suffix(self) -> &'static str {
        match self {
            EntryKind::Directory | EntryKind::Symlink { to_directory: true } => "/",
            EntryKind::File
            | EntryKind::Symlink {
                to_directory: false,
            } => "",
        }
    }

    /// What follows the name in the visible text (Python's `/` and `@` markers).
    fn shown_suffix(self) -> &'static str {
        match self {
            EntryKind::Directory => "/",
            EntryKind::Symlink { .. } => "@",
            EntryKind::File => "",
        }
    }
}

/// One line of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingEntry {
    /// The entry's name in its directory, as it is on disk: bytes, which need not be UTF-8.
    pub name: OsString,
    /// Whether it is a file, a directory or a link, which decides the markers.
    pub kind: EntryKind,
}

/// The order of a listing: case-insensitive like Python's `key=str.lower`, then by bytes so
/// that `A.txt` and `a.txt` always come out the same way.
pub fn listing_order(a: &ListingEntry, b: &ListingEntry) -> Ordering {
    let folded = |entry: &ListingEntry| entry.name.to_string_lossy().to_lowercase();
    folded(a)
        .cmp(&folded(b))
        .then_with(|| a.name.as_bytes().cmp(b.name.as_bytes()))
}

// ANCHOR: listing_html
/// The HTML page listing `entries` (in any order) for the directory at `shown_path`, the
/// decoded URL path. Every name is escaped in the text and percent-encoded in its link.
pub fn listing_html(shown_path: &str, entries: &[ListingEntry]) -> String {
    let title = format!("Directory listing for {}", html::escape(shown_path));
    let mut sorted: Vec<&ListingEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| listing_order(a, b));

    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n<hr>\n<ul>\n"
    );
    for entry in sorted {
        page.push_str(&listing_item(entry));
    }
    page.push_str("</ul>\n<hr>\n</body>\n</html>\n");
    page
}

/// One `<li>`: the name's bytes percent-encoded in the link, its text HTML-escaped (with
/// `U+FFFD` where a name is not UTF-8).
fn listing_item(entry: &ListingEntry) -> String {
    format!(
        "<li><a href=\"{}{}\">{}{}</a></li>\n",
        percent_encode(entry.name.as_bytes(), HREF_ENCODE),
        entry.kind.href_suffix(),
        html::escape(&entry.name.to_string_lossy()),
        entry.kind.shown_suffix()
    )
}
// ANCHOR_END: listing_html

/// The `Last-Modified` time for a file modified at `mtime`: whole seconds, never after `now`
/// (RFC 9110 §8.8.2.1), and `None` when an HTTP date cannot express it.
pub fn last_modified(mtime: SystemTime, now: SystemTime) -> Option<SystemTime> {
    let seconds = mtime.min(now).duration_since(UNIX_EPOCH).ok()?.as_secs();
    (seconds <= LAST_HTTP_DATE_SECS).then(|| UNIX_EPOCH + Duration::from_secs(seconds))
}

// ANCHOR: not_modified
/// True when the client's copy is current: it sent a parseable `If-Modified-Since` no earlier
/// than `last_modified`, and no `If-None-Match` (which would take precedence, RFC 9110 §13.2.2).
pub fn is_not_modified(request: &RequestHead, last_modified: SystemTime) -> bool {
    if request.header("If-None-Match").is_some() {
        return false;
    }
    request
        .header("If-Modified-Since")
        .and_then(|date| httpdate::parse_http_date(date).ok())
        .is_some_and(|since| last_modified <= since)
}
// ANCHOR_END: not_modified

/// The `Content-Type` for a file, guessed from its name.
pub fn content_type(path: &Path) -> &'static str {
    mime_guess::from_path(path)
        .first_raw()
        .unwrap_or(UNKNOWN_CONTENT_TYPE)
}

/// A handler that serves the files under a directory, read-only.
pub struct StaticFiles {
    /// The served directory, canonical and open (see [`Root`]).
    root: Root,
}

impl StaticFiles {
    /// Serves `root`. It is canonicalized here if it is not already (`cli::check_directory`
    /// returns it canonical); if that fails, every request will be answered with 404.
    pub fn new(root: PathBuf) -> Self {
        let root = root.canonicalize().unwrap_or(root);
        StaticFiles {
            root: Root::open(root),
        }
    }

    /// The directory being served.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    // ANCHOR: serve
    /// Answers a GET or HEAD request, or says why the answer is 404.
    fn serve(&self, request: &RequestHead) -> Result<Response, NotFound> {
        let raw_path = without_fragment(request.path());
        let relative = relative_path(raw_path)?;
        let opened = open_inside_root(&self.root, &relative)?;
        if opened.metadata.is_dir() {
            if !raw_path.ends_with('/') {
                return Ok(redirect(&redirect_location(raw_path, request.query())));
            }
            return self.serve_directory(request, raw_path, &relative);
        }
        if raw_path.ends_with('/') {
            return Err(NotFound::FileWithTrailingSlash);
        }
        serve_file(request, opened)
    }
    // ANCHOR_END: serve

    /// A directory whose URL ends in `/` (`relative` to the root): its index file, or a listing.
    fn serve_directory(
        &self,
        request: &RequestHead,
        raw_path: &str,
        relative: &Path,
    ) -> Result<Response, NotFound> {
        if let Some(index) = self.index_file(relative) {
            return serve_file(request, index);
        }
        let entries = read_listing(self.root.path(), &self.root.path().join(relative))
            .map_err(|_| NotFound::Unreadable)?;
        let shown_path = percent_decode_str(raw_path).decode_utf8_lossy();
        Ok(Response::html(200, listing_html(&shown_path, &entries)))
    }

    /// The first of [`INDEX_FILES`] that is a file inside the root (`dir` is relative to it).
    fn index_file(&self, dir: &Path) -> Option<Opened> {
        INDEX_FILES
            .iter()
            .filter_map(|name| open_inside_root(&self.root, &dir.join(name)).ok())
            .find(|opened| opened.metadata.is_file())
    }
}

// ANCHOR: handle
impl crate::Handler for StaticFiles {
    fn handle(&self, request: &Request, _body: &mut RequestBody<'_>) -> Response {
        self.answer(request)
    }
}

impl StaticFiles {
    /// The response to a request, which never needs its body: what [`crate::Handler::handle`]
    /// answers, also callable by handlers built on this one (the CGI host).
    pub fn answer(&self, request: &RequestHead) -> Response {
        if request.method != "GET" && request.method != "HEAD" {
            return method_not_allowed(&request.method);
        }
        self.serve(request).unwrap_or_else(|_| not_found())
    }
}
// ANCHOR_END: handle

/// The path without a `#fragment`, which a client should not have sent (Python drops it too).
pub(crate) fn without_fragment(raw_path: &str) -> &str {
    raw_path.split('#').next().unwrap_or(raw_path)
}

// ANCHOR: serve_file
/// A regular file: 304 when the client's copy is current, otherwise the file itself.
fn serve_file(request: &RequestHead, opened: Opened) -> Result<Response, NotFound> {
    // Length and date come from the file that was opened and checked, not from a name.
    let Opened {
        file,
        path,
        metadata,
    } = opened;
    if !metadata.is_file() {
        return Err(NotFound::NotARegularFile);
    }
    let modified = metadata
        .modified()
        .ok()
        .and_then(|mtime| last_modified(mtime, SystemTime::now()));

    if let Some(time) = modified.filter(|&time| is_not_modified(request, time)) {
        return Ok(not_modified(time));
    }
    let mut response = Response::new(200).with_trusted_header("Content-Type", content_type(&path));
    if let Some(time) = modified {
        response = response.with_trusted_header("Last-Modified", &httpdate::fmt_http_date(time));
    }
    let len = metadata.len();
    Ok(response.with_body(Body::File { file, len }))
}
// ANCHOR_END: serve_file

/// `304 Not Modified`: no body, and the date the client's copy can be checked against.
fn not_modified(last_modified: SystemTime) -> Response {
    Response::new(304).with_trusted_header("Last-Modified", &httpdate::fmt_http_date(last_modified))
}

/// `301 Moved Permanently` to `location`, with an empty body as Python sends.
fn redirect(location: &str) -> Response {
    // The raw path holds only printable ASCII (the request parser made sure), so the header
    // is valid; should that ever change, refusing the request beats a panic.
    Response::new(301)
        .with_header("Location", location)
        .unwrap_or_else(|_| Response::error_page(400, "Bad request path"))
}

/// The same 404 page for every reason, so that it gives nothing away.
fn not_found() -> Response {
    Response::error_page(404, NOT_FOUND_MESSAGE)
}

/// `405 Method Not Allowed`, with the `Allow` header RFC 9110 §15.5.6 requires.
fn method_not_allowed(method: &str) -> Response {
    let message = format!("{method} is not allowed here; this server only reads files");
    Response::error_page(405, &message).with_trusted_header("Allow", ALLOWED_METHODS)
}

/// The entries of `dir` a client could fetch, unsorted.
fn read_listing(root: &Path, dir: &Path) -> std::io::Result<Vec<ListingEntry>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        if let Some(listed) = listing_entry(root, &entry?) {
            entries.push(listed);
        }
    }
    Ok(entries)
}

/// How one directory entry is listed, or `None` to leave it out (see the module docs).
fn listing_entry(root: &Path, entry: &fs::DirEntry) -> Option<ListingEntry> {
    let name = entry.file_name();
    // A name that `relative_path` would refuse could never be fetched: do not offer it.
    if !matches!(checked_segment(name.as_bytes()), Ok(Some(_))) {
        return None;
    }
    let file_type = entry.file_type().ok()?;
    let kind = if file_type.is_symlink() {
        let target = inside_root(root, &entry.path()).ok()?;
        EntryKind::Symlink {
            to_directory: target.is_dir(),
        }
    } else if file_type.is_dir() {
        EntryKind::Directory
    } else {
        EntryKind::File
    };
    Some(ListingEntry { name, kind })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;
    use crate::request::parse_head;
    use pretty_assertions::assert_eq;

    fn head(lines: &str) -> RequestHead {
        let bytes = format!("GET /f HTTP/1.1\r\nHost: x\r\n{lines}\r\n");
        parse_head(bytes.as_bytes(), &Limits::default()).expect("a valid head")
    }

    fn entry(name: &str, kind: EntryKind) -> ListingEntry {
        ListingEntry {
            name: name.into(),
            kind,
        }
    }

    #[test]
    fn every_traversal_spelling_is_refused() {
        let cases = [
            ("/../x", NotFound::ParentSegment),
            ("/%2e%2e/x", NotFound::ParentSegment),
            ("/%2E%2e/x", NotFound::ParentSegment),
            ("/a/..%2f..%2fx", NotFound::ParentSegment),
            ("/a/%2e%2e%2f%2e%2e%2fx", NotFound::ParentSegment),
            ("/a/b/../../..", NotFound::ParentSegment),
            ("/%2E%2e%5cx", NotFound::ForbiddenCharacter),
            ("/..\\x", NotFound::ForbiddenCharacter),
            ("/a%5c..%5c..%5cx", NotFound::ForbiddenCharacter),
            ("/a%00b", NotFound::ForbiddenCharacter),
            ("/%ff/..", NotFound::ParentSegment),
        ];
        for (raw, expected) in cases {
            assert_eq!(relative_path(raw), Err(expected), "{raw}");
        }
    }

    #[test]
    fn ordinary_paths_become_relative_paths() {
        let cases = [
            ("/", ""),
            ("", ""),
            ("/a/./b//c", "a/b/c"),
            ("//a", "a"),
            ("/docs/caf%C3%A9.txt", "docs/café.txt"),
            ("/a%20b.txt", "a b.txt"),
            ("/100%.txt", "100%.txt"),
            ("/%zz", "%zz"),
            ("/a..b/...", "a..b/..."),
            ("/dir/", "dir"),
        ];
        for (raw, expected) in cases {
            assert_eq!(relative_path(raw), Ok(PathBuf::from(expected)), "{raw}");
        }
    }

    #[test]
    fn names_that_are_not_utf8_are_kept_as_bytes() {
        let bytes = |raw: &str| relative_path(raw).map(|path| path.as_os_str().as_bytes().to_vec());
        assert_eq!(bytes("/caf%e9.txt"), Ok(b"caf\xe9.txt".to_vec()));
        assert_eq!(bytes("/d/%FF.txt"), Ok(b"d/\xff.txt".to_vec()));
        assert_eq!(bytes("/%c0%ae%c0%ae/x"), Ok(b"\xc0\xae\xc0\xae/x".to_vec()));
    }

    #[test]
    fn names_that_are_not_utf8_are_linked_by_their_bytes_and_shown_lossily() {
        let entry = ListingEntry {
            name: OsStr::from_bytes(b"caf\xe9 <\xff>.txt").to_os_string(),
            kind: EntryKind::File,
        };
        let page = listing_html("/", &[entry]);
        assert!(
            page.contains(
                "<li><a href=\"caf%E9%20%3C%FF%3E.txt\">caf\u{fffd} &lt;\u{fffd}&gt;.txt</a></li>"
            ),
            "{page}"
        );
    }

    #[test]
    fn redirects_never_point_at_another_host() {
        assert_eq!(redirect_location("//evil.com/dir", ""), "/evil.com/dir/");
        assert_eq!(redirect_location("/\\evil.com", ""), "/evil.com/");
        assert_eq!(redirect_location("\\/\\//evil.com", ""), "/evil.com/");
        assert_eq!(redirect_location("", ""), "/");
        assert_eq!(redirect_location("//", ""), "/");
        for raw in ["//evil.com", "/\\evil.com", "///a", "\\\\a", "/%2F/a", ""] {
            let location = redirect_location(raw, "q=1");
            assert!(
                !location.starts_with("//") && !location.starts_with("/\\"),
                "{raw} -> {location}"
            );
        }
    }

    #[test]
    fn redirects_add_the_slash_and_keep_the_query() {
        assert_eq!(redirect_location("/docs", ""), "/docs/");
        assert_eq!(redirect_location("/docs", "a=1&b=2"), "/docs/?a=1&b=2");
        assert_eq!(redirect_location("/a%20b/c", "x"), "/a%20b/c/?x");
    }

    #[test]
    fn listings_escape_names_in_text_and_links() {
        let page = listing_html(
            "/<b>/",
            &[entry("<script>alert(1)<script>", EntryKind::File)],
        );
        assert!(page.contains("<title>Directory listing for /&lt;b&gt;/</title>"));
        assert!(page.contains(
            "<li><a href=\"%3Cscript%3Ealert%281%29%3Cscript%3E\">\
             &lt;script&gt;alert(1)&lt;script&gt;</a></li>"
        ));
        assert!(!page.contains("<script>"), "{page}");
    }

    #[test]
    fn listing_links_percent_encode_everything_but_unreserved() {
        let page = listing_html("/", &[entry("a b#c?d%e&é:~_-.txt", EntryKind::File)]);
        assert!(
            page.contains("href=\"a%20b%23c%3Fd%25e%26%C3%A9%3A~_-.txt\""),
            "{page}"
        );
        assert!(page.contains(">a b#c?d%e&amp;é:~_-.txt</a>"), "{page}");
    }

    #[test]
    fn listings_mark_directories_and_links_like_python() {
        let page = listing_html(
            "/",
            &[
                entry("dir", EntryKind::Directory),
                entry("file", EntryKind::File),
                entry(
                    "link",
                    EntryKind::Symlink {
                        to_directory: false,
                    },
                ),
                entry("linkdir", EntryKind::Symlink { to_directory: true }),
            ],
        );
        let items: Vec<&str> = page.lines().filter(|l| l.starts_with("<li>")).collect();
        assert_eq!(
            items,
            [
                "<li><a href=\"dir/\">dir/</a></li>",
                "<li><a href=\"file\">file</a></li>",
                "<li><a href=\"link\">link@</a></li>",
                "<li><a href=\"linkdir/\">linkdir@</a></li>",
            ]
        );
    }

    #[test]
    fn listings_sort_case_insensitively() {
        let names = ["b.txt", "a.txt", "C.txt", "A.txt", "Äb", "_x", "10", "9"];
        let entries: Vec<_> = names.iter().map(|n| entry(n, EntryKind::File)).collect();
        let page = listing_html("/", &entries);
        let shown: Vec<&str> = page
            .lines()
            .filter_map(|l| l.strip_prefix("<li><a href=\""))
            .filter_map(|l| l.split('>').nth(1))
            .filter_map(|l| l.strip_suffix("</a"))
            .collect();
        assert_eq!(
            shown,
            ["10", "9", "_x", "A.txt", "a.txt", "b.txt", "C.txt", "Äb"]
        );
    }

    #[test]
    fn if_modified_since_is_honoured_without_if_none_match() {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let at = httpdate::parse_http_date(date).unwrap();
        let earlier = at - Duration::from_secs(1);
        let later = at + Duration::from_secs(1);
        let ims = head(&format!("If-Modified-Since: {date}\r\n"));
        assert!(is_not_modified(&ims, at));
        assert!(is_not_modified(&ims, earlier));
        assert!(!is_not_modified(&ims, later));

        let both = head(&format!(
            "If-Modified-Since: {date}\r\nIf-None-Match: \"x\"\r\n"
        ));
        assert!(!is_not_modified(&both, earlier), "If-None-Match decides");
        assert!(!is_not_modified(
            &head("If-Modified-Since: yesterday\r\n"),
            at
        ));
        assert!(!is_not_modified(&head(""), at));
    }

    #[test]
    fn last_modified_is_whole_seconds_and_never_in_the_future() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mtime = UNIX_EPOCH + Duration::from_millis(999_999_750);
        assert_eq!(
            last_modified(mtime, now),
            Some(UNIX_EPOCH + Duration::from_secs(999_999))
        );
        let future = now + Duration::from_secs(3600);
        assert_eq!(last_modified(future, now), Some(now));
        let before_1970 = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(last_modified(before_1970, now), None);
    }

    #[test]
    fn content_types_come_from_the_name() {
        assert_eq!(content_type(Path::new("a/page.html")), "text/html");
        assert_eq!(content_type(Path::new("style.css")), "text/css");
        assert_eq!(content_type(Path::new("README")), UNKNOWN_CONTENT_TYPE);
    }

    /// A temporary directory for the file-system tests, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(label: &str) -> Scratch {
            let dir = std::env::temp_dir()
                .join(format!("server-core-static-{label}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir.canonicalize().unwrap())
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_may_not_leave_the_root() {
        use std::os::unix::fs::symlink;
        let scratch = Scratch::new("symlinks");
        let public = scratch.0.join("public");
        let private = scratch.0.join("private");
        fs::create_dir_all(public.join("sub")).unwrap();
        fs::create_dir_all(&private).unwrap();
        fs::write(private.join("secret.txt"), "secret").unwrap();
        fs::write(public.join("sub/hello.txt"), "hello").unwrap();
        symlink("../private/secret.txt", public.join("secret.txt")).unwrap();
        symlink("sub/hello.txt", public.join("hello.txt")).unwrap();
        symlink("nowhere", public.join("broken")).unwrap();
        fs::create_dir_all(scratch.0.join("public2")).unwrap();
        fs::write(scratch.0.join("public2/x"), "x").unwrap();
        symlink("../public2", public.join("sibling")).unwrap();

        assert_eq!(
            resolve(&public, "/hello.txt"),
            Ok(public.join("sub/hello.txt"))
        );
        assert_eq!(resolve(&public, "/secret.txt"), Err(NotFound::OutsideRoot));
        assert_eq!(resolve(&public, "/sibling/x"), Err(NotFound::OutsideRoot));
        assert_eq!(resolve(&public, "/broken"), Err(NotFound::Missing));
        assert_eq!(resolve(&public, "/missing"), Err(NotFound::Missing));
        assert_eq!(resolve(&public, "/"), Ok(public.clone()));

        let mut listed = read_listing(&public, &public).unwrap();
        listed.sort_by(listing_order);
        assert_eq!(
            listed,
            [
                entry(
                    "hello.txt",
                    EntryKind::Symlink {
                        to_directory: false
                    }
                ),
                entry("sub", EntryKind::Directory),
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn opening_beneath_the_root_agrees_with_the_portable_check() {
        use std::os::unix::fs::symlink;
        let scratch = Scratch::new("beneath");
        let public = scratch.0.join("public");
        fs::create_dir_all(public.join("sub")).unwrap();
        fs::write(scratch.0.join("secret.txt"), "secret").unwrap();
        fs::write(public.join("sub/hello.txt"), "hello").unwrap();
        symlink("sub/hello.txt", public.join("relative-link.txt")).unwrap();
        symlink(
            public.join("sub/hello.txt"),
            public.join("absolute-link.txt"),
        )
        .unwrap();
        symlink("../secret.txt", public.join("out.txt")).unwrap();
        symlink(
            scratch.0.join("secret.txt"),
            public.join("absolute-out.txt"),
        )
        .unwrap();
        symlink("/proc/self/root/etc/hostname", public.join("magic.txt")).unwrap();
        let root = Root::open(public.clone());
        let outcome = |name: &str| {
            let relative = relative_path(name).unwrap();
            let fast = open_inside_root(&root, &relative).map(|opened| opened.metadata.len());
            let portable = open_then_check(&public, &public.join(&relative))
                .map(|opened| opened.metadata.len());
            assert_eq!(fast, portable, "{name}");
            fast
        };
        assert_eq!(outcome("/sub/hello.txt"), Ok(5));
        assert_eq!(outcome("/relative-link.txt"), Ok(5));
        // The kernel refuses absolute links; the portable check accepts one that stays inside.
        assert_eq!(outcome("/absolute-link.txt"), Ok(5));
        assert_eq!(outcome("/out.txt"), Err(NotFound::OutsideRoot));
        assert_eq!(outcome("/absolute-out.txt"), Err(NotFound::OutsideRoot));
        assert_eq!(outcome("/magic.txt"), Err(NotFound::OutsideRoot));
        assert_eq!(outcome("/missing.txt"), Err(NotFound::Missing));
        assert_eq!(outcome("/sub/hello.txt/x"), Err(NotFound::Missing));
        let top = open_inside_root(&root, Path::new("")).unwrap();
        assert!(top.metadata.is_dir());
        // The name served is the name asked for: its extension gives the type.
        let linked = open_inside_root(&root, Path::new("relative-link.txt")).unwrap();
        assert_eq!(linked.path, public.join("relative-link.txt"));
    }
}
