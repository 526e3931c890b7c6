//! A CGI/1.1 host: files are served, scripts in `cgi-bin/` are run (RFC 3875; lesson 03).
//!
//! What it teaches: the Common Gateway Interface is the oldest way to put a program behind a
//! web server. For each request the server starts the program, describes the request in its
//! environment, gives it the body on standard input, and turns what it prints into the
//! response. Chapter 3 ("CGI", `book/src/ch03-cgi.md`) follows one request through
//! [`CgiHost`]'s `respond` and `run_script`, the flow in this file; each step lives in a
//! submodule:
//!
//! - [`route`] — which paths are scripts, and which file a script path names (RFC 3875 §3.3);
//! - [`env`] — the meta-variables, the request as environment variables (§4.1, §4.4);
//! - [`process`] — running the script with pipes, a time limit, a cap, a reaper (§4.2, §7);
//! - [`helpers`] — the threads that watch scripts (one each), kept for the next script;
//! - [`output`] — checking what the script prints and turning it into a response (§6).
//!
//! It behaves like `python3 -m http.server --cgi`: every path whose first segment is
//! `cgi-bin` or `htbin` runs a script; every other path is a file served by
//! [`StaticFiles`], with one addition: a path that reaches a script folder some other way (a
//! symbolic link to it) is refused, so no script's source is ever sent.
//!
//! Choices made here, and why:
//! - The body is read completely before the script starts ([`process::spool`]): into memory
//!   up to 64 KiB, into an unnamed temporary file beyond, so any size takes constant memory.
//!   RFC 3875 §4.1.2 needs the length in `CONTENT_LENGTH` before the script starts, and a
//!   chunked body has no length until its end; and a script that prints before it reads its
//!   input can then never deadlock with a server that writes the input while the response is
//!   still unsent (this server's handlers return the response head only when they are done
//!   with the body). The price: the script starts when the upload is complete.
//! - The script is checked (403, 404) and a slot is taken (503) *before* the body is read,
//!   so a client that sent `Expect: 100-continue` never uploads for nothing.
//! - Scripts run in a time limit ([`CgiOptions::timeout`], 60 s): past it the script's
//!   whole process group gets SIGTERM, then SIGKILL, and the client gets 504 — or, when part
//!   of the response has already gone out, a cut connection (never a short response that
//!   looks complete). A client that goes away gets its script stopped the same way.
//! - At most [`CgiOptions::max_scripts`] scripts run at once (16); past that, 503 with
//!   `Retry-After: 1`. Each running script costs a process and one helper thread, which
//!   goes back to a pool ([`helpers`]) when the script is done.
//! - A local redirect (`Location: /other` and no `Status`, RFC 3875 §6.2.2) is followed inside
//!   the server, as a GET (a HEAD stays a HEAD) with no body, at most
//!   [`MAX_LOCAL_REDIRECTS`] times in a row (then 502: a loop).
//! - Root: a script started by a server running as root would be root too. Instead of
//!   refusing, the host runs scripts as user `nobody` (uid 65534 on Linux) when it runs as
//!   root ([`RunAs::for_this_process`]) and says so at start-up ([`CgiHost::startup_note`]). The
//!   scripts and the folders above them must then be readable and executable by everyone
//!   (`chmod a+rx`), which a normal checkout is.
//! - Failures are answered with a short page; the details (bad header line, exit status,
//!   stderr) go to the server log, where the person running the server can read them.
//!
//! What is not here: no `AUTH_TYPE`/`REMOTE_USER` (no authentication), no NPH scripts
//! (§5: the script would write to the socket, which is the design this host avoids), Unix
//! only (process groups, signals, execute bits).

pub mod env;
pub mod helpers;
pub mod output;
pub mod process;
pub mod route;

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::request::BodyFraming;
use crate::response::status_forbids_body;
use crate::static_files::{self, StaticFiles};
use crate::{Body, Handler, Request, RequestBody, Response, access_log};

use env::{ScriptTarget, inherited_variables, meta_variables, search_arguments};
use output::{OutputError, ScriptReply, interpret, read_headers};
use process::{Launch, ScriptInput, ScriptOutput, Slots, StartError, spool};
use route::{Route, ScriptPath, ScriptRefusal, classify, resolve_script};

