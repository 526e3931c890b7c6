//! A thread per client, and a cap on how many at once (chapter 1, "Raw TCP").
//!
//! What it teaches: `accept` hands out one new socket per client. Serving each one on its own
//! thread lets a slow client wait without making anyone else wait. Lesson 02's server core
//! does the same with more care (a 503 answer past its cap, graceful shutdown).
//!
//! Choices made here: at most [`MAX_CLIENTS`] clients are served at once, because each holds a
//! thread for up to its deadline. Past the cap a new connection is closed at once, without a
//! word: this server does not speak HTTP, so it has no polite way to say "busy".

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Most clients served at the same time.
pub const MAX_CLIENTS: usize = 256;
/// Clients being served right now.
static CLIENTS: AtomicUsize = AtomicUsize::new(0);

// ANCHOR: serve_each_client
/// Accepts clients forever, serving each on its own thread with `serve`.
pub fn serve_each_client(listener: &TcpListener, serve: fn(TcpStream)) {
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(err) => {
                // Out of file descriptors, or a client that vanished: wait a moment, go on.
                eprintln!("accept failed: {err}");
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        // Past the cap, `stream` is dropped here, which closes the connection.
        let Some(slot) = ClientSlot::take() else {
            continue;
        };
        // If the thread cannot start, the closure is dropped and frees the slot.
        let _ = std::thread::Builder::new().spawn(move || {
            let _slot = slot;
            serve(stream);
        });
    }
}
// ANCHOR_END: serve_each_client

/// One of the [`MAX_CLIENTS`] places, given back when dropped (even if serving panics).
struct ClientSlot;

impl ClientSlot {
    /// Takes a place, or `None` when all are taken.
    fn take() -> Option<ClientSlot> {
        if CLIENTS.fetch_add(1, Ordering::SeqCst) < MAX_CLIENTS {
            Some(ClientSlot)
        } else {
            CLIENTS.fetch_sub(1, Ordering::SeqCst);
            None
        }
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        CLIENTS.fetch_sub(1, Ordering::SeqCst);
    }
}
