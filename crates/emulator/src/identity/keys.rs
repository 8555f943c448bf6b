//! Keys that sign the emulator's tokens.

/// Signing keys (placeholder until tokens are issued).
#[derive(Debug)]
pub struct SigningKeys {}

/// Keys could not be generated.
#[derive(Debug, thiserror::Error)]
#[error("cannot generate signing keys: {0}")]
pub struct KeyError(pub String);

impl SigningKeys {
    /// Fresh keys for this run.
    pub fn generate() -> Result<Self, KeyError> {
        Ok(Self {})
    }
}
