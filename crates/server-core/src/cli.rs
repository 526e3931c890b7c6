//! The command line every lesson shares, and the start-up errors a learner meets first.
//!
//! What it teaches: a server starts by *binding* a listening socket to an address and a port.
//! Binding is where most first-day problems happen — the port is taken, the port is privileged,
//! the address is not one of this machine's — so each of those becomes one plain sentence and a
//! suggestion, never a backtrace. Chapter 1 ("Raw TCP") explains binding; chapter 2 shows the
//! flags.
//!
//! The arguments mirror `python3 -m http.server`: a positional `[PORT]` (default 8000),
//! `-b/--bind ADDR` and `-d/--directory DIR`.
//!
//! Choices made here:
//! - The default bind address is `127.0.0.1`, not Python's all-interfaces default: a learner's
//!   half-finished server should not be reachable from the café's Wi-Fi. `-b 0.0.0.0` (IPv4) or
//!   `-b ::` (IPv6, and IPv4 too on most systems) share it on a network on purpose.
//! - `-b` accepts an IP address or a host name such as `localhost`; a name is resolved and the
//!   first address is used.
//! - Port 0 asks the operating system for any free port; the start-up line shows the real one
//!   (the end-to-end tests rely on this).

use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::{Limits, ServerConfig, Timeouts};

/// The `--help` heading of the flags in [`TuningArgs`].
pub const LIMITS_HEADING: &str = "Limits and timeouts";

/// Help text shown under every lesson's `--help`: how to share a server on purpose.
pub const SHARING_HELP: &str = "By default the server answers this machine only (127.0.0.1). \
To share it on your network, bind every interface: -b 0.0.0.0 (IPv4) or -b :: (IPv6 and, \
on most systems, IPv4 too). Anyone who can reach your machine can then read what it serves.";

/// Where to listen: the positional port and `-b/--bind`, shared by every lesson.
#[derive(Debug, Clone, clap::Args)]
pub struct ListenArgs {
    /// Port to listen on (0 picks any free port).
    #[arg(default_value_t = 8000)]
    pub port: u16,

    // The doc comment is the `--help` text, and clap adds `[default: 127.0.0.1]` after it:
    // it says what the default means, not what it is, so the value is stated once.
    /// Address to bind: this machine only, unless you share the server on your network
    /// with `-b 0.0.0.0` (or `-b ::` for IPv6).
    #[arg(
        short = 'b',
        long = "bind",
        value_name = "ADDR",
        default_value = "127.0.0.1"
    )]
    pub bind: String,
}

/// What an HTTP lesson serves: `-d/--directory` plus the limits and timeouts.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Where to listen.
    #[command(flatten)]
    pub listen: ListenArgs,

    // Clap's own `[default: .]` is hidden: `--help` states the default once, in words, as
    // Python's help does.
    /// Directory to serve (default: the current directory).
    #[arg(
        short = 'd',
        long = "directory",
        value_name = "DIR",
        default_value = ".",
        hide_default_value = true
    )]
    pub directory: PathBuf,

    /// The limits and timeouts, each a flag so tests can use short values.
    #[command(flatten)]
    pub tuning: TuningArgs,
}

/// Every limit and timeout of the HTTP core as a flag. Defaults are in [`Limits`] and
/// [`Timeouts`]; the module docs of `config` say why each value was chosen.
///
/// Each flag names its heading itself: a `next_help_heading` on the struct would also put
/// every flag a lesson declares after flattening this (`--dump`, `--cgi`...) under it.
#[derive(Debug, Clone, clap::Args)]
pub struct TuningArgs {
    /// Longest request line in bytes (414 past it).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_request_line, help_heading = LIMITS_HEADING)]
    pub max_request_line: usize,
    /// Largest header section in bytes (431 past it).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_header_bytes, help_heading = LIMITS_HEADING)]
    pub max_header_bytes: usize,
    /// Most header fields in one request (431 past it).
    #[arg(long, value_name = "COUNT", default_value_t = Limits::default().max_headers, help_heading = LIMITS_HEADING)]
    pub max_headers: usize,
    /// Largest request body in bytes (413 past it).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_body, help_heading = LIMITS_HEADING)]
    pub max_body: u64,
    /// Most connections served at once (503 past it).
    #[arg(long, value_name = "COUNT", default_value_t = ServerConfig::default().max_connections, help_heading = LIMITS_HEADING)]
    pub max_connections: usize,
    /// Seconds a client may take to send a whole request head (slowloris defence).
    #[arg(long, value_name = "SECS", default_value_t = secs(Timeouts::default().header), help_heading = LIMITS_HEADING)]
    pub header_timeout: f64,
    /// Seconds a request body may stall; the allowance grows with each byte received.
    #[arg(long, value_name = "SECS", default_value_t = secs(Timeouts::default().body), help_heading = LIMITS_HEADING)]
    pub body_timeout: f64,
    /// Seconds an idle keep-alive connection stays open.
    #[arg(long, value_name = "SECS", default_value_t = secs(Timeouts::default().keep_alive), help_heading = LIMITS_HEADING)]
    pub keep_alive_timeout: f64,
    /// Seconds a client may refuse to read our response before we give up.
    #[arg(long, value_name = "SECS", default_value_t = secs(Timeouts::default().send), help_heading = LIMITS_HEADING)]
    pub send_timeout: f64,
    /// Print a backtrace after each panic (a handler's bug), whatever RUST_BACKTRACE says;
    /// without it a panic is one line in the log.
    #[arg(long, help_heading = "Debugging")]
    pub backtrace: bool,
}

