//! The server loop: accept connections, serve their requests on a pool of threads, keep idle
//! connections aside without a thread, stop cleanly on Ctrl-C.
//!
//! What it teaches: a listening socket hands out one new socket per client, and a server
//! must decide which thread waits for which socket. Chapter 2 draws two answers:
//! - *A thread per connection* (Python's `ThreadingHTTPServer`, and this server until
//!   chapter 2's measuring notes): simple, but every request wakes a different sleeping
//!   thread, and with 32 busy connections on 2 cores the kernel spends its time switching
//!   between them.
//! - *A thread per request in progress*, which this server does: a connection waiting for
//!   its next request is *parked* — its socket is handed to the kernel's readiness list
//!   (`epoll`) and no thread waits for it. A small pool of worker threads asks `epoll` for a
//!   connection that has bytes to read, serves requests on it until it is idle again, parks
//!   it, and asks for the next one. A busy worker goes from one ready connection to the next
//!   without sleeping. Inside a request nothing changes: the connection code of
//!   [`crate::connection`] reads and writes with ordinary blocking calls and deadlines, so a
//!   handler (a CGI script, an upload) may take its time.
//!
//! nginx goes one step further (every read and write non-blocking, a fixed number of
//! workers), which needs every handler written as a state machine; that is where a teaching
//! server stops.
//!
//! Choices made here:
//! - The pool grows when needed: a keeper thread adds workers (a quarter more, at least one)
//!   whenever none has become free for [`STUCK_AFTER`] — all are inside slow requests — so a
//!   slow request never keeps anyone else waiting for long; and a worker that is about to
//!   wait ([`about_to_wait`]) starts one at once if none is free. A worker older than
//!   [`WORKER_MIN_LIFE`] that finds two others free ends, down to [`MIN_WORKERS`]: too many
//!   free workers would take turns at every event, each woken from sleep. There are never
//!   more workers than connections allowed, plus one.
//! - At most `max_connections` connections are open at once (parked or in progress); past
//!   the cap a new client gets a short `503 Service Unavailable` with `Retry-After: 1` and is
//!   closed.
//! - A parked connection is closed silently at its deadline: the header timeout for a new
//!   connection that has sent nothing, the keep-alive timeout after a response. Deadlines
//!   are checked every [`SWEEP_INTERVAL`].
//! - Each worker thread has a 512 KiB stack (the default is 2 MiB): enough for every handler
//!   here.
//! - Graceful shutdown ([`ShutdownHandle::shutdown`], wired to Ctrl-C and SIGTERM by
//!   [`Server::run_until_ctrl_c`]): the listening socket is closed at once, so the port is free
//!   again; parked connections are closed; requests in flight finish, for up to
//!   [`SHUTDOWN_GRACE`]. A second Ctrl-C exits immediately.
//! - IPv4 and IPv6 both work: the listener is whatever `cli::bind` returned, and binding `::`
//!   on Linux accepts IPv4 clients too (as IPv4-mapped addresses).

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};

use crate::access_log;
use crate::config::ServerConfig;
use crate::connection::{Connection, ConnectionHooks};
use crate::handler::Handler;
use crate::tls::TlsStream;

/// How long a shutdown waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Workers that always stay, idle or not.
pub const MIN_WORKERS: usize = 2;
/// A worker lives at least this long; then it ends when it finds two others free (above
/// [`MIN_WORKERS`]), so a pool grown for a burst of slow requests shrinks again.
pub const WORKER_MIN_LIFE: Duration = Duration::from_secs(1);
/// When no worker has been free for this long, the pool grows.
pub const STUCK_AFTER: Duration = Duration::from_millis(10);
/// How often parked connections are checked against their deadlines.
pub const SWEEP_INTERVAL: Duration = Duration::from_millis(100);
/// Stack size of each worker thread.
const WORKER_STACK: usize = 512 * 1024;

/// A listening socket, a handler and a configuration: everything needed to serve.
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
}

