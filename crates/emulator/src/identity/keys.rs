//! Keys that sign the emulator's tokens, and the JWKS document that publishes the public half.
//!
//! One ES256 (P-256) key pair is made per emulator run: generating it takes microseconds, so every test can start
//! its own emulator. [assumed] Real Entra signs with RS256 and rotates keys; a public client never verifies a
//! Graph access token (the token is opaque to it, contract §5) and MSAL does not verify the id_token signature,
//! so the algorithm is not something a client may depend on. The JWKS still advertises the key correctly, so a
//! tool that does verify can.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The signing algorithm of every token this emulator issues.
pub const ALGORITHM: Algorithm = Algorithm::ES256;

/// The emulator's signing key pair for this run.
pub struct SigningKeys {
    /// Key id (`kid` header and JWKS entry).
    kid: String,
    /// Private half (PKCS#8 DER inside).
    encoding: EncodingKey,
    /// Public half (uncompressed SEC1 point).
    decoding: DecodingKey,
    /// Public point x coordinate, base64url.
    x: String,
    /// Public point y coordinate, base64url.
    y: String,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private key never appears in debug output.
        f.debug_struct("SigningKeys")
            .field("kid", &self.kid)
            .field("alg", &ALGORITHM)
            .finish_non_exhaustive()
    }
}

/// Keys could not be generated.
#[derive(Debug, thiserror::Error)]
#[error("cannot generate signing keys: {0}")]
pub struct KeyError(pub String);

/// A token could not be signed.
#[derive(Debug, thiserror::Error)]
#[error("cannot sign a token: {0}")]
pub struct SignError(String);

/// Why a token's signature check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// Not a compact JWS this emulator could have made (bad shape, wrong algorithm or key id, bad JSON).
    #[error("not a token signed by this emulator")]
    Malformed,
    /// The shape is right but the signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
}

impl SigningKeys {
    /// Fresh keys for this run.
    pub fn generate() -> Result<Self, KeyError> {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| KeyError(e.to_string()))?;
        let point = pair.public_key_raw();
        // An uncompressed P-256 point: 0x04 || x (32 bytes) || y (32 bytes).
        if point.len() != 65 || point[0] != 0x04 {
            return Err(KeyError(format!(
                "unexpected public key encoding ({} bytes)",
                point.len()
            )));
        }
        let x = URL_SAFE_NO_PAD.encode(&point[1..33]);
        let y = URL_SAFE_NO_PAD.encode(&point[33..65]);
        let decoding = DecodingKey::from_ec_der(point);
        let encoding = EncodingKey::from_ec_der(&pair.serialize_der());
        let kid = uuid::Uuid::new_v4().simple().to_string();
        Ok(Self {
            kid,
            encoding,
            decoding,
            x,
            y,
        })
    }

    /// The key id in token headers and the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Signs `claims` as a compact JWS (`header.payload.signature`) with `typ: JWT` and this run's `kid`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, SignError> {
        let mut header = Header::new(ALGORITHM);
        header.typ = Some("JWT".into());
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|e| SignError(e.to_string()))
    }

    /// Checks the signature (and only the signature: no time, audience or issuer checks, which callers make
    /// against the virtual clock) and returns the claims.
    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Result<T, SignatureError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| SignatureError::Malformed)?;
        if header.alg != ALGORITHM || header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err(SignatureError::Malformed);
        }
        let mut validation = Validation::new(ALGORITHM);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<T>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => SignatureError::BadSignature,
                _ => SignatureError::Malformed,
            })
    }

    /// The JWKS document (`{"keys":[...]}`) that publishes the public key.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({
            "keys": [{
                "kty": "EC",
                "use": "sig",
                "crv": "P-256",
                "alg": "ES256",
                "kid": self.kid,
                "x": self.x,
                "y": self.y,
            }]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize, serde::Deserialize, PartialEq)]
    struct Claims {
        sub: String,
    }

    #[test]
    fn a_signed_token_verifies_with_the_same_keys_and_not_with_others() {
        let keys = SigningKeys::generate().unwrap();
        let token = keys.sign(&Claims { sub: "me".into() }).unwrap();
        assert_eq!(
            keys.verify::<Claims>(&token).unwrap(),
            Claims { sub: "me".into() }
        );
        let other = SigningKeys::generate().unwrap();
        assert_eq!(
            other.verify::<Claims>(&token),
            Err(SignatureError::Malformed),
            "a different kid is not ours"
        );
    }

    #[test]
    fn a_tampered_signature_is_refused() {
        let keys = SigningKeys::generate().unwrap();
        let token = keys.sign(&Claims { sub: "me".into() }).unwrap();
        let (head, sig) = token.rsplit_once('.').unwrap();
        let mut raw = URL_SAFE_NO_PAD.decode(sig).unwrap();
        raw[5] ^= 0x01;
        let forged = format!("{head}.{}", URL_SAFE_NO_PAD.encode(raw));
        assert_eq!(keys.verify::<Claims>(&forged), Err(SignatureError::BadSignature));
        assert_eq!(
            keys.verify::<Claims>("not.a.token"),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn the_jwks_publishes_the_key_id_and_curve_point() {
        let keys = SigningKeys::generate().unwrap();
        let jwks = keys.jwks();
        assert_eq!(jwks["keys"][0]["kid"], keys.kid());
        assert_eq!(jwks["keys"][0]["crv"], "P-256");
        let x = URL_SAFE_NO_PAD
            .decode(jwks["keys"][0]["x"].as_str().unwrap())
            .unwrap();
        assert_eq!(x.len(), 32);
    }

    #[test]
    fn debug_output_shows_no_key_material() {
        let keys = SigningKeys::generate().unwrap();
        let text = format!("{keys:?}");
        assert!(text.contains(keys.kid()));
        assert!(!text.contains(&keys.x));
    }
}
