//! `--echo`: a plain echo server, the classic first TCP program (chapter 1, "Raw TCP").
//!
//! What it teaches: a TCP connection carries bytes, not messages. Whatever arrives is sent
//! straight back, byte for byte (text, binary, half a line), until the client closes its side.
//! Nothing here knows where a "message" begins or ends; `nc 127.0.0.1 8000` and a few typed
//! lines show that each read returns whatever happened to have arrived.
//!
//! Choices made here:
//! - A client that sends nothing for [`IDLE_TIMEOUT`] is disconnected, and so is a client that
//!   stops reading our echoes for that long: neither can hold a thread forever.
//! - Only connects and disconnects are printed. The default mode is the one that shows bytes.

use std::fmt;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How long a connection may stay silent, or refuse to read, before it is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Why an echo connection ended, printed with the disconnect line.
enum Ending {
    /// The client closed its side: the normal end.
    ClientClosed,
    /// Nothing arrived for [`IDLE_TIMEOUT`].
    Idle,
    /// The client did not read our echo for [`IDLE_TIMEOUT`].
    NotReading,
    /// Reading, writing or setting a timeout failed.
    Failed(std::io::Error),
}

impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ending::ClientClosed => f.write_str("the client closed the connection"),
            Ending::Idle => write!(f, "idle for {} s", IDLE_TIMEOUT.as_secs()),
            Ending::NotReading => write!(
                f,
                "the client read nothing for {} s",
                IDLE_TIMEOUT.as_secs()
            ),
            Ending::Failed(err) => write!(f, "the connection failed: {err}"),
        }
    }
}

/// Serves one client: print its arrival, echo until it is done, print its departure.
pub fn serve_connection(stream: TcpStream) {
    let Ok(client) = stream.peer_addr() else {
        return;
    };
    println!("Connected: {client}");
    let mut echoed = 0;
    let ending = echo(stream, &mut echoed);
    println!("Disconnected: {client} ({echoed} bytes echoed; {ending})");
}

// ANCHOR: echo
/// Sends every byte back as it arrives; `echoed` counts them.
fn echo(mut stream: TcpStream, echoed: &mut u64) -> Ending {
    let timeouts = stream
        .set_read_timeout(Some(IDLE_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(IDLE_TIMEOUT)));
    if let Err(err) = timeouts {
        return Ending::Failed(err);
    }
    let mut buffer = [0u8; 4096];
    loop {
        let n = match stream.read(&mut buffer) {
            Ok(0) => return Ending::ClientClosed,
            Ok(n) => n,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) if is_timeout(&err) => return Ending::Idle,
            Err(err) => return Ending::Failed(err),
        };
        match stream.write_all(&buffer[..n]) {
            Ok(()) => {}
            Err(err) if is_timeout(&err) => return Ending::NotReading,
            Err(err) => return Ending::Failed(err),
        }
        *echoed += n as u64;
    }
}
// ANCHOR_END: echo

/// A socket timeout shows up as `WouldBlock` on Unix and `TimedOut` on Windows.
fn is_timeout(err: &std::io::Error) -> bool {
    matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}