fn secs(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

fn duration(seconds: f64) -> Duration {
    // Negative or NaN values make no sense; treat them as "as short as possible".
    Duration::try_from_secs_f64(seconds).unwrap_or(Duration::from_millis(1))
}

impl TuningArgs {
    /// The server configuration these flags describe.
    pub fn to_config(&self, server_software: &str) -> ServerConfig {
        ServerConfig {
            server_software: server_software.to_string(),
            max_connections: self.max_connections.max(1),
            limits: Limits {
                max_request_line: self.max_request_line,
                max_header_bytes: self.max_header_bytes,
                max_headers: self.max_headers,
                max_body: self.max_body,
            },
            timeouts: Timeouts {
                header: duration(self.header_timeout),
                body: duration(self.body_timeout),
                keep_alive: duration(self.keep_alive_timeout),
                send: duration(self.send_timeout),
            },
            backtraces: self.backtrace,
        }
    }
}

/// Why a server could not start. Each variant prints one sentence and a suggestion.
#[derive(Debug)]
pub enum StartupError {
    /// Another program already listens on this port.
    PortInUse {
        /// The address we tried.
        addr: SocketAddr,
        /// The package to name in the suggestion.
        package: String,
    },
    /// Ports below 1024 need administrator rights on most systems.
    PrivilegedPort {
        /// The address we tried.
        addr: SocketAddr,
        /// The package to name in the suggestion.
        package: String,
    },
    /// The address is well-formed but belongs to no interface of this machine.
    AddressNotAvailable {
        /// The address we tried.
        addr: SocketAddr,
    },
    /// `-b` was neither an IP address nor a name that resolves.
    BadAddress {
        /// What the user typed.
        given: String,
    },
    /// The served directory does not exist or is not a directory.
    BadDirectory {
        /// The directory given with `-d`.
        path: PathBuf,
    },
    /// A directory the server must write into cannot be created or written.
    UnwritableDirectory {
        /// The directory.
        path: PathBuf,
        /// The flag that names it, for the suggestion (`--upload-dir`).
        flag: &'static str,
        /// The operating system's error.
        source: io::Error,
    },
    /// Anything else the operating system refused, with its own message.
    Other {
        /// What we were doing.
        context: String,
        /// The operating system's error.
        source: io::Error,
    },
}

impl fmt::Display for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartupError::PortInUse { addr, package } => write!(
                f,
                "port {} on {} is already in use by another program.\n  try: cargo run -p {package} -- {}",
                addr.port(),
                addr.ip(),
                suggested_port(addr.port())
            ),
            StartupError::PrivilegedPort { addr, package } => write!(
                f,
                "port {} is below 1024, and only the administrator may listen there.\n  try: cargo run -p {package} -- {}",
                addr.port(),
                suggested_port(addr.port())
            ),
            StartupError::AddressNotAvailable { addr } => write!(
                f,
                "{} is not an address of this machine, so the server cannot listen on it.\n  try: -b 127.0.0.1 (this machine only) or -b 0.0.0.0 (every interface)",
                addr.ip()
            ),
            StartupError::BadAddress { given } => write!(
                f,
                "'{given}' is not an IP address or a host name this machine can resolve.\n  try: -b 127.0.0.1, -b ::1 or -b localhost"
            ),
            StartupError::BadDirectory { path } => write!(
                f,
                "'{}' is not a directory this server can read.\n  try: -d . (the current directory)",
                path.display()
            ),
            StartupError::UnwritableDirectory { path, flag, source } => write!(
                f,
                "'{}' cannot be used as a folder to write into ({source}).\n  try: {flag} /tmp/uploads",
                path.display()
            ),
            StartupError::Other { context, source } => write!(f, "{context}: {source}."),
        }
    }
}