/// How many local redirects in a row one request may follow.
pub const MAX_LOCAL_REDIRECTS: u8 = 5;
/// The user and group id of `nobody` on Linux, used when the name cannot be looked up.
pub const NOBODY: u32 = 65534;

/// Which user scripts run as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunAs {
    /// The server's own user (the normal case: the server is not root).
    ServerUser,
    /// Another user, set between fork and exec (the server runs as root).
    User {
        /// The user id.
        uid: u32,
        /// The group id.
        gid: u32,
    },
}

impl RunAs {
    /// `nobody` when this process runs as root, otherwise the server's own user.
    pub fn for_this_process() -> RunAs {
        RunAs::for_effective_uid(nix::unistd::geteuid().as_raw())
    }

    /// `nobody` for root (uid 0), the server's own user for anyone else.
    pub fn for_effective_uid(euid: u32) -> RunAs {
        if euid == 0 {
            RunAs::nobody()
        } else {
            RunAs::ServerUser
        }
    }

    /// The user `nobody` and its group, from the user database (65534 when it has none).
    pub fn nobody() -> RunAs {
        match nix::unistd::User::from_name("nobody") {
            Ok(Some(user)) => RunAs::User {
                uid: user.uid.as_raw(),
                gid: user.gid.as_raw(),
            },
            _ => RunAs::User {
                uid: NOBODY,
                gid: NOBODY,
            },
        }
    }
}

impl fmt::Display for RunAs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunAs::ServerUser => f.write_str("the server's user"),
            RunAs::User { uid, gid } => write!(f, "uid {uid} (gid {gid})"),
        }
    }
}

/// How scripts are run. Every field is a command-line flag of `lesson03-cgi`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgiOptions {
    /// How long a script may run before it is stopped (504).
    pub timeout: Duration,
    /// Most scripts running at once (503 past it).
    pub max_scripts: usize,
    /// Pass the `Authorization` header to scripts as `HTTP_AUTHORIZATION` (off: credentials
    /// stay with the server unless a script is meant to check them).
    pub pass_authorization: bool,
    /// `SERVER_SOFTWARE`: the server's name and version.
    pub server_software: String,
    /// The user scripts run as.
    pub run_as: RunAs,
    /// The variables inherited from the server's environment ([`env::INHERITED_VARIABLES`]),
    /// captured once so that building an environment stays a pure function.
    pub inherited: Vec<env::MetaVariable>,
}

impl Default for CgiOptions {
    fn default() -> Self {
        CgiOptions {
            timeout: Duration::from_secs(60),
            max_scripts: 16,
            pass_authorization: false,
            server_software: format!("server-core/{}", env!("CARGO_PKG_VERSION")),
            run_as: RunAs::for_this_process(),
            inherited: inherited_variables(std::env::vars_os()),
        }
    }
}

/// Why a script request failed, and what the client is answered.
#[derive(Debug)]
pub enum HostError {
    /// The path is refused by the decoder (`..`, a backslash...): 404.
    BadPath(static_files::NotFound),
    /// No runnable script by that name: 403 or 404.
    Refused(ScriptRefusal),
    /// Too many scripts are running: 503.
    Busy {
        /// The cap.
        max: usize,
    },
    /// The request body could not be read; the connection answers the real reason.
    Body(std::io::Error),
    /// The request body could not be stored for the script: 500.
    Spool(std::io::Error),
    /// The script could not be started: 502.
    Start(StartError),
    /// The script's output is not valid CGI output: 502.
    Output(OutputError),
    /// The script ran past its time limit before its header block was complete: 504.
    Timeout(Duration),
    /// Local redirects went round more than [`MAX_LOCAL_REDIRECTS`] times: 502.
    RedirectLoop,
}

impl HostError {
    /// The status the client is answered with.
    pub fn status(&self) -> u16 {
        match self {
            HostError::BadPath(_) => 404,
            HostError::Refused(refusal) => refusal.status(),
            HostError::Busy { .. } => 503,
            HostError::Body(_) => 400,
            HostError::Spool(_) => 500,
            HostError::Start(_) | HostError::Output(_) | HostError::RedirectLoop => 502,
            HostError::Timeout(_) => 504,
        }
    }

