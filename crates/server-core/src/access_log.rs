//! The access log: one line per request on stderr, shaped like `python3 -m http.server`'s.
//!
//! ```text
//! 127.0.0.1 - - [21/Nov/2026 14:36:55] "GET /index.html HTTP/1.1" 200 1043
//! ```
//!
//! What it teaches: a log line is built from what the *client* sent, so it is attacker-controlled
//! text. Chapter 2 shows a request that tries to forge a second log line with a `\n` or to
//! recolour the terminal with an escape sequence, and how [`escape`] stops both.
//!
//! Choices made here:
//! - Every byte outside printable ASCII is written as `\xNN`, a backslash as `\\` and a double
//!   quote as `\"`: the quoted request line can then never end early or span two lines, and no
//!   terminal control sequence (C0, DEL or the UTF-8 encoded C1 range) reaches the screen.
//! - Times are UTC (Python uses local time): no time-zone database is needed, and logs from
//!   machines in different zones line up.
//! - The size column is the number of body bytes sent (`-` when none were).
//! - Lines are whole and in order, and no connection waits for the disk behind another: see
//!   `write_line`. When threads log at the same moment, one `write` carries all their lines;
//!   nothing waits for a timer: a line is written at once when nobody else is writing. A
//!   request's own lines (a gateway application's) go out with its access line
//!   ([`hold_lines`]).

use std::cell::RefCell;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

// ANCHOR: escape
/// Escapes a byte string for a log line; see the module docs for the rules.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}
// ANCHOR_END: escape