/// What the accept loop and the workers share.
struct Shared {
    config: Arc<ServerConfig>,
    handler: Arc<dyn Handler>,
    /// When set, every connection is TLS: the handshake runs on a worker.
    tls: Option<Arc<rustls::ServerConfig>>,
    /// Set once shutdown begins; read by the accept loop, the workers and the connections.
    stopping: AtomicBool,
    /// Numbers the connections: the key of a parked connection, and its `epoll` token.
    next_id: AtomicU64,
    /// The kernel's list of parked sockets, each reported once when it becomes readable.
    epoll: Epoll,
    /// Connections waiting for their next request, by id.
    parked: Mutex<HashMap<u64, Parked>>,
    /// Connections open now, parked or in progress: what the cap counts.
    open: Mutex<usize>,
    /// Signalled whenever a connection closes, for the shutdown wait.
    closed: Condvar,
    /// The worker pool's head count.
    workers: Workers,
    /// When parked connections were last checked against their deadlines.
    last_sweep: Mutex<Instant>,
    /// An address on which a connect reaches our own listener, to wake `accept`.
    wake_addr: SocketAddr,
    /// Connections refused with 503, handed to the thread that closes them gently.
    refusals: Refusals,
}

/// How many workers there are, and how many wait on `epoll` for something to do. Counters
/// touched on every request are atomics, so that workers never wait for each other here.
struct Workers {
    /// Workers alive (changes rarely: a lock keeps "check, then start or end" whole).
    running: Mutex<usize>,
    /// Workers inside `epoll_wait` now.
    waiting: AtomicUsize,
    /// Counts every time a worker becomes free: unchanged for a while means all are stuck.
    freed: AtomicU64,
}

/// A connection with no request in progress, and when it will be closed if none comes.
struct Parked {
    connection: Idle,
    deadline: Instant,
}

/// The three kinds of idle connection.
enum Idle {
    /// Just accepted: nothing read yet (and, for TLS, no handshake yet).
    New {
        stream: TcpStream,
        peer: SocketAddr,
        local: SocketAddr,
    },
    /// Between two requests on plain TCP.
    Plain(Connection<TcpStream>),
    /// Between two requests on TLS (boxed: rustls' state is large, and parked plain
    /// connections should not each reserve room for it).
    Tls(Box<Connection<TlsStream>>),
}

impl Idle {
    /// The socket `epoll` watches.
    fn socket(&self) -> BorrowedFd<'_> {
        match self {
            Idle::New { stream, .. } => stream.as_fd(),
            Idle::Plain(connection) => connection.stream().as_fd(),
            Idle::Tls(connection) => connection.stream().as_fd(),
        }
    }

    /// Closes it: nothing was asked, so nothing is answered.
    fn close(self) {
        match self {
            Idle::New { stream, .. } => drop(stream),
            Idle::Plain(connection) => connection.close_idle(),
            Idle::Tls(connection) => connection.close_idle(),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
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
        self.shared.close_parked();
        // `accept` is blocking; a connection of our own wakes it so it can see `stopping`.
        let _ = TcpStream::connect_timeout(&self.shared.wake_addr, Duration::from_secs(1));
    }

    /// True once a shutdown has begun.
    pub fn is_stopping(&self) -> bool {
        self.shared.stopping.load(Ordering::SeqCst)
    }
}

/// What every connection asks the server: may I be parked, is the server stopping?
impl ConnectionHooks for Shared {
    fn enter_idle(&self) -> bool {
        !self.stopping()
    }
    fn leave_idle(&self) {}
    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
    fn park(&self) -> bool {
        true
    }
}

impl Server {
    /// A server that will answer every request on `listener` with `handler`.
    pub fn new(listener: TcpListener, config: ServerConfig, handler: impl Handler) -> Self {
        Server::with_shared_handler(listener, config, Arc::new(handler))
    }