impl std::error::Error for StartupError {}

fn suggested_port(port: u16) -> u16 {
    if port == 8080 { 8081 } else { 8080 }
}

/// Resolves `-b ADDR` and the port into one socket address.
pub fn resolve(args: &ListenArgs) -> Result<SocketAddr, StartupError> {
    let given = args.bind.trim();
    // "[::1]" is a common way to write an IPv6 address; accept it.
    let bare = given.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, args.port));
    }
    if given.is_empty() {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), args.port));
    }
    (given, args.port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| StartupError::BadAddress {
            given: given.to_string(),
        })
}

/// Binds the listening socket, turning the usual failures into [`StartupError`]s.
///
/// `package` names the lesson in the suggestion (`try: cargo run -p lesson02-http -- 8080`).
pub fn bind(args: &ListenArgs, package: &str) -> Result<TcpListener, StartupError> {
    let addr = resolve(args)?;
    let listener = TcpListener::bind(addr).map_err(|err| match err.kind() {
        io::ErrorKind::AddrInUse => StartupError::PortInUse {
            addr,
            package: package.to_string(),
        },
        io::ErrorKind::PermissionDenied if addr.port() < 1024 => StartupError::PrivilegedPort {
            addr,
            package: package.to_string(),
        },
        io::ErrorKind::AddrNotAvailable => StartupError::AddressNotAvailable { addr },
        _ => StartupError::Other {
            context: format!("cannot listen on {addr}"),
            source: err,
        },
    })?;
    // The standard library asks for a queue of 128 connections not yet accepted; a burst of
    // a few hundred clients would have its surplus SYNs dropped and retried a second later.
    // Listening again only changes the queue's length (the kernel caps it at somaxconn).
    let _ = nix::sys::socket::listen(&listener, nix::sys::socket::Backlog::MAXCONN);
    Ok(listener)
}

/// Checks that `-d DIR` names a readable directory.
pub fn check_directory(path: &std::path::Path) -> Result<PathBuf, StartupError> {
    match path.canonicalize() {
        Ok(canonical) if canonical.is_dir() && std::fs::read_dir(&canonical).is_ok() => {
            Ok(canonical)
        }
        _ => Err(StartupError::BadDirectory {
            path: path.to_path_buf(),
        }),
    }
}

/// Creates `path` (and its parents) if needed and checks that files can be written in it;
/// returns its canonical form. `flag` names the option in the suggestion.
pub fn writable_directory(path: &Path, flag: &'static str) -> Result<PathBuf, StartupError> {
    let fail = |source| StartupError::UnwritableDirectory {
        path: path.to_path_buf(),
        flag,
        source,
    };
    std::fs::create_dir_all(path).map_err(fail)?;
    let canonical = path.canonicalize().map_err(fail)?;
    tempfile::tempfile_in(&canonical).map_err(fail)?;
    Ok(canonical)
}

/// The URL a browser would use for a socket address (`[::1]` for IPv6).
pub fn url_for(addr: SocketAddr, scheme: &str) -> String {
    match addr.ip() {
        IpAddr::V6(ip) => format!("{scheme}://[{ip}]:{}/", addr.port()),
        IpAddr::V4(ip) => format!("{scheme}://{ip}:{}/", addr.port()),
    }
}

/// Prints the start-up line, the way `python3 -m http.server` does:
/// `Serving HTTP on 127.0.0.1 port 8000 (http://127.0.0.1:8000/) ...`.
///
/// It is flushed at once: scripts and the end-to-end tests wait for this line.
pub fn announce(listener: &TcpListener, what: &str, scheme: &str) {
    if let Ok(addr) = listener.local_addr() {
        let mut out = io::stdout().lock();
        let _ = writeln!(
            out,
            "Serving {what} on {} port {} ({}) ...",
            addr.ip(),
            addr.port(),
            url_for(addr, scheme)
        );
        let _ = out.flush();
    }
}

/// Prints a start-up error as `error: <sentence>` on stderr and exits with status 1.
pub fn exit_with(error: StartupError) -> ! {
    eprintln!("error: {error}");
    std::process::exit(1)
}
