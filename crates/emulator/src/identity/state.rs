//! Codes, refresh tokens and device-code grants in flight.

/// Identity state (placeholder).
#[derive(Debug, Default)]
pub struct IdentityState {}
