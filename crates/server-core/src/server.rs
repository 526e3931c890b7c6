//! The server loop: accept connections, give each a thread, stop cleanly on Ctrl-C.
//!
//! What it teaches: a listening socket hands out one new socket per client; serving each on
//! its own thread lets a slow client wait without making anyone else wait. This is what
//! Python's `ThreadingHTTPServer` does, and what chapter 2 draws. Production servers use a
//! fixed pool of threads with non-blocking sockets (nginx) or async tasks (tokio) to hold
//! tens of thousands of idle connections; a thread per connection is simpler to read and is
//! plenty for a teaching server, with a cap to keep it bounded.
//!
//! Choices made here:
//! - At most `max_connections` connections are served at once; past the cap a new client gets
//!   a short `503 Service Unavailable` with `Retry-After: 1` and is closed, without a thread.
//! - Each connection thread has a 512 KiB stack (the default is 2 MiB): enough for every
//!   handler here, and a thousand idle connections stay cheap.
//! - Graceful shutdown ([`ShutdownHandle::shutdown`], wired to Ctrl-C and SIGTERM by
//!   [`Server::run_until_ctrl_c`]): the listening socket is closed at once, so the port is free
//!   again; idle keep-alive connections are closed; requests in flight finish, for up to
//!   [`SHUTDOWN_GRACE`]. A second Ctrl-C exits immediately.
//! - IPv4 and IPv6 both work: the listener is whatever `cli::bind` returned, and binding `::`
//!   on Linux accepts IPv4 clients too (as IPv4-mapped addresses).

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::access_log;
use crate::config::ServerConfig;
use crate::connection::{ConnectionHooks, serve_connection};
use crate::handler::Handler;

/// How long a shutdown waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Stack size of each connection thread.
const CONNECTION_STACK: usize = 512 * 1024;

/// A listening socket, a handler and a configuration: everything needed to serve.
pub struct Server {
    listener: TcpListener,
    config: Arc<ServerConfig>,
    handler: Arc<dyn Handler>,
    shared: Arc<Shared>,
    /// When set, every connection is TLS: the handshake runs on the connection's thread.
    tls: Option<Arc<rustls::ServerConfig>>,
}

/// What the accept loop and the connection threads share.
struct Shared {
    /// Set once shutdown begins; read by the accept loop and by idle connections.
    stopping: AtomicBool,
    /// Numbers the connections, as keys of `connections`.
    next_id: AtomicU64,
    /// Every live connection: a handle to its socket and whether it is idle.
    connections: Mutex<HashMap<u64, Tracked>>,
    /// Signalled whenever a connection ends, for the shutdown wait.
    connection_ended: Condvar,
    /// An address on which a connect reaches our own listener, to wake `accept`.
    wake_addr: SocketAddr,
}

/// A live connection as the server sees it.
struct Tracked {
    /// A second handle to the socket, so shutdown can close an idle connection.
    socket: TcpStream,
    /// True while the connection waits for its next request.
    idle: Arc<AtomicBool>,
}

impl Shared {
    fn connections(&self) -> MutexGuard<'_, HashMap<u64, Tracked>> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn close_idle_connections(&self) {
        for tracked in self.connections().values() {
            if tracked.idle.load(Ordering::SeqCst) {
                let _ = tracked.socket.shutdown(Shutdown::Both);
            }
        }
    }
}

/// Stops a running [`Server`] from another thread (or a signal handler).
#[derive(Clone)]
pub struct ShutdownHandle {
    shared: Arc<Shared>,
}

impl ShutdownHandle {
    /// Begins a graceful shutdown; [`Server::run`] returns once it is complete.
    pub fn shutdown(&self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.close_idle_connections();
        // `accept` is blocking; a connection of our own wakes it so it can see `stopping`.
        let _ = TcpStream::connect_timeout(&self.shared.wake_addr, Duration::from_secs(1));
    }

    /// True once a shutdown has begun.
    pub fn is_stopping(&self) -> bool {
        self.shared.stopping.load(Ordering::SeqCst)
    }
}

/// Per-connection hooks: tells the shared table when the connection is idle.
struct Hooks {
    shared: Arc<Shared>,
    idle: Arc<AtomicBool>,
}

impl ConnectionHooks for Hooks {
    fn enter_idle(&self) -> bool {
        self.idle.store(true, Ordering::SeqCst);
        !self.shared.stopping.load(Ordering::SeqCst)
    }
    fn leave_idle(&self) {
        self.idle.store(false, Ordering::SeqCst);
    }
    fn stopping(&self) -> bool {
        self.shared.stopping.load(Ordering::SeqCst)
    }
}

/// Removes a connection from the table when its thread ends, however it ends.
struct Deregister {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Deregister {
    fn drop(&mut self) {
        self.shared.connections().remove(&self.id);
        self.shared.connection_ended.notify_all();
    }
}

impl Server {
    /// A server that will answer every request on `listener` with `handler`.
    pub fn new(listener: TcpListener, config: ServerConfig, handler: impl Handler) -> Self {
        Server::with_shared_handler(listener, config, Arc::new(handler))
    }