    /// The short message of the error page: no paths, no script output, no system errors.
    pub fn public_message(&self) -> String {
        match self {
            HostError::BadPath(_) => "File not found".to_string(),
            // Like the file server, one message for every missing script: it gives nothing away.
            HostError::Refused(ScriptRefusal::NotFound(_)) => "No such script".into(),
            HostError::Refused(refusal) => refusal.to_string(),
            HostError::Busy { .. } => "Too many scripts are running; try again in a moment".into(),
            HostError::Body(_) => "The request body could not be read".into(),
            HostError::Spool(_) => "The request body could not be stored for the script".into(),
            HostError::Start(_) => "The script could not be started; see the server log".into(),
            HostError::Output(_) => {
                "The script's answer was not valid CGI output; see the server log".into()
            }
            HostError::Timeout(limit) => format!("The script did not answer within {limit:?}"),
            HostError::RedirectLoop => "The script's local redirects go round in a loop".into(),
        }
    }

    /// The error page. The one for the script folder itself links to the folder's index
    /// script, the page the README sends learners to, when that script can run.
    pub fn response(&self) -> Response {
        let status = self.status();
        let message = self.public_message();
        let response = match self {
            HostError::Refused(ScriptRefusal::NoScriptName { index: Some(index) }) => {
                Response::html(
                    status,
                    crate::html::error_page_with_link(
                        status,
                        &message,
                        "The scripts are listed at",
                        index,
                    ),
                )
            }
            _ => Response::error_page(status, &message),
        };
        match self {
            HostError::Busy { .. } => response
                .with_header("Retry-After", "1")
                .unwrap_or_else(|_| Response::error_page(503, "Busy")),
            _ => response,
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::BadPath(why) => write!(f, "refused path: {why}"),
            HostError::Refused(refusal) => refusal.fmt(f),
            HostError::Busy { max } => write!(f, "{max} scripts are already running"),
            HostError::Body(err) => write!(f, "the request body could not be read: {err}"),
            HostError::Spool(err) => write!(f, "the request body could not be stored: {err}"),
            HostError::Start(err) => err.fmt(f),
            HostError::Output(err) => err.fmt(f),
            HostError::Timeout(limit) => {
                write!(
                    f,
                    "the script sent no complete header block within {limit:?}"
                )
            }
            HostError::RedirectLoop => write!(
                f,
                "more than {MAX_LOCAL_REDIRECTS} local redirects in a row (Location: /...)"
            ),
        }
    }
}

impl std::error::Error for HostError {}

impl From<OutputError> for HostError {
    fn from(err: OutputError) -> Self {
        HostError::Output(err)
    }
}

/// The CGI host: a [`Handler`] that runs scripts under `cgi-bin/` and `htbin/` and serves
/// every other path as a file.
pub struct CgiHost {
    /// The served directory, canonical.
    root: PathBuf,
    /// The file server for everything that is not a script.
    files: StaticFiles,
    /// The script folders that exist, canonical: nothing inside them is ever sent as a file.
    script_folders: Vec<PathBuf>,
    /// How scripts run.
    options: CgiOptions,
    /// The cap on running scripts.
    slots: Arc<Slots>,
    /// Set when a root server keeps root for its scripts too ([`CgiHost::choose_script_user`]):
    /// the folder `nobody` may not enter, and the loopback address that makes it acceptable.
    root_kept: Option<(PathBuf, IpAddr)>,
}

impl CgiHost {
    /// A host serving `root`, running its scripts with `options`.
    pub fn new(root: PathBuf, options: CgiOptions) -> Self {
        let files = StaticFiles::new(root);
        let root = files.root().to_path_buf();
        let script_folders = route::SCRIPT_DIRECTORIES
            .iter()
            .filter_map(|dir| root.join(dir).canonicalize().ok())
            .collect();
        let slots = Slots::new(options.max_scripts);
        CgiHost {
            root,
            files,
            script_folders,
            options,
            slots,
            root_kept: None,
        }
    }

    // ANCHOR: choose_script_user
    /// Started as root, with a served folder the user `nobody` may not enter (a checkout in
    /// `/root`, mode 700, as in a container): scripts running as `nobody` could not even be
    /// started. When the server listens on this machine only (`listening_on` is a loopback
    /// address), it keeps root and so do its scripts, and the start-up note says so; a server
    /// others can reach never runs scripts as root, so then nothing changes (scripts run as
    /// `nobody`, fail with 502, and the note says how to fix it).
    pub fn choose_script_user(&mut self, listening_on: IpAddr) {
        if self.options.run_as == RunAs::ServerUser || !listening_on.is_loopback() {
            return;
        }
        if let Some(folder) = self.blocked_folder() {
            self.options.run_as = RunAs::ServerUser;
            self.root_kept = Some((folder, listening_on));
        }
    }
    // ANCHOR_END: choose_script_user

