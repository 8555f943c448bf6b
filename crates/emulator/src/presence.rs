//! How Teams combines presence sessions and the preferred pin into what colleagues see (contract §3).

/// Sessions and pins of every user (placeholder).
#[derive(Debug, Default)]
pub struct PresenceBook {}
