//! A panic in a handler: a 500 for the client and one line in the log.
//!
//! What it teaches: a bug in one handler must not take the server down. The places that call
//! code they do not control — the connection calling a handler, the gateway calling an
//! application — run it through [`catch`], which turns a panic into a value ([`Caught`])
//! that the caller answers with a 500 and logs as one line: the message and where it
//! happened. Chapters 2 and 5 show both callers.
//!
//! Rust's default panic hook prints the panic to standard error as well, and with
//! `RUST_BACKTRACE=1` in the environment a whole backtrace: about 4 KB of log per failing
//! request, and the first one costs tens of megabytes of memory to read the debug
//! information. A server sets its own hook instead ([`install_hook`]): for a panic that a
//! [`catch`] is waiting for, the hook only hands the location to it; any other panic (a
//! thread that has no catcher) is logged as one line by the hook itself. A backtrace is
//! printed only when the server was started with `--backtrace`, whatever `RUST_BACKTRACE`
//! says.
//!
//! How the hook knows: [`catch`] counts, per thread, the catchers under way; a panic on a
//! thread with a count above zero will be caught. That count and the caught panic's location
//! are this module's two thread-locals, and nothing outside it sees them. Without the hook
//! (a test calling [`catch`] directly), the default hook prints as usual and [`Caught`] has
//! no location.

use std::any::Any;
use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{AssertUnwindSafe, PanicHookInfo, catch_unwind};

use crate::access_log;

thread_local! {
    /// How many [`catch`] calls are under way on this thread.
    static CATCHERS: Cell<u32> = const { Cell::new(0) };
    /// Where the last panic on this thread happened, for the catcher that gets it.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A panic that [`catch`] stopped: what it said, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caught {
    /// The panic's message (`panic!("...")`), or a note when it carried none.
    pub message: String,
    /// `file:line:column`, when the server's hook was installed.
    pub location: Option<String>,
}

impl fmt::Display for Caught {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "panic: {}", self.message)?;
        if let Some(location) = &self.location {
            write!(f, " (at {location})")?;
        }
        Ok(())
    }
}

/// Runs `work`, and turns a panic inside it into [`Caught`] instead of unwinding further.
pub fn catch<R>(work: impl FnOnce() -> R) -> Result<R, Caught> {
    CATCHERS.with(|count| count.set(count.get() + 1));
    let outcome = catch_unwind(AssertUnwindSafe(work));
    CATCHERS.with(|count| count.set(count.get().saturating_sub(1)));
    outcome.map_err(|payload| Caught {
        message: message_of(payload.as_ref()),
        location: LOCATION.with(|location| location.borrow_mut().take()),
    })
}

/// Makes every panic of this process one log line (see the module documentation); with
/// `backtraces`, each is followed by its backtrace on standard error.
pub fn install_hook(backtraces: bool) {
    std::panic::set_hook(Box::new(move |info| {
        let location = info
            .location()
            .map(|at| format!("{}:{}:{}", at.file(), at.line(), at.column()));
        if CATCHERS.with(Cell::get) > 0 {
            LOCATION.with(|slot| *slot.borrow_mut() = location.clone());
        } else {
            access_log::log_message(None, &uncaught_line(info, location.as_deref()));
        }
        if backtraces {
            eprintln!(
                "backtrace of the panic at {} (--backtrace):\n{}",
                location.as_deref().unwrap_or("(unknown place)"),
                Backtrace::force_capture()
            );
        }
    }));
}

/// The log line of a panic nothing catches: the thread dies (and with it, for the main
/// thread, the server).
fn uncaught_line(info: &PanicHookInfo<'_>, location: Option<&str>) -> String {
    let thread = std::thread::current();
    format!(
        "thread {} panicked at {}: {}",
        thread.name().unwrap_or("(unnamed)"),
        location.unwrap_or("(unknown place)"),
        message_of(info.payload())
    )
}

/// The text a panic carries (`panic!` makes a `&str` or a `String`).
fn message_of(payload: &(dyn Any + Send)) -> String {
    match (
        payload.downcast_ref::<&str>(),
        payload.downcast_ref::<String>(),
    ) {
        (Some(text), _) => (*text).to_string(),
        (_, Some(text)) => text.clone(),
        _ => "(a panic without a message)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_value_with_its_message() {
        let caught = catch(|| -> u32 { panic!("boom {}", 42) }).unwrap_err();
        assert_eq!(caught.message, "boom 42");
        assert!(caught.to_string().starts_with("panic: boom 42"), "{caught}");
        assert_eq!(catch(|| 7), Ok(7));
    }

    #[test]
    fn catchers_nest_and_the_count_comes_back_to_zero() {
        let outer = catch(|| catch(|| -> () { panic!("inner") }).unwrap_err());
        assert_eq!(outer.unwrap().message, "inner");
        assert_eq!(CATCHERS.with(Cell::get), 0);
    }
}
