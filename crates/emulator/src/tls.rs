//! `--tls`: a throwaway certificate authority and a server certificate for 127.0.0.1 and localhost.
//!
//! Microsoft's client libraries refuse an authority that is not https, so the identity endpoints must be
//! reachable over TLS. The CA's PEM is written where `--ca-out` says so clients can trust it.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

/// A CA and a server certificate it signed.
#[derive(Debug, Clone)]
pub struct TlsMaterial {
    /// The CA certificate, PEM: what clients trust.
    pub ca_pem: String,
    /// The server certificate chain (leaf then CA), PEM.
    pub chain_pem: String,
    /// The server's private key, PKCS#8 PEM. Never leaves the process unless the caller writes it.
    pub key_pem: String,
}

/// Generates a new CA and a server certificate for `127.0.0.1`, `::1`-free `localhost`.
pub fn generate() -> Result<TlsMaterial, rcgen::Error> {
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.distinguished_name
        .push(DnType::CommonName, "Presently emulator CA");
    ca.distinguished_name
        .push(DnType::OrganizationName, "Presently (test only)");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
    leaf.distinguished_name.push(DnType::CommonName, "127.0.0.1");
    leaf.use_authority_key_identifier_extension = true;
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate()?;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;

    let ca_pem = ca_cert.pem();
    Ok(TlsMaterial {
        chain_pem: format!("{}{}", leaf_cert.pem(), ca_pem),
        ca_pem,
        key_pem: leaf_key.serialize_pem(),
    })
}
