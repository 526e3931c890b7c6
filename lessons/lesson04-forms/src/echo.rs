//! What the server read from a request: the request line, the headers, the form, the files
//! and the cookies — as text laid out like the course's Python handler prints them, or as
//! JSON like its `http.server` example.
//!
//! The form comes from `server_core::form::Form`, one interface over the query string, an
//! urlencoded body and a multipart body; the cookies from `server_core::cookies`. Uploaded
//! files are saved into the upload folder under a safe, unique name, and the answer shows
//! each one's size and SHA-256 so a learner can check that the bytes arrived unchanged
//! (`sha256sum file`).
//!
//! Choices made here (chapter 4 discusses them):
//! - `/` (GET or HEAD) is the forms page and `/forget` deletes the `user` cookie; every other
//!   request, whatever its method and path, gets the print-out.
//! - JSON is sent when `Accept` names `application/json` (with a q-value above 0), when the
//!   path starts with `/json` (which is then removed from the reported path), or when the
//!   body itself is JSON (`Content-Type: application/json`) and `Accept` does not refuse JSON
//!   with `q=0`: a client that speaks JSON gets JSON back without asking twice, as from seed
//!   001's handler, which answers every request in JSON. Any other request, `Accept: */*`
//!   included, gets the text print-out.
//! - In JSON, `query_data` and `form_data` map each name to its *last* value, as Python's
//!   `dict(parse_qsl(...))` does; blank values are kept; `cookies` keeps each name's *first*
//!   value; `post_data` is the body as text (null for multipart bodies, which may be binary).
//! - A form that sends a non-empty `user` field gets the name back in a `user` cookie (a
//!   day long, `HttpOnly`, `SameSite=Lax`); the forms page greets it.
//! - A file that cannot be saved (a full disk, say) is never reported with a 200: the answer
//!   is an error page (507 for a full disk, 500 otherwise) naming the file, the reason goes to
//!   the log, and the files of the same request saved before it are removed again, so an
//!   error means none of the request's files was kept.

use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::path::PathBuf;

use serde_json::{Map, Value, json};
use server_core::access_log::log_message;
use server_core::cookies::{self, SetCookie, parse_cookie_header};
use server_core::form::{BodyKind, Form, FormError, FormOptions, FormValue, python_repr};
use server_core::{Handler, Request, RequestBody, Response};

use crate::page::forms_page;

/// The cookie that remembers the last `user` a form sent.
const USER_COOKIE: &str = "user";

/// How long the browser keeps it, in seconds: a day.
const USER_COOKIE_SECONDS: u64 = 24 * 60 * 60;

/// The lesson's handler: the forms page, and the print-out of everything else.
pub struct FormEcho {
    /// Where uploads are saved (canonical, created at start).
    uploads: PathBuf,
    /// How forms are read: limits, blank values, where temporary files go.
    options: FormOptions,
}

/// What became of one uploaded file.
struct SavedFile<'a> {
    /// The form field it came in.
    field: &'a str,
    /// The file as received.
    file: &'a server_core::form::UploadedFile,
    /// Where it was saved, or `None` for a file input left empty (no file name, no bytes).
    path: Option<PathBuf>,
}

impl SavedFile<'_> {
    /// The name it was saved under (`text1`, `text1-3f9a1c`), if it was saved.
    fn saved_as(&self) -> Option<String> {
        let path = self.path.as_ref()?;
        Some(path.file_name()?.to_string_lossy().into_owned())
    }
}

impl FormEcho {
    /// A handler saving uploads into `uploads`.
    pub fn new(uploads: PathBuf, options: FormOptions) -> FormEcho {
        FormEcho { uploads, options }
    }

