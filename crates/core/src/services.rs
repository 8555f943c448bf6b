//! Wiring: from the settings in force to a signed-in Graph client. The CLI, the keeper daemon and the tray
//! app all build their clients here, so they behave the same.

use std::sync::Arc;

use presently_auth::{AuthClient, Clock, StoreChoice, StorePlace, TokenManager};
use presently_graph::{GraphClient, GraphConfig};

use crate::config::Settings;
use crate::problem::{Action, Problem, ProblemKind};
use crate::tokens::ManagedTokens;

/// Sign-in and Graph, ready to use.
#[derive(Debug, Clone)]
pub struct Services {
    /// Hands out access tokens, refreshing them ahead of expiry.
    pub tokens: Arc<TokenManager>,
    /// Graph presence calls, authenticated through `tokens`.
    pub graph: GraphClient,
    /// The wall clock every expiry decision reads.
    pub clock: Arc<dyn Clock>,
    /// Which token store is in use and why (shown by `doctor` and the UI, each in its own words).
    pub store_place: StorePlace,
    /// The client id, which is also the presence session id (contract §2).
    pub client_id: String,
}

impl Services {
    /// The one way a status is written to Graph for this app registration (session id = client id).
    pub fn writer(&self) -> crate::writer::PresenceWriter {
        crate::writer::PresenceWriter::new(self.graph.clone(), self.client_id.clone())
    }

    /// Builds the clients for `settings`, storing tokens in `store`.
    pub fn new(settings: &Settings, clock: Arc<dyn Clock>, store: StoreChoice) -> Result<Self, Problem> {
        let config_problem = |e: &dyn std::fmt::Display| {
            Problem::new(ProblemKind::Configuration, e.to_string()).with_action(Action::OpenSettings)
        };
        let network = crate::net::Network {
            credentials: settings.proxy.value.url().and_then(crate::net::load_credentials),
            ..settings.network()
        };
        let auth_config = settings.auth();
        let endpoints = auth_config.endpoints().map_err(|e| config_problem(&e))?;
        let sign_in_http =
            crate::net::http_client(&network, endpoints.token.as_str(), presently_auth::USER_AGENT)
                .map_err(|e| config_problem(&e))?;
        let auth = AuthClient::new(auth_config, sign_in_http.http, clock.clone())
            .map_err(|e| config_problem(&e))?
            .with_proxy(sign_in_http.proxy);
        let client_id = auth.endpoints().client_id.clone();
        let tokens = Arc::new(TokenManager::new(auth, store.store));
        let graph_config = GraphConfig::with_base_url(settings.graph_base());
        let graph_http = crate::net::http_client(&network, &graph_config.base_url, &graph_config.user_agent)
            .map_err(|e| config_problem(&e))?;
        let graph = GraphClient::new(
            graph_config,
            graph_http.http,
            Arc::new(ManagedTokens(tokens.clone())),
        )
        .map_err(|e| config_problem(&e))?
        .with_proxy(graph_http.proxy);
        Ok(Self {
            tokens,
            graph,
            clock,
            store_place: store.place,
            client_id,
        })
    }
}