    /// Like [`Server::new`], for a handler that is already shared.
    pub fn with_shared_handler(
        listener: TcpListener,
        config: ServerConfig,
        handler: Arc<dyn Handler>,
    ) -> Self {
        let local = listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let wake_ip = match local.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        Server {
            listener,
            config: Arc::new(config),
            handler,
            tls: None,
            shared: Arc::new(Shared {
                stopping: AtomicBool::new(false),
                next_id: AtomicU64::new(0),
                connections: Mutex::new(HashMap::new()),
                connection_ended: Condvar::new(),
                wake_addr: SocketAddr::new(wake_ip, local.port()),
            }),
        }
    }

    /// Serves HTTPS: every connection starts with a TLS handshake (lesson 08).
    pub fn with_tls(mut self, tls: Arc<rustls::ServerConfig>) -> Self {
        self.tls = Some(tls);
        self
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// A handle that stops this server.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Serves until Ctrl-C (SIGINT) or SIGTERM, then shuts down gracefully.
    pub fn run_until_ctrl_c(self) {
        let handle = self.shutdown_handle();
        let installed = ctrlc::set_handler(move || {
            if handle.is_stopping() {
                eprintln!("Second interrupt: exiting now.");
                std::process::exit(130);
            }
            eprintln!("\nKeyboard interrupt received, exiting.");
            handle.shutdown();
        });
        if let Err(err) = installed {
            access_log::log_message(
                None,
                &format!("cannot catch Ctrl-C ({err}); it will stop the server abruptly"),
            );
        }
        self.run();
    }

    // ANCHOR: accept_loop
    /// Accepts and serves connections until [`ShutdownHandle::shutdown`] is called.
    pub fn run(self) {
        for stream in self.listener.incoming() {
            if self.shared.stopping.load(Ordering::SeqCst) {
                break;
            }
            let stream = match stream {
                Ok(stream) => stream,
                Err(err) => {
                    // Out of file descriptors or a client that vanished: wait a moment, go on.
                    access_log::log_message(None, &format!("accept failed: {err}"));
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            self.start_connection(stream);
        }
        // Closing the listener frees the port at once; connections finish on their own.
        let Server {
            listener, shared, ..
        } = self;
        drop(listener);
        wait_for_connections(&shared);
    }
    // ANCHOR_END: accept_loop

    // ANCHOR: start_connection
    /// Registers a connection and gives it a thread, or refuses it past the cap.
    fn start_connection(&self, stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let (Ok(peer), Ok(local), Ok(socket)) =
            (stream.peer_addr(), stream.local_addr(), stream.try_clone())
        else {
            return;
        };
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let idle = Arc::new(AtomicBool::new(false));
        {
            let mut connections = self.shared.connections();
            if connections.len() >= self.config.max_connections {
                drop(connections);
                if self.tls.is_none() {
                    refuse_busy(stream, peer, &self.config);
                } else {
                    // A TLS client cannot read a plain 503; closing is the clear answer.
                    access_log::log_message(Some(peer), "refused: too many connections");
                }
                return;
            }
            connections.insert(
                id,
                Tracked {
                    socket,
                    idle: Arc::clone(&idle),
                },
            );
        }
        let deregister = Deregister {
            shared: Arc::clone(&self.shared),
            id,
        };
        let hooks = Hooks {
            shared: Arc::clone(&self.shared),
            idle,
        };
        let config = Arc::clone(&self.config);
        let handler = Arc::clone(&self.handler);
        let tls = self.tls.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("conn-{id}"))
            .stack_size(CONNECTION_STACK)
            .spawn(move || {
                let _deregister = deregister;
                let Some(tls) = tls else {
                    serve_connection(stream, peer, local, &config, handler.as_ref(), &hooks);
                    return;
                };
                match crate::tls::accept(stream, &tls, config.timeouts.header) {
                    Ok(secure) => {
                        serve_connection(secure, peer, local, &config, handler.as_ref(), &hooks)
                    }
                    Err(error) => access_log::log_message(Some(peer), &error.to_string()),
                }
            });
        if let Err(err) = spawned {
            access_log::log_message(Some(peer), &format!("cannot start a thread: {err}"));
        }
    }
    // ANCHOR_END: start_connection
}

/// Waits (up to the grace period) for the connections still being served.
fn wait_for_connections(shared: &Shared) {
    let deadline = Instant::now() + SHUTDOWN_GRACE;
    let mut connections = shared.connections();
    while !connections.is_empty() {
        let now = Instant::now();
        if now >= deadline {
            access_log::log_message(
                None,
                &format!(
                    "{} connection(s) still open after the grace period; exiting",
                    connections.len()
                ),
            );
            return;
        }
        // Connections that finished a request since shutdown began may be idle now.
        for tracked in connections.values() {
            if tracked.idle.load(Ordering::SeqCst) {
                let _ = tracked.socket.shutdown(Shutdown::Both);
            }
        }
        let wait = (deadline - now).min(Duration::from_millis(200));
        connections = shared
            .connection_ended
            .wait_timeout(connections, wait)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

/// Answers a connection past the cap with 503, on the accept thread, without reading it.
fn refuse_busy(mut stream: TcpStream, peer: SocketAddr, config: &ServerConfig) {
    let page = crate::html::error_page(503, "Too many connections; try again in a moment");
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nServer: {}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{page}",
        config.server_software,
        page.len()
    );
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.shutdown(Shutdown::Write);
    // A short drain so the client's request bytes do not turn our close into a reset.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
    let mut scratch = [0u8; 4096];
    let _ = stream.read(&mut scratch);
    access_log::log_message(Some(peer), "refused with 503: too many connections");
}