    // ANCHOR: echo
    /// Reads the form (and, unless it is multipart, keeps the raw body to show), saves the
    /// files, and answers with the print-out or JSON.
    fn echo(&self, request: &Request, body: &mut RequestBody<'_>) -> Result<Response, FormError> {
        let content_type = request.header("Content-Type");
        let (form, post_data) = match BodyKind::of(content_type) {
            BodyKind::Multipart(_) => (Form::from_request(request, body, &self.options)?, None),
            _ => {
                let raw = read_body(body, self.options.limits.max_text_bytes)?;
                let form = Form::read(request.query(), content_type, &raw[..], &self.options)?;
                (form, Some(String::from_utf8_lossy(&raw).into_owned()))
            }
        };
        let saved = self.save_files(&form).inspect_err(|error| {
            log_message(Some(request.peer), &error.to_string());
        })?;
        let mut response = match json_path(request) {
            Some(path) => Response::new(200)
                .with_header("Content-Type", "application/json")
                .expect("a constant header")
                .with_body(json_view(
                    request,
                    path,
                    &form,
                    post_data,
                    &saved,
                    &self.options,
                )),
            None => {
                let text = print_out(request, &form, &saved);
                print!("{text}");
                Response::text(200, text)
            }
        };
        if let Some(user) = form.first("user").filter(|user| !user.is_empty()) {
            let cookie = SetCookie::new(USER_COOKIE, cookies::encode_value(user))
                .path("/")
                .max_age(USER_COOKIE_SECONDS)
                .http_only()
                .same_site(cookies::SameSite::Lax);
            response = response.with_cookie(&cookie).expect("an encoded value");
        }
        Ok(response)
    }
    // ANCHOR_END: echo

    /// Saves every uploaded file that has a name; a part sent without a file is skipped. If a
    /// file cannot be saved, the files saved before it are removed and the error returned:
    /// the client must not be told "saved" for a file that is not on disk.
    fn save_files<'a>(&self, form: &'a Form) -> Result<Vec<SavedFile<'a>>, FormError> {
        let mut saved: Vec<SavedFile<'a>> = Vec::new();
        for (field, file) in form.files() {
            let path = if file.filename.is_empty() {
                None
            } else {
                match file.save_into(&self.uploads) {
                    Ok(path) => Some(path),
                    Err(error) => {
                        for earlier in saved.iter().filter_map(|saved| saved.path.as_ref()) {
                            let _ = fs::remove_file(earlier);
                        }
                        return Err(FormError::NotSaved {
                            filename: file.filename.clone(),
                            error,
                        });
                    }
                }
            };
            saved.push(SavedFile { field, file, path });
        }
        Ok(saved)
    }
}

// ANCHOR: handle
impl Handler for FormEcho {
    fn handle(&self, request: &Request, body: &mut RequestBody<'_>) -> Response {
        match (request.method.as_str(), request.path()) {
            ("GET" | "HEAD", "/") => {
                let user = request
                    .header("Cookie")
                    .map(parse_cookie_header)
                    .unwrap_or_default()
                    .into_iter()
                    .find(|(name, _)| name == USER_COOKIE)
                    .and_then(|(_, value)| cookies::decode_value(&value));
                Response::html(200, forms_page(user.as_deref()))
            }
            ("GET" | "HEAD", "/forget") => Response::new(303)
                .with_header("Location", "/")
                .expect("a constant header")
                .with_cookie(&SetCookie::removal(USER_COOKIE).path("/"))
                .expect("a valid cookie"),
            _ => self.echo(request, body).unwrap_or_else(|error| {
                // A body the connection could not read is answered by the server itself.
                Response::error_page(error.status(), &error.to_string())
            }),
        }
    }
}
// ANCHOR_END: handle

/// The whole body, up to `limit` bytes (413 past it).
fn read_body(body: &mut RequestBody<'_>, limit: u64) -> Result<Vec<u8>, FormError> {
    let mut raw = Vec::new();
    body.take(limit.saturating_add(1))
        .read_to_end(&mut raw)
        .map_err(FormError::Body)?;
    if raw.len() as u64 > limit {
        return Err(FormError::TooLarge {
            what: "the request body".to_string(),
            limit,
        });
    }
    Ok(raw)
}

