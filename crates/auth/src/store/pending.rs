//! The store used while the OS credential store does not answer (a keyring still locked just after login, a
//! Secret Service that starts late): tokens live in memory only, and the credential store is asked again, so
//! nothing is ever written to disk unencrypted unless the user chose that (`token-store = "file"`).
//!
//! Once the credential store answers, a sign-in made meanwhile is saved into it, and from then on every call
//! goes to it; a sign-in saved there earlier becomes readable again (the owner reloads, see
//! [`TokenStore::try_again`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::keyring::{ENVELOPE_FILE, KeyringStore};
use super::{StoreError, StoreKind, StorePlace, StoredAuth, TokenStore, remove_optional};

/// How often a store call may ask the credential store again by itself (a probe talks to the OS).
const ASK_AGAIN_AFTER: Duration = Duration::from_secs(10);

/// Asks the credential store whether it answers now.
pub type Probe = Box<dyn Fn() -> Result<KeyringStore, String> + Send + Sync>;

/// Memory now, the credential store as soon as it answers.
pub struct PendingStore {
    probe: Probe,
    envelope: PathBuf,
    state: Mutex<State>,
}

struct State {
    secure: Option<KeyringStore>,
    memory: Option<StoredAuth>,
    why: String,
    asked: Instant,
}

impl std::fmt::Debug for PendingStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingStore")
            .field("envelope", &self.envelope)
            .finish_non_exhaustive()
    }
}

impl PendingStore {
    /// A store for `dir` that asks the platform's credential store (service `service`) again. `why` says why it
    /// did not answer the first time.
    pub fn new(service: &str, dir: &Path, why: String) -> Self {
        let (service, owned_dir) = (service.to_owned(), dir.to_owned());
        Self::with_probe(
            dir,
            why,
            Box::new(move || KeyringStore::probe(&service, &owned_dir)),
        )
    }

    /// As [`PendingStore::new`], asking `probe` instead (it decides when the credential store answers).
    pub fn with_probe(dir: &Path, why: String, probe: Probe) -> Self {
        Self {
            probe,
            envelope: dir.join(ENVELOPE_FILE),
            state: Mutex::new(State {
                secure: None,
                memory: None,
                why,
                asked: Instant::now(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Every change is a whole assignment, so a poisoned lock still holds consistent values.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks the credential store (when `force`, or when the last question is old enough); on an answer, moves
    /// what memory holds into it. Returns the credential store when it is in use.
    fn connect(&self, state: &mut State, force: bool) -> Option<KeyringStore> {
        if let Some(secure) = &state.secure {
            return Some(secure.clone());
        }
        if !force && state.asked.elapsed() < ASK_AGAIN_AFTER {
            return None;
        }
        state.asked = Instant::now();
        let secure = match (self.probe)() {
            Ok(secure) => secure,
            Err(why) => {
                tracing::debug!(why = %why, "the credential store still does not answer");
                state.why = why;
                return None;
            }
        };
        if let Some(auth) = &state.memory
            && let Err(e) = secure.save(auth)
        {
            tracing::warn!(error = %e, "the credential store answers but the sign-in could not be saved in it");
            state.why = e.to_string();
            return None;
        }
        tracing::info!("the credential store answers now; tokens are kept there from now on");
        state.memory = None;
        state.secure = Some(secure.clone());
        Some(secure)
    }
}

impl TokenStore for PendingStore {
    fn kind(&self) -> StoreKind {
        if self.lock().secure.is_some() {
            StoreKind::CredentialStore
        } else {
            StoreKind::Memory
        }
    }

    fn location(&self) -> String {
        match &self.lock().secure {
            Some(secure) => secure.location(),
            None => "memory only, until the system credential store answers".to_owned(),
        }
    }

    fn load(&self) -> Result<Option<StoredAuth>, StoreError> {
        let mut state = self.lock();
        match self.connect(&mut state, false) {
            Some(secure) => secure.load(),
            None => Ok(state.memory.clone()),
        }
    }

    fn save(&self, auth: &StoredAuth) -> Result<(), StoreError> {
        let mut state = self.lock();
        match self.connect(&mut state, false) {
            Some(secure) => secure.save(auth),
            None => {
                state.memory = Some(auth.clone());
                Ok(())
            }
        }
    }

    fn clear(&self) -> Result<(), StoreError> {
        let mut state = self.lock();
        state.memory = None;
        match self.connect(&mut state, false) {
            Some(secure) => secure.clear(),
            // Without its key the encrypted file is useless, but signing out must leave no sign-in behind.
            None => remove_optional(&self.envelope),
        }
    }

    fn is_waiting(&self) -> bool {
        self.lock().secure.is_none()
    }

    fn try_again(&self) -> bool {
        let mut state = self.lock();
        self.connect(&mut state, true).is_some()
    }

    fn situation(&self) -> Option<StorePlace> {
        let state = self.lock();
        Some(match &state.secure {
            Some(secure) => secure.place(),
            None => waiting_place(&state.why),
        })
    }
}

/// Where the tokens are while the credential store does not answer: memory, and why.
pub(crate) fn waiting_place(why: &str) -> StorePlace {
    StorePlace {
        kind: StoreKind::Memory,
        file: None,
        key_kept_in: None,
        note: Some(format!(
            "The system credential store is not available ({why}). Presently keeps asking and saves the sign-in \
             there as soon as it answers. To save it unencrypted in a file instead, set token-store = \"file\" in \
             the settings file."
        )),
    }
}