    /// Like [`Server::new`], for a handler that is already shared.
    ///
    /// # Panics
    /// If the kernel refuses a new `epoll` instance (out of file descriptors at start).
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
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)
            .expect("the kernel refused an epoll instance (too many open files?)");
        Server {
            listener,
            shared: Arc::new(Shared {
                config: Arc::new(config),
                handler,
                tls: None,
                stopping: AtomicBool::new(false),
                next_id: AtomicU64::new(0),
                epoll,
                parked: Mutex::new(HashMap::new()),
                open: Mutex::new(0),
                closed: Condvar::new(),
                workers: Workers {
                    running: Mutex::new(0),
                    waiting: AtomicUsize::new(0),
                    freed: AtomicU64::new(0),
                },
                last_sweep: Mutex::new(Instant::now()),
                wake_addr: SocketAddr::new(wake_ip, local.port()),
                refusals: Refusals::start(),
            }),
        }
    }

    /// Serves HTTPS: every connection starts with a TLS handshake (lesson 08).
    pub fn with_tls(mut self, tls: Arc<rustls::ServerConfig>) -> Self {
        // Called before `run`, while nothing else holds `shared`.
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.tls = Some(tls);
        }
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

    /// Serves until Ctrl-C (SIGINT) or SIGTERM, then shuts down gracefully. As the server
    /// of its process, it also sets how panics are logged ([`crate::panics`]).
    pub fn run_until_ctrl_c(self) {
        crate::panics::install_hook(self.shared.config.backtraces);
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
        for _ in 0..MIN_WORKERS {
            self.shared.start_worker();
        }
        let keeper = Arc::clone(&self.shared);
        let _ = std::thread::Builder::new()
            .name("pool-keeper".to_string())
            .spawn(move || keeper.keep_pool());
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
            self.shared.start_connection(stream);
        }
        // Closing the listener frees the port at once; connections finish on their own.
        let Server { listener, shared } = self;
        drop(listener);
        shared.close_parked();
        shared.wait_for_connections();
    }
    // ANCHOR_END: accept_loop
}