    /// The options scripts run with.
    pub fn options(&self) -> &CgiOptions {
        &self.options
    }

    /// Scripts running now (for tests and the curious).
    pub fn running_scripts(&self) -> usize {
        self.slots.running()
    }

    /// What the start-up output should add about scripts: who they run as, when that is
    /// not the server's own user, and a warning when that user cannot reach the scripts.
    pub fn startup_note(&self) -> Option<String> {
        if let Some((folder, address)) = &self.root_kept {
            return Some(format!(
                "Started as root: user nobody may not enter {folder}, so the server stays root, \
                 and CGI scripts run as root too. That is allowed only because the server \
                 listens on this machine only ({address}); before sharing it with -b, run it as \
                 a normal user, or let nobody in: chmod o+x {folder}",
                folder = folder.display()
            ));
        }
        if self.options.run_as == RunAs::ServerUser {
            return None;
        }
        let Some(folder) = self.blocked_folder() else {
            return Some(format!(
                "Started as root: the server runs as user nobody, {}, once its port is open, \
                 and so do CGI scripts; files must be readable by everyone, scripts executable \
                 (chmod a+rx).",
                self.options.run_as
            ));
        };
        Some(format!(
            "Started as root: CGI scripts run as user nobody, {}: a server others can reach \
             never runs scripts as root.\nwarning: user nobody may not enter {}, so the server \
             stays root to serve files, and every script will fail with 502; run the server as \
             a normal user, or: chmod o+x {}",
            self.options.run_as,
            folder.display(),
            folder.display()
        ))
    }

    // ANCHOR: give_up_root
    /// Started as root: becomes the scripts' user for good ([`process::drop_privileges`]) —
    /// unless that user could not even reach the served folders, in which case the server
    /// stays root, so that at least its files are served (the start-up note says why).
    pub fn give_up_root(&self) -> std::io::Result<()> {
        if self.root_kept.is_some() || self.blocked_folder().is_some() {
            return Ok(());
        }
        process::drop_privileges(self.options.run_as)
    }
    // ANCHOR_END: give_up_root

    /// The first folder on the way to the served folder or a script folder that scripts'
    /// user may not enter.
    pub fn blocked_folder(&self) -> Option<PathBuf> {
        let run_as = self.options.run_as;
        if run_as == RunAs::ServerUser {
            return None;
        }
        std::iter::once(&self.root)
            .chain(&self.script_folders)
            .flat_map(|folder| folder.ancestors())
            .find(|folder| {
                std::fs::metadata(folder).is_ok_and(|m| !route::is_executable_by(&m, run_as))
            })
            .map(Path::to_path_buf)
    }

    // ANCHOR: respond
    /// Answers one request; `body` is `None` for a local redirect, which has none.
    fn respond(&self, request: &Request, body: Option<&mut RequestBody<'_>>, hops: u8) -> Response {
        let result = match classify(request.path()) {
            Err(why) => Err(HostError::BadPath(why)),
            Ok(Route::Static) => Ok(self.serve_file(request)),
            Ok(Route::Script(path)) => self.run_script(request, body, &path, hops),
        };
        result.unwrap_or_else(|err| {
            if err.status() >= 500 {
                let message = format!("{}: {err}", request.path());
                access_log::log_message(Some(request.peer), &message);
            }
            err.response()
        })
    }
    // ANCHOR_END: respond

    /// A file, unless it lies inside a script folder (reached through a symbolic link).
    fn serve_file(&self, request: &Request) -> Response {
        let path = static_files::without_fragment(request.path());
        if let Ok(found) = static_files::resolve(&self.root, path) {
            if self.script_folders.iter().any(|dir| found.starts_with(dir)) {
                return Response::error_page(404, "File not found");
            }
        }
        self.files.answer(request)
    }

