//! TLS of Presently's HTTP clients: rustls with the *ring* crypto provider, made the process's default before a
//! client is built (reqwest is built without a provider of its own: the app then links ring, not aws-lc-rs).
//! Certificates are checked by the platform's verifier (reqwest's `rustls-platform-verifier`).

/// Makes ring the process's rustls crypto provider; a provider installed before stays (every one rustls ships
/// is fine for Graph and the identity platform).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// `reqwest::Client::builder()`, with the crypto provider installed first.
pub fn client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_client_builds_and_the_process_has_a_crypto_provider() {
        super::client_builder().build().unwrap();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