// ANCHOR: print_out
/// The print-out: who asked, the request line in parts, the headers, the form, the files.
fn print_out(request: &Request, form: &Form, saved: &[SavedFile<'_>]) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "Client address: {}", request.peer);
    let _ = writeln!(text, "Server address: {}", request.local);
    let _ = writeln!(text, "requestline: {}", request.request_line());
    let _ = writeln!(text, "command: {}", request.method);
    let _ = writeln!(text, "path: {}", request.target);
    let _ = writeln!(text, "request_version: {}", request.version);
    let _ = writeln!(text, "Headers:");
    for header in &request.headers {
        let name = header.name.to_ascii_lowercase();
        let _ = writeln!(text, "{name}: {}", python_repr(&header.value));
    }
    let _ = writeln!(text, "Form:");
    text.push_str(&form.describe());
    if !saved.is_empty() {
        let _ = writeln!(text, "Files:");
    }
    for saved_file in saved {
        let fate = match saved_file.saved_as() {
            Some(name) => format!("saved as {}", python_repr(&name)),
            None => "not saved (empty file name)".to_string(),
        };
        let _ = writeln!(
            text,
            "{} {} {fate}",
            saved_file.field,
            saved_file.file.summary()
        );
    }
    text
}
// ANCHOR_END: print_out

// ANCHOR: json_path
/// The path to report if the client asked for JSON, or `None` for the text print-out.
fn json_path(request: &Request) -> Option<&str> {
    let path = request.path();
    if path == "/json" {
        return Some("/");
    }
    if let Some(rest) = path.strip_prefix("/json/") {
        // `rest` is a suffix of `path`, so the byte before it is the `/` we keep.
        return Some(&path[path.len() - rest.len() - 1..]);
    }
    let wants_json = match accepts_json(request) {
        Some(accepted) => accepted,
        // `Accept` says nothing about JSON: a JSON body is answered in JSON.
        None => request
            .header("Content-Type")
            .is_some_and(is_json_media_type),
    };
    wants_json.then_some(path)
}

/// What `Accept` says about `application/json`: `Some(true)` if it names it with a q-value
/// above 0, `Some(false)` if only with `q=0` ("not this"), `None` if it does not name it.
fn accepts_json(request: &Request) -> Option<bool> {
    let mut verdict = None;
    for range in request
        .header_values("Accept")
        .flat_map(|accept| accept.split(','))
    {
        let mut params = range.split(';');
        if !is_json_media_type(params.next().unwrap_or("")) {
            continue;
        }
        // `q=0` (or `Q=0`: parameter names ignore case, RFC 9110 §5.6.6) means "not this".
        let refused = params.any(|param| {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            name.trim().eq_ignore_ascii_case("q")
                && value.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
        });
        if !refused {
            return Some(true);
        }
        verdict = Some(false);
    }
    verdict
}

/// True for `application/json`, in any case, with or without parameters (`; charset=utf-8`).
fn is_json_media_type(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}
// ANCHOR_END: json_path

// ANCHOR: json_view
/// The JSON view: path, query_data, post_data, form_data, cookies (and files, if any).
fn json_view(
    request: &Request,
    path: &str,
    form: &Form,
    post_data: Option<String>,
    saved: &[SavedFile<'_>],
    options: &FormOptions,
) -> String {
    // The form lists the query string's pairs first; count them to split the two apart.
    let query_len = Form::from_query(request.query(), options)
        .map(|query| query.len())
        .unwrap_or(0);
    let (query_entries, body_entries) = form.entries().split_at(query_len.min(form.len()));
    let last_values = |entries: &[server_core::form::FormEntry]| {
        let mut map = Map::new();
        for entry in entries {
            if let FormValue::Text(text) = &entry.value {
                map.insert(entry.name.clone(), Value::from(text.as_str()));
            }
        }
        Value::Object(map)
    };
    let mut cookies = Map::new();
    for (name, value) in request
        .header_values("Cookie")
        .flat_map(parse_cookie_header)
    {
        cookies.entry(name).or_insert(Value::from(value));
    }
    let mut view = json!({
        "path": path,
        "query_data": last_values(query_entries),
        "post_data": post_data,
        "form_data": last_values(body_entries),
        "cookies": cookies,
    });
    if !saved.is_empty() {
        view["files"] = saved
            .iter()
            .map(|saved| {
                json!({
                    "field": saved.field,
                    "filename": saved.file.filename,
                    "size": saved.file.size,
                    "sha256": saved.file.sha256_hex(),
                    "content_type": saved.file.content_type,
                    "saved_as": saved.saved_as(),
                })
            })
            .collect();
    }
    let mut text = serde_json::to_string_pretty(&view).unwrap_or_default();
    text.push('\n');
    text
}
// ANCHOR_END: json_view