    // ANCHOR: run_script
    /// Resolves, starts and reads one script, and turns its header block into a response.
    fn run_script(
        &self,
        request: &Request,
        body: Option<&mut RequestBody<'_>>,
        path: &ScriptPath,
        hops: u8,
    ) -> Result<Response, HostError> {
        let target =
            resolve_script(&self.root, path, self.options.run_as).map_err(HostError::Refused)?;
        // The body first, then the slot: a client that trickles its body (bounded by the body
        // limit and timeout) holds its own connection, never one of the few script slots.
        let (input, content_length) = read_body(request, body)?;
        let permit = self.slots.try_acquire().ok_or(HostError::Busy {
            max: self.options.max_scripts,
        })?;
        let launch = self.launch(request, &target, input, content_length);
        let mut output = process::start(launch, permit).map_err(HostError::Start)?;
        let headers = read_headers(&mut output).map_err(|err| {
            // Output that ends because the helper stopped the script at its deadline is a timeout.
            if output.timed_out() {
                HostError::Timeout(self.options.timeout)
            } else {
                HostError::Output(err)
            }
        })?;
        match interpret(headers)? {
            ScriptReply::LocalRedirect { location } => {
                drop(output);
                self.local_redirect(request, &location, hops)
            }
            ScriptReply::Respond { status, fields } => {
                if request.method == "HEAD" || status_forbids_body(status) {
                    output.discard_rest_on_drop();
                }
                script_response(status, fields, output)
            }
        }
    }
    // ANCHOR_END: run_script

    /// Everything needed to start the script of this request.
    fn launch(
        &self,
        request: &Request,
        target: &ScriptTarget,
        input: ScriptInput,
        content_length: Option<u64>,
    ) -> Launch {
        let directory = target
            .script_file
            .parent()
            .map_or_else(|| self.root.clone(), Path::to_path_buf);
        Launch {
            program: target.script_file.clone(),
            arguments: search_arguments(request),
            environment: meta_variables(request, target, content_length, &self.options),
            directory,
            input,
            run_as: self.options.run_as,
            timeout: self.options.timeout,
            label: target.script_name.clone(),
            client: request.peer,
        }
    }

    // ANCHOR: local_redirect
    /// Answers what a GET of `location` would get (RFC 3875 §6.2.2).
    fn local_redirect(
        &self,
        request: &Request,
        location: &str,
        hops: u8,
    ) -> Result<Response, HostError> {
        if hops >= MAX_LOCAL_REDIRECTS {
            return Err(HostError::RedirectLoop);
        }
        let mut head = request.head.clone();
        head.method = if head.method == "HEAD" { "HEAD" } else { "GET" }.to_string();
        head.target = location.to_string();
        head.framing = BodyFraming::None;
        head.expects_continue = false;
        head.headers.retain(|h| {
            !["content-length", "content-type", "transfer-encoding"]
                .iter()
                .any(|name| h.name.eq_ignore_ascii_case(name))
        });
        let redirected = Request {
            head,
            peer: request.peer,
            local: request.local,
            tls: request.tls.clone(),
        };
        Ok(self.respond(&redirected, None, hops + 1))
    }
    // ANCHOR_END: local_redirect
}

// ANCHOR: handle
impl Handler for CgiHost {
    fn handle(&self, request: &Request, body: &mut RequestBody<'_>) -> Response {
        self.respond(request, Some(body), 0)
    }
}
// ANCHOR_END: handle

/// The body as the script will read it, and its length when the request has one.
fn read_body(
    request: &Request,
    body: Option<&mut RequestBody<'_>>,
) -> Result<(ScriptInput, Option<u64>), HostError> {
    let Some(body) = body.filter(|_| request.framing != BodyFraming::None) else {
        return Ok((ScriptInput::Empty, None));
    };
    match spool(body) {
        Ok((input, length)) => Ok((input, Some(length))),
        // A broken body is remembered by the body itself and answered by the connection.
        Err(err) if body.error().is_some() => Err(HostError::Body(err)),
        Err(err) => Err(HostError::Spool(err)),
    }
}

/// The response for a script's header block, with the rest of its output as the body.
fn script_response(
    status: u16,
    fields: Vec<(String, String)>,
    output: ScriptOutput,
) -> Result<Response, HostError> {
    let mut response = Response::new(status);
    for (name, value) in fields {
        response
            .add_header(&name, value)
            .map_err(|err| HostError::Output(OutputError::InvalidHeader(err)))?;
    }
    Ok(response.with_body(Body::Stream {
        reader: Box::new(output),
        len: None,
    }))
}

#[cfg(test)]
mod tests;
