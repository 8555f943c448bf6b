//! An in-memory store, for tests and for runs that must not persist anything.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{StoreError, StoreKind, StoredAuth, TokenStore};

/// Tokens in memory only.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<Option<StoredAuth>>,
    saves: AtomicUsize,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `auth`.
    pub fn with(auth: StoredAuth) -> Self {
        Self {
            state: Mutex::new(Some(auth)),
            saves: AtomicUsize::new(0),
        }
    }

    /// How many times [`TokenStore::save`] ran, for tests.
    pub fn save_count(&self) -> usize {
        self.saves.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<StoredAuth>> {
        // Every write is one assignment, so a poisoned lock still holds a whole value.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl TokenStore for MemoryStore {
    fn kind(&self) -> StoreKind {
        StoreKind::Memory
    }

    fn location(&self) -> String {
        "memory (not saved)".to_owned()
    }

    fn load(&self) -> Result<Option<StoredAuth>, StoreError> {
        Ok(self.lock().clone())
    }

    fn save(&self, auth: &StoredAuth) -> Result<(), StoreError> {
        *self.lock() = Some(auth.clone());
        self.saves.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn clear(&self) -> Result<(), StoreError> {
        *self.lock() = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::sample;

    #[test]
    fn the_memory_store_round_trips_counts_saves_and_clears() {
        let store = MemoryStore::new();
        assert!(store.load().unwrap().is_none());
        let auth = StoredAuth::SignedIn(sample("m"));
        store.save(&auth).unwrap();
        assert_eq!(store.load().unwrap(), Some(auth));
        assert_eq!(store.save_count(), 1);
        store.clear().unwrap();
        assert!(store.load().unwrap().is_none());
        assert!(!store.kind().is_persistent());
    }
}
