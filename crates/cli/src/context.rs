//! From the command line to working clients: settings (files < environment < flags, via the core), the data
//! folder, the token store, sign-in and Graph ([`Services`]); plus the CLI's adjustments to the core's
//! error-to-problem mapping.
//!
//! Every command that talks to Microsoft starts with [`Wired::new`], so they all read the same settings and
//! tokens the same way, and a broken settings file stops every one of them with the same message.

use std::path::PathBuf;
use std::sync::Arc;

use presently_auth::store::DEFAULT_SERVICE;
use presently_auth::{
    Account, AuthError, AuthStatus, StoreError, StoreKind, SystemClock, TokenStore, choose_store,
};
use presently_core::config::{Locations, Overrides, Settings, SettingsError};
use presently_core::paths::{data_dir, process_env};
use presently_core::{Action, Problem, ProblemKind, Services};
use presently_graph::GraphError;

use crate::args::Global;

/// The flags that override settings.
pub fn overrides(global: &Global) -> Overrides {
    Overrides {
        cloud: global.cloud.clone(),
        tenant: global.tenant.clone(),
        client_id: global.client_id.clone(),
        login_url: global.login_url.clone(),
        graph_url: global.graph_url.clone(),
    }
}

/// Where the settings files are.
pub fn locations() -> Result<Locations, Problem> {
    Locations::from_env(&process_env).map_err(|e| settings_problem(&e))
}

/// The settings in force: files, `PRESENTLY_*` variables and flags.
pub fn load_settings(global: &Global) -> Result<Settings, Problem> {
    let locations = locations()?;
    Settings::load(&locations, &process_env, &overrides(global)).map_err(|e| settings_problem(&e))
}

/// A settings error is bad input (exit 2): a broken file, or a bad value in a variable or flag.
pub fn settings_problem(error: &SettingsError) -> Problem {
    Problem::new(ProblemKind::InvalidChoice, error.to_string()).with_action(Action::OpenSettings)
}

/// The folder for tokens and the last-set record.
pub fn data_folder() -> Result<PathBuf, Problem> {
    data_dir(&process_env).ok_or_else(|| {
        Problem::new(
            ProblemKind::Configuration,
            "cannot find a folder for Presently's data (no home directory): set PRESENTLY_DATA_DIR",
        )
    })
}

/// Settings, data folder, token store and clients, ready to use.
pub struct Wired {
    /// The settings in force.
    pub settings: Settings,
    /// The data folder.
    pub data_dir: PathBuf,
    /// Sign-in and Graph.
    pub services: Services,
    /// The token store (also inside `services.tokens`), for reading what the manager does not expose.
    pub store: Arc<dyn TokenStore>,
}

impl Wired {
    /// Where the sign-in is kept and why, in sentences (`doctor`, `login`, `whoami`).
    pub fn store_sentences(&self) -> String {
        // The place now, if the store's situation changed since it was chosen (the credential store answered).
        let place = self
            .services
            .tokens
            .store_situation()
            .unwrap_or_else(|| self.services.store_place.clone());
        presently_core::wording::store_sentences(
            &place,
            &presently_core::wording::KnownFolders::of_this_user(),
        )
    }

    /// Loads the settings, picks the token store and builds the clients. Nothing is read from the store yet.
    pub fn new(global: &Global) -> Result<Self, Problem> {
        let settings = load_settings(global)?;
        let data_dir = data_folder()?;
        let choice = choose_store(&data_dir, DEFAULT_SERVICE, settings.token_store.value);
        let store = choice.store.clone();
        let services = Services::new(&settings, Arc::new(SystemClock), choice)?;
        Ok(Self {
            settings,
            data_dir,
            services,
            store,
        })
    }

    /// The kind of token store in use.
    pub fn store_kind(&self) -> StoreKind {
        self.store.kind()
    }

    /// Reads the saved sign-in. A damaged store is a sign-in problem (exit 3): signing in replaces it.
    pub async fn load_tokens(&self) -> Result<AuthStatus, Problem> {
        self.services.tokens.load().await.map_err(|e| auth_problem(&e))
    }

    /// The signed-in account, or the sign-in problem that stops a command needing one.
    pub async fn require_account(&self) -> Result<Account, Problem> {
        match self.load_tokens().await? {
            AuthStatus::SignedIn { account, .. } => Ok(account),
            AuthStatus::SignedOut => Err(auth_problem(&AuthError::NotSignedIn)),
            AuthStatus::SignInRequired { account } => Err(auth_problem(&AuthError::SignInRequired {
                account,
                refusal: None,
            })),
        }
    }
}

/// The core's mapping, except that a damaged or keyless token store means "sign in again" (exit 3) rather
/// than an internal error: the store is left as it is, and the next sign-in replaces it.
pub fn auth_problem(error: &AuthError) -> Problem {
    match error {
        AuthError::Store(StoreError::Corrupt { .. } | StoreError::KeyMissing { .. }) => {
            Problem::new(ProblemKind::SignInRequired, error.to_string()).with_action(Action::SignIn)
        }
        _ => Problem::from(error),
    }
}

/// The core's mapping of a Graph failure, with the CLI's wording for a refusal that has no better words.
pub fn graph_problem(error: &GraphError) -> Problem {
    let mut problem = Problem::from(error);
    if let GraphError::Refused(refusal) = error {
        use presently_graph::RefusalKind as K;
        let extra = match refusal.kind {
            K::Forbidden => Some(
                "The sign-in lacks the Presence.ReadWrite permission: sign in again and accept it, or ask an \
                 administrator to approve the app (`presently consent-url`).",
            ),
            K::Throttled { .. } => {
                Some("Microsoft Graph is throttling requests; Presently retried and gave up.")
            }
            K::Unavailable { .. } => {
                Some("Microsoft Graph is unavailable right now; Presently retried and gave up.")
            }
            _ => None,
        };
        if let Some(extra) = extra {
            problem.message = format!("{}. {extra}", problem.message.trim_end_matches('.'));
        }
    }
    problem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_token_store_asks_for_a_new_sign_in() {
        let error = AuthError::Store(StoreError::Corrupt {
            path: "/x/tokens.json".into(),
            reason: "not JSON".into(),
        });
        let problem = auth_problem(&error);
        assert_eq!(problem.kind, ProblemKind::SignInRequired);
        assert_eq!(problem.action, Some(Action::SignIn));
        assert!(problem.message.contains("tokens.json"), "{}", problem.message);
    }

    #[test]
    fn not_being_signed_in_is_a_sign_in_problem() {
        let problem = auth_problem(&AuthError::NotSignedIn);
        assert_eq!(problem.kind, ProblemKind::SignInRequired);
    }
}