/// Formats a time as `21/Nov/2026 14:36:55` (UTC), the date column of the log.
pub fn log_date(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{day:02}/{}/{year} {:02}:{:02}:{:02}",
        MONTHS[(month - 1) as usize],
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Builds one access-log line (with its newline); `date` is the date column ([`log_date`]).
pub fn format_line(
    client: SocketAddr,
    date: &str,
    request_line: &[u8],
    status: u16,
    body_bytes: u64,
) -> String {
    let size = if body_bytes == 0 {
        "-".to_string()
    } else {
        body_bytes.to_string()
    };
    format!(
        "{} - - [{date}] \"{}\" {status} {size}\n",
        client.ip(),
        escape(request_line)
    )
}

/// The date column for now, formatted at most once a second per thread.
fn log_date_now() -> String {
    thread_local! {
        static LAST: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
    }
    let now = SystemTime::now();
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    LAST.with_borrow_mut(|(cached_secs, date)| {
        if *cached_secs != secs {
            *cached_secs = secs;
            *date = log_date(now);
        }
        date.clone()
    })
}

/// Writes one access-log line to stderr, after the lines the request itself logged (see
/// [`hold_lines`]), with one `write`.
pub fn log_request(client: SocketAddr, request_line: &[u8], status: u16, body_bytes: u64) {
    let line = format_line(client, &log_date_now(), request_line, status, body_bytes);
    let held = HELD.with_borrow_mut(Option::take);
    match held {
        Some(mut lines) if !lines.is_empty() => {
            lines.extend_from_slice(line.as_bytes());
            write_line(&lines);
        }
        _ => write_line(line.as_bytes()),
    }
}

thread_local! {
    /// Lines logged on this thread by the request in progress, waiting for its access line.
    static HELD: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

/// Lines held for a request may grow to this before they are written on their own.
const MAX_HELD: usize = 64 * 1024;

/// From now until this thread's next [`log_request`], lines it logs wait and are written
/// with that access-log line, in one system call. The connection calls it before each
/// request: a gateway application's own log line (lesson 05's middleware) then costs no
/// `write` of its own, and the lines of one request stay together in the log.
pub fn hold_lines() {
    HELD.with_borrow_mut(|held| {
        held.get_or_insert_with(Vec::new);
    });
}

/// Keeps `line` for the request in progress on this thread, when one holds lines; gives it
/// back when nothing holds lines or too much is held already.
fn keep_for_request(line: &[u8]) -> Option<&[u8]> {
    HELD.with_borrow_mut(|held| match held {
        Some(lines) if lines.len() + line.len() <= MAX_HELD => {
            lines.extend_from_slice(line);
            None
        }
        _ => Some(line),
    })
}

/// Writes a free-form message to the log, escaped the same way, prefixed with the client.
pub fn log_message(client: Option<SocketAddr>, message: &str) {
    let who = client.map_or_else(|| "-".to_string(), |c| c.ip().to_string());
    let line = format!(
        "{who} - - [{}] {}\n",
        log_date_now(),
        escape(message.as_bytes())
    );
    write_line(line.as_bytes());
}

/// The log as a [`Write`]: what a gateway application gets as `wsgi.errors`.
///
/// Bytes are collected until a newline and each whole line joins the log through
/// `write_line`, so an application's lines never interleave with other threads' lines and
/// cost no system call of their own. A last line without a newline is completed when the
/// writer is flushed or dropped.
#[derive(Debug, Default)]
pub struct LogWriter {
    /// The line being written.
    line: Vec<u8>,
}

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(bytes);
        if let Some(last_newline) = self.line.iter().rposition(|&b| b == b'\n') {
            write_line(&self.line[..=last_newline]);
            self.line.drain(..=last_newline);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.line.is_empty() {
            self.line.push(b'\n');
            write_line(&self.line);
            self.line.clear();
        }
        Ok(())
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Lines may wait this long in memory for a slow stderr before their threads wait too.
const MAX_PENDING: usize = 1024 * 1024;

/// Lines not yet written, and whether some thread is writing.
struct Pending {
    /// Whole lines, in the order they were logged.
    bytes: Vec<u8>,
    /// True while one thread writes (it takes `bytes` before each write).
    writing: bool,
    /// Threads waiting for `bytes` to shrink below [`MAX_PENDING`].
    waiting: usize,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending {
    bytes: Vec::new(),
    writing: false,
    waiting: 0,
});
static DRAINED: Condvar = Condvar::new();

fn pending() -> MutexGuard<'static, Pending> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

// ANCHOR: write_line
/// Appends a line to the log without making its thread wait for another thread's write.
///
/// Writing a line to a file or a terminal is a system call that may wait for the disk. So:
/// if another thread is writing, the line joins the queue and this thread goes on serving;
/// that writer takes every queued line before it stops. If nobody is writing, this thread
/// becomes the writer. When threads log at the same moment, one `write` carries all their
/// lines; when they do not, each line is written at once. Order is kept: lines join the
/// queue in order, and there is only ever one writer.
fn write_line(line: &[u8]) {
    let Some(line) = keep_for_request(line) else {
        return;
    };
    enqueue(line);
}

/// Adds lines to the queue and, if nobody is writing, writes the queue (see [`write_line`]).
fn enqueue(line: &[u8]) {
    let mut state = pending();
    while state.writing && state.bytes.len() >= MAX_PENDING {
        // stderr is slower than the requests (a paused terminal, a full pipe): wait for it.
        state.waiting += 1;
        state = DRAINED.wait(state).unwrap_or_else(PoisonError::into_inner);
        state.waiting -= 1;
    }
    state.bytes.extend_from_slice(line);
    if state.writing {
        return;
    }
    state.writing = true;
    let mut batch = Vec::new();
    loop {
        std::mem::swap(&mut batch, &mut state.bytes);
        drop(state);
        let _ = std::io::stderr().lock().write_all(&batch);
        batch.clear();
        state = pending();
        if state.waiting > 0 {
            DRAINED.notify_all();
        }
        if state.bytes.is_empty() {
            state.writing = false;
            // Keep the larger buffer for the next batch.
            if state.bytes.capacity() < batch.capacity() {
                state.bytes = batch;
            }
            return;
        }
    }
}
// ANCHOR_END: write_line

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn control_bytes_cannot_forge_lines_or_escape_sequences() {
        assert_eq!(
            escape(b"GET /\r\n127.0.0.1 - - fake\x1b[31m HTTP/1.1"),
            "GET /\\x0d\\x0a127.0.0.1 - - fake\\x1b[31m HTTP/1.1"
        );
        assert_eq!(escape(b"a\\b\"c"), "a\\\\b\\\"c");
        assert_eq!(escape("é".as_bytes()), "\\xc3\\xa9");
    }

    #[test]
    fn dates_are_formatted_like_http_server() {
        let time = UNIX_EPOCH + Duration::from_secs(1_795_271_815); // 2026-11-21 14:36:55 UTC
        assert_eq!(log_date(time), "21/Nov/2026 14:36:55");
        assert_eq!(log_date(UNIX_EPOCH), "01/Jan/1970 00:00:00");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(log_date(leap), "29/Feb/2000 00:00:00");
    }

    #[test]
    fn the_log_writer_passes_on_whole_lines_only() {
        let mut writer = LogWriter::default();
        write!(writer, "[access] GET /a").unwrap();
        assert_eq!(writer.line, b"[access] GET /a");
        writeln!(writer, " -> 200\n[error] two").unwrap();
        // The whole lines went to the log; the unfinished one waits.
        assert_eq!(writer.line, b"");
        write!(writer, "unfinished").unwrap();
        writer.flush().unwrap();
        assert_eq!(writer.line, b"");
    }

    #[test]
    fn a_line_has_the_python_shape() {
        let client: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let date = log_date(UNIX_EPOCH);
        let line = format_line(client, &date, b"GET / HTTP/1.1", 200, 12);
        assert_eq!(
            line,
            "127.0.0.1 - - [01/Jan/1970 00:00:00] \"GET / HTTP/1.1\" 200 12\n"
        );
        let line = format_line(client, &date, b"HEAD / HTTP/1.1", 304, 0);
        assert!(line.ends_with("304 -\n"));
    }
}