impl Shared {
    // ANCHOR: start_connection
    /// Counts a new connection and parks it until its first bytes arrive, or refuses it
    /// past the cap.
    fn start_connection(&self, stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let (Ok(peer), Ok(local)) = (stream.peer_addr(), stream.local_addr()) else {
            return;
        };
        {
            let mut open = lock(&self.open);
            if *open >= self.config.max_connections {
                drop(open);
                if self.tls.is_none() {
                    refuse_busy(stream, peer, &self.config, &self.refusals);
                } else {
                    // A TLS client cannot read a plain 503; closing is the clear answer.
                    access_log::log_message(Some(peer), "refused: too many connections");
                }
                return;
            }
            *open += 1;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let deadline = Instant::now() + self.config.timeouts.header;
        self.park(
            id,
            Idle::New {
                stream,
                peer,
                local,
            },
            deadline,
            true,
        );
    }
    // ANCHOR_END: start_connection

    // ANCHOR: park
    /// Puts an idle connection aside: the kernel will report it, once, when it is readable.
    fn park(&self, id: u64, connection: Idle, deadline: Instant, new: bool) {
        let mut parked = lock(&self.parked);
        let watch = EpollEvent::new(EpollFlags::EPOLLIN | EpollFlags::EPOLLONESHOT, id);
        let socket = connection.socket();
        let armed = if new {
            self.epoll.add(socket, watch)
        } else {
            self.epoll.modify(socket, &mut { watch })
        };
        if let Err(err) = armed {
            drop(parked);
            access_log::log_message(None, &format!("cannot watch a connection: {err}"));
            connection.close();
            self.connection_closed();
            return;
        }
        // Inserted while `parked` is locked: a worker that gets the event waits for this.
        parked.insert(
            id,
            Parked {
                connection,
                deadline,
            },
        );
        drop(parked);
        if self.stopping() {
            self.close_parked();
        }
    }
    // ANCHOR_END: park

    // ANCHOR: worker
    /// A worker: waits for a parked connection to become readable, serves it until it is
    /// idle again, parks it, and goes back for the next one.
    fn work(self: &Arc<Self>) {
        WORKER_POOL.set(Arc::downgrade(self));
        let mut events = [EpollEvent::empty()];
        let born = Instant::now();
        loop {
            // Two free workers are enough to catch what comes next: a third is surplus.
            if self.workers.waiting.load(Ordering::SeqCst) >= 2
                && born.elapsed() >= WORKER_MIN_LIFE
                && self.leave_pool_if_above(MIN_WORKERS)
            {
                return;
            }
            self.workers.freed.fetch_add(1, Ordering::Relaxed);
            self.workers.waiting.fetch_add(1, Ordering::SeqCst);
            let ready = self.epoll.wait(&mut events, epoll_timeout(SWEEP_INTERVAL));
            self.workers.waiting.fetch_sub(1, Ordering::SeqCst);
            let got_one = matches!(ready, Ok(1));
            if !got_one && self.stopping() && self.leave_pool_if_above(0) {
                return;
            }
            self.sweep_if_due();
            if got_one {
                let taken = lock(&self.parked).remove(&events[0].data());
                if let Some(Parked { connection, .. }) = taken {
                    self.resume(events[0].data(), connection);
                }
            }
        }
    }
    // ANCHOR_END: worker

    // ANCHOR: keep_pool
    /// The pool keeper: every [`STUCK_AFTER`], if no worker has been free for that long —
    /// all are inside slow requests — it adds workers (a quarter more, at least one), so
    /// that connections with something to say are not kept waiting. Quick requests never
    /// trigger it: a worker is free again within microseconds.
    fn keep_pool(self: &Arc<Self>) {
        let mut freed_before = self.workers.freed.load(Ordering::Relaxed);
        while !self.stopping() {
            std::thread::sleep(STUCK_AFTER);
            let freed = self.workers.freed.load(Ordering::Relaxed);
            let stuck = freed == freed_before && self.workers.waiting.load(Ordering::SeqCst) == 0;
            freed_before = freed;
            let more = if stuck {
                let running = *lock(&self.workers.running);
                let room = (self.config.max_connections + 1).saturating_sub(running);
                (running / 4).max(1).min(room)
            } else {
                0
            };
            for _ in 0..more {
                self.start_worker();
            }
        }
    }
    // ANCHOR_END: keep_pool

    /// A worker is about to wait for a client or a script: if no other worker is free to
    /// take the connections that are ready meanwhile, one more starts now.
    fn cover_for_a_wait(self: &Arc<Self>) {
        let room = *lock(&self.workers.running) <= self.config.max_connections;
        if self.workers.waiting.load(Ordering::SeqCst) == 0 && room && !self.stopping() {
            self.start_worker();
        }
    }

    /// Ends this worker's membership when more than `keep` workers run; says whether it did.
    fn leave_pool_if_above(&self, keep: usize) -> bool {
        let mut running = lock(&self.workers.running);
        if *running > keep {
            *running -= 1;
            return true;
        }
        false
    }

    /// Starts one more worker (counted before it runs).
    fn start_worker(self: &Arc<Self>) {
        *lock(&self.workers.running) += 1;
        let shared = Arc::clone(self);
        let started = std::thread::Builder::new()
            .name("worker".to_string())
            .stack_size(WORKER_STACK)
            .spawn(move || shared.work());
        if let Err(err) = started {
            *lock(&self.workers.running) -= 1;
            access_log::log_message(None, &format!("cannot start a worker thread: {err}"));
        }
    }

    // ANCHOR: resume
    /// Serves a connection whose client sent something, until it is idle again or closed.
    fn resume(&self, id: u64, connection: Idle) {
        let handler = self.handler.as_ref();
        let config = &self.config;
        let idle = match connection {
            Idle::New {
                stream,
                peer,
                local,
            } => match &self.tls {
                None => Connection::new(stream, peer, local, Arc::clone(config))
                    .serve(handler, self)
                    .map(Idle::Plain),
                Some(tls) => match crate::tls::accept(stream, tls, config.timeouts.header) {
                    Ok(secure) => Connection::new(secure, peer, local, Arc::clone(config))
                        .serve(handler, self)
                        .map(|idle| Idle::Tls(Box::new(idle))),
                    Err(error) => {
                        access_log::log_message(Some(peer), &error.to_string());
                        None
                    }
                },
            },
            Idle::Plain(connection) => connection.serve(handler, self).map(Idle::Plain),
            Idle::Tls(connection) => connection
                .serve(handler, self)
                .map(|idle| Idle::Tls(Box::new(idle))),
        };
        match idle {
            Some(idle) => {
                let deadline = Instant::now() + config.timeouts.keep_alive;
                self.park(id, idle, deadline, false);
            }
            None => self.connection_closed(),
        }
    }
    // ANCHOR_END: resume

    /// Closes the parked connections whose deadline has passed, at most once per interval.
    fn sweep_if_due(&self) {
        let now = Instant::now();
        {
            let Ok(mut last) = self.last_sweep.try_lock() else {
                return; // another worker is sweeping
            };
            if now.duration_since(*last) < SWEEP_INTERVAL {
                return;
            }
            *last = now;
        }
        let expired: Vec<Parked> = {
            let mut parked = lock(&self.parked);
            let ids: Vec<u64> = parked
                .iter()
                .filter(|(_, p)| p.deadline <= now)
                .map(|(&id, _)| id)
                .collect();
            ids.iter().filter_map(|id| parked.remove(id)).collect()
        };
        for parked in expired {
            if let (Idle::New { peer, .. }, Some(_)) = (&parked.connection, &self.tls) {
                // A TLS client that never began its handshake: say so, as for a stalled one.
                let why = format!(
                    "TLS handshake failed: nothing arrived within {:?}",
                    self.config.timeouts.header
                );
                access_log::log_message(Some(*peer), &why);
            }
            parked.connection.close();
            self.connection_closed();
        }
    }

    /// Closes every parked connection (shutdown).
    fn close_parked(&self) {
        let all: Vec<Parked> = lock(&self.parked).drain().map(|(_, p)| p).collect();
        for parked in all {
            parked.connection.close();
            self.connection_closed();
        }
    }

    fn connection_closed(&self) {
        *lock(&self.open) -= 1;
        self.closed.notify_all();
    }

    /// Waits (up to the grace period) for the requests still in progress.
    fn wait_for_connections(&self) {
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        let mut open = lock(&self.open);
        while *open > 0 {
            let now = Instant::now();
            if now >= deadline {
                access_log::log_message(
                    None,
                    &format!("{open} connection(s) still open after the grace period; exiting"),
                );
                return;
            }
            let wait = (deadline - now).min(Duration::from_millis(200));
            open = self
                .closed
                .wait_timeout(open, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            // A connection that finished its request since may have been parked: close it.
            drop(open);
            self.close_parked();
            open = lock(&self.open);
        }
    }
}

thread_local! {
    /// On a worker thread, the pool it belongs to (see [`about_to_wait`]).
    static WORKER_POOL: RefCell<Weak<Shared>> = const { RefCell::new(Weak::new()) };
}

// ANCHOR: about_to_wait
/// Says that this thread is about to wait — for a client's next bytes, the end of a TLS
/// handshake, a lingering close, a CGI script's output. On a worker with no other worker
/// free, that starts one more at once, so that connections with something to say are not
/// kept waiting behind this one. Elsewhere (tests, fuzzing) it does nothing.
///
/// Only waits are announced, not work: quick requests served back to back never grow the
/// pool, and the few workers go from one ready connection to the next.
pub fn about_to_wait() {
    let pool = WORKER_POOL.with_borrow(Weak::upgrade);
    if let Some(shared) = pool {
        shared.cover_for_a_wait();
    }
}
// ANCHOR_END: about_to_wait

/// True when a read on `socket` would have to wait: nothing has arrived yet. It peeks without
/// waiting (`MSG_PEEK | MSG_DONTWAIT`), and takes nothing.
pub fn nothing_to_read(socket: &TcpStream) -> bool {
    use nix::sys::socket::{MsgFlags, recv};
    let mut byte = [0u8; 1];
    let flags = MsgFlags::MSG_PEEK | MsgFlags::MSG_DONTWAIT;
    matches!(
        recv(socket.as_fd().as_raw_fd(), &mut byte, flags),
        Err(nix::errno::Errno::EAGAIN)
    )
}

/// `epoll_wait`'s timeout for a [`Duration`] (whole milliseconds).
fn epoll_timeout(wait: Duration) -> EpollTimeout {
    let millis = u16::try_from(wait.as_millis()).unwrap_or(u16::MAX);
    EpollTimeout::from(millis)
}

/// Answers a connection past the cap with 503, on the accept thread, without waiting for it:
/// the answer is written without blocking (a fresh socket's buffer takes it whole), and the
/// socket goes to the [`Refusals`] thread, which closes it once the client's request has
/// arrived (or a moment has passed). The accept loop never waits on a client.
fn refuse_busy(stream: TcpStream, peer: SocketAddr, config: &ServerConfig, refusals: &Refusals) {
    let page = crate::html::error_page(503, "Too many connections; try again in a moment");
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nServer: {}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{page}",
        config.server_software,
        page.len()
    );
    let _ = stream.set_nonblocking(true);
    let _ = (&stream).write_all(response.as_bytes());
    let _ = stream.shutdown(Shutdown::Write);
    access_log::log_message(Some(peer), "refused with 503: too many connections");
    refusals.close_gently(stream);
}

/// How long a refused connection is kept open to read what the client sends, so that its
/// request bytes do not turn our close into a reset that could discard the 503 on its side.
const REFUSAL_LINGER: Duration = Duration::from_millis(200);
/// Most refused connections lingering at once; past it, one is closed at once.
const MAX_LINGERING: usize = 4096;

/// The thread that closes refused connections gently: it reads (without waiting) what each
/// client sends until [`REFUSAL_LINGER`] has passed or the client closed, then closes. One
/// thread for all of them, so a storm of refusals costs the accept loop nothing but a write.
struct Refusals {
    /// Where the accept loop hands a refused socket over.
    queue: std::sync::mpsc::SyncSender<TcpStream>,
}

impl Refusals {
    /// Starts the closing thread; it ends when the server (the sender) is dropped.
    fn start() -> Refusals {
        let (queue, arrivals) = std::sync::mpsc::sync_channel::<TcpStream>(MAX_LINGERING);
        let _ = std::thread::Builder::new()
            .name("refusals".to_string())
            .spawn(move || close_refused(&arrivals));
        Refusals { queue }
    }

    /// Hands `stream` to the closing thread, or closes it now when too many linger.
    fn close_gently(&self, stream: TcpStream) {
        let _ = self.queue.try_send(stream);
    }
}

/// The closing thread's loop: lingering sockets, drained and dropped when done.
fn close_refused(arrivals: &std::sync::mpsc::Receiver<TcpStream>) {
    let mut lingering: Vec<(TcpStream, Instant)> = Vec::new();
    let mut scratch = [0u8; 4096];
    loop {
        let wait = if lingering.is_empty() {
            Duration::from_secs(3600)
        } else {
            Duration::from_millis(10)
        };
        match arrivals.recv_timeout(wait) {
            Ok(stream) => lingering.push((stream, Instant::now() + REFUSAL_LINGER)),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        }
        while let Ok(stream) = arrivals.try_recv() {
            lingering.push((stream, Instant::now() + REFUSAL_LINGER));
        }
        let now = Instant::now();
        lingering.retain_mut(|(stream, until)| {
            let still_sending = loop {
                match stream.read(&mut scratch) {
                    Ok(0) => break false,
                    Ok(_) => {}
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => break true,
                    Err(_) => break false,
                }
            };
            still_sending && now < *until
        });
    }
}
