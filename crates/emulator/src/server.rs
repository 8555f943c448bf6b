//! Starting and stopping an emulator: the listener (http or https), the router, and the layers every request
//! passes through (request log, fault injection, body limit).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};

use crate::clock::Clock;
use crate::errors::GraphError;
use crate::seed::Seed;
use crate::world::{AppState, Shared};

/// How to start an emulator.
#[derive(Debug)]
pub struct EmulatorConfig {
    /// Address to bind; 127.0.0.1 unless told otherwise.
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Serve https with a generated CA.
    pub tls: bool,
    /// Where to write the CA's PEM when `tls` is on.
    pub ca_out: Option<PathBuf>,
    /// Tenants, users, clients and settings.
    pub seed: Seed,
    /// `Some(None)`: complete every sign-in as the first user; `Some(Some(u))`: as user `u`; `None`: show pages.
    pub auto_approve: Option<Option<String>>,
    /// The clock; a fresh real-time clock when `None`.
    pub clock: Option<Clock>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            tls: false,
            ca_out: None,
            seed: Seed::default(),
            auto_approve: None,
            clock: None,
        }
    }
}

/// Why an emulator did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The seed is inconsistent.
    #[error(transparent)]
    Seed(#[from] crate::seed::SeedError),
    /// Signing keys could not be made.
    #[error(transparent)]
    Keys(#[from] crate::identity::keys::KeyError),
    /// The certificate could not be made.
    #[error("cannot generate the TLS certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    /// The address could not be bound, or the CA file not written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// `--auto-approve` names nobody in the seed.
    #[error("--auto-approve names no user of the seed: {0}")]
    UnknownAutoApproveUser(String),
}

/// A running emulator. Dropping it stops the server.
#[derive(Debug)]
pub struct Emulator {
    state: AppState,
    addr: SocketAddr,
    ca_pem: Option<String>,
    handle: axum_server::Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Emulator {
    /// Binds and starts serving. Returns once the listener accepts connections.
    pub async fn start(config: EmulatorConfig) -> Result<Self, StartError> {
        config.seed.check()?;
        let auto_approve = match config.auto_approve {
            None => None,
            Some(None) => config.seed.users.first().map(|u| u.user_principal_name.clone()),
            Some(Some(who)) => {
                let found = config.seed.users.iter().find(|u| {
                    u.id.eq_ignore_ascii_case(&who) || u.user_principal_name.eq_ignore_ascii_case(&who)
                });
                match found {
                    Some(u) => Some(u.user_principal_name.clone()),
                    None => return Err(StartError::UnknownAutoApproveUser(who)),
                }
            }
        };
        let body_limit = config.seed.settings.max_body_bytes;
        let state = Shared::new(config.seed, config.clock.unwrap_or_default(), auto_approve)?;

        let listener = std::net::TcpListener::bind(SocketAddr::new(config.bind, config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let scheme = if config.tls { "https" } else { "http" };
        let host = match addr.ip() {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let _ = state.base_url.set(format!("{scheme}://{host}:{}", addr.port()));

        let app = router(state.clone(), body_limit);
        let handle = axum_server::Handle::new();
        let (task, ca_pem) = if config.tls {
            let material = crate::tls::generate()?;
            if let Some(path) = &config.ca_out {
                std::fs::write(path, &material.ca_pem)?;
            }
            // A workspace-wide build links two rustls providers (aws-lc-rs, ring), and then rustls picks
            // neither by itself: name one (a provider installed before stays).
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem(
                material.chain_pem.into_bytes(),
                material.key_pem.into_bytes(),
            )
            .await?;
            let server = axum_server::from_tcp_rustls(listener, tls)?.handle(handle.clone());
            (
                tokio::spawn(server.serve(app.into_make_service())),
                Some(material.ca_pem),
            )
        } else {
            let server = axum_server::from_tcp(listener)?.handle(handle.clone());
            (tokio::spawn(server.serve(app.into_make_service())), None)
        };
        let _ = handle.listening().await;
        Ok(Self {
            state,
            addr,
            ca_pem,
            handle,
            task,
        })
    }

    /// `http://127.0.0.1:PORT` (or https), without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.state.base_url()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The CA certificate (PEM) when serving https.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The shared state, for in-process tests (clock, world).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The virtual clock.
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// Stops accepting, finishes requests in flight, and waits for the server to end.
    pub async fn shutdown(mut self) {
        self.handle
            .graceful_shutdown(Some(std::time::Duration::from_secs(2)));
        let _ = (&mut self.task).await;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

/// The whole emulator as one router.
///
/// The routes sit behind an outer router with no routes of its own, because a layer on a router runs after it
/// has routed: the outer one's layers see every request first. From the outside in: the body limit, the request
/// log (so it keeps the path as the client sent it), the path rewrite of [`crate::graph`] (so fault rules and
/// routes match the path Graph serves), fault injection.
pub fn router(state: AppState, body_limit: usize) -> Router {
    let routes = Router::new()
        .merge(crate::identity::router())
        .merge(crate::graph::router())
        .merge(crate::control::router())
        .merge(crate::page::router())
        .fallback(unknown_path)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone());
    Router::new()
        .fallback_service(routes)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::faults::inject,
        ))
        .layer(middleware::map_request(
            crate::graph::collapse_slashes_after_version,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), crate::log::record))
        .layer(DefaultBodyLimit::max(body_limit))
}

async fn unknown_path(method: Method, uri: Uri) -> Response {
    GraphError::new(
        axum::http::StatusCode::NOT_FOUND,
        "UnknownResource",
        format!(
            "Resource not found for the segment '{}' ({method}).",
            uri.path().trim_start_matches('/')
        ),
    )
    .into_response()
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    GraphError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "Request_BadRequest",
        format!("The method {method} is not allowed for {}.", uri.path()),
    )
    .into_response()
}
