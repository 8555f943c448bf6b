//! Shared harness for the Graph client's integration tests: an in-process emulator on 127.0.0.1:0, a token
//! source that mints tokens from it and counts how often it is asked, and a client wired to both.

// Test harness code outside #[test] functions: a failure here must fail the test loudly, so panicking
// on an unexpected error is exactly what is wanted (the workspace warns on unwrap/expect elsewhere).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use presently_emulator::faults::{FaultKind, FaultSpec, PathMatch};
use presently_emulator::identity::jwt::mint_access_token;
use presently_emulator::world::AppState;
use presently_emulator::{DEFAULT_CLIENT_ID, Emulator, EmulatorConfig};
use presently_graph::{AccessToken, GraphClient, GraphConfig, TokenFuture, TokenSource};

/// Delegated scopes Presently asks for (contract §5).
pub const SCOPES: &[&str] = &["Presence.ReadWrite", "User.Read"];

/// A token source backed by the emulator's token minting, counting the client's requests.
pub struct MintingSource {
    state: AppState,
    user: String,
    scopes: Vec<&'static str>,
    current: Mutex<AccessToken>,
    /// Lifetime of tokens minted on refresh (0 = already expired).
    pub refresh_lifetime_secs: u64,
    pub access_calls: AtomicU32,
    pub refresh_calls: AtomicU32,
}

impl MintingSource {
    pub fn new(state: &AppState, user: &str, scopes: &[&'static str], lifetime_secs: u64) -> Arc<Self> {
        let token = mint(state, user, scopes, lifetime_secs);
        Arc::new(Self {
            state: state.clone(),
            user: user.to_owned(),
            scopes: scopes.to_vec(),
            current: Mutex::new(token),
            refresh_lifetime_secs: 3600,
            access_calls: AtomicU32::new(0),
            refresh_calls: AtomicU32::new(0),
        })
    }

    pub fn with_refresh_lifetime(self: Arc<Self>, secs: u64) -> Arc<Self> {
        let mut me = Arc::into_inner(self).expect("not shared yet");
        me.refresh_lifetime_secs = secs;
        Arc::new(me)
    }

    /// The token handed out now.
    pub fn current(&self) -> AccessToken {
        self.current.lock().unwrap().clone()
    }

    pub fn refreshes(&self) -> u32 {
        self.refresh_calls.load(Ordering::SeqCst)
    }
}

fn mint(state: &AppState, user: &str, scopes: &[&str], lifetime_secs: u64) -> AccessToken {
    AccessToken::new(mint_access_token(state, user, DEFAULT_CLIENT_ID, scopes, lifetime_secs).expect("mint"))
}

impl TokenSource for MintingSource {
    fn access_token(&self) -> TokenFuture<'_> {
        self.access_calls.fetch_add(1, Ordering::SeqCst);
        let token = self.current.lock().unwrap().clone();
        Box::pin(async move { Ok(token) })
    }

    fn refresh_after_rejection<'a>(&'a self, rejected: &'a AccessToken) -> TokenFuture<'a> {
        self.refresh_calls.fetch_add(1, Ordering::SeqCst);
        let fresh = mint(&self.state, &self.user, &self.scopes, self.refresh_lifetime_secs);
        assert_ne!(&fresh, rejected, "a refresh hands out a different token");
        *self.current.lock().unwrap() = fresh.clone();
        Box::pin(async move { Ok(fresh) })
    }
}

/// A running emulator, the first seeded user, and a client signed in as them.
pub struct Harness {
    pub emulator: Emulator,
    pub oid: String,
    pub tokens: Arc<MintingSource>,
    pub client: GraphClient,
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_with(SCOPES, 3600).await
    }

    pub async fn start_with(scopes: &[&'static str], lifetime_secs: u64) -> Self {
        let emulator = Emulator::start(EmulatorConfig::default())
            .await
            .expect("emulator starts");
        let oid = emulator.state().world().users[0].id.clone();
        let tokens = MintingSource::new(emulator.state(), &oid, scopes, lifetime_secs);
        let client = client_for(&emulator, tokens.clone());
        Self {
            emulator,
            oid,
            tokens,
            client,
        }
    }

    pub fn state(&self) -> &AppState {
        self.emulator.state()
    }

    /// Statuses of the requests the emulator logged for this path, oldest first.
    pub fn logged(&self, path: &str) -> Vec<u16> {
        self.state()
            .world()
            .log
            .since(0)
            .filter(|e| e.path == path)
            .map(|e| e.status)
            .collect()
    }
}

/// A client with the default configuration pointed at the emulator.
pub fn client_for(emulator: &Emulator, tokens: Arc<dyn TokenSource>) -> GraphClient {
    let config = GraphConfig {
        request_timeout: Duration::from_secs(30),
        ..GraphConfig::with_base_url(emulator.base_url())
    };
    let http = config.build_http_client().expect("http client");
    GraphClient::new(config, http, tokens).expect("client")
}

/// The path of a presence write for a user.
pub fn write_path(oid: &str, action: &str) -> String {
    format!("/v1.0/users/{oid}/presence/{action}")
}

/// Aims an emulator fault at the next `count` requests to exactly `path` (contract §4 faults).
pub fn inject(h: &Harness, path: &str, count: u32, fault: FaultKind) {
    h.state()
        .world()
        .faults
        .add(FaultSpec {
            path: path.to_owned(),
            path_match: PathMatch::Exact,
            method: None,
            count,
            fault,
        })
        .unwrap();
}
