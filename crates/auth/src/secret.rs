//! Secrets as newtypes: access tokens, refresh tokens, authorization codes, PKCE verifiers and device codes.
//!
//! Each type prints a redaction through `Debug` and `Display`, implements neither `Serialize` nor `Deref`, and
//! hands out its text only through an explicit [`expose_secret`](AccessToken::expose_secret) call, so a secret
//! cannot reach a log line, an error message or a panic by accident (architecture convention 7). Code that must
//! put a secret on the wire or into a store calls `expose_secret` where it does so, which keeps those places
//! few and easy to audit (`grep expose_secret`).

use std::fmt;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident, $label:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret text, for the one place that must send or store it.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }

            /// True when the secret is the empty string (a malformed server answer).
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!("<redacted ", $label, ">"))
            }
        }
    };
}

secret_type!(
    /// A bearer token for Microsoft Graph. Opaque to the client (contract §5): never parsed, only sent.
    AccessToken,
    "access token"
);
secret_type!(
    /// A refresh token. It replaces itself on every use (contract §5), so the newest one must be stored at once.
    RefreshToken,
    "refresh token"
);
secret_type!(
    /// An authorization code from the loopback redirect, redeemable once within about ten minutes.
    AuthorizationCode,
    "authorization code"
);
secret_type!(
    /// The PKCE code verifier that proves the code redeemer is the app that started the sign-in.
    PkceVerifier,
    "PKCE verifier"
);
secret_type!(
    /// The device code polled for in the device-code flow; whoever holds it receives the tokens.
    DeviceCode,
    "device code"
);
secret_type!(
    /// An OpenID Connect id token; only its claims are read, to name the account.
    IdToken,
    "id token"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_print_a_redaction_and_never_the_value() {
        let value = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl";
        let samples: Vec<(String, String)> = vec![
            (
                format!("{:?}", AccessToken::new(value)),
                format!("{}", AccessToken::new(value)),
            ),
            (
                format!("{:?}", RefreshToken::new(value)),
                format!("{}", RefreshToken::new(value)),
            ),
            (
                format!("{:?}", AuthorizationCode::new(value)),
                format!("{}", AuthorizationCode::new(value)),
            ),
            (
                format!("{:?}", PkceVerifier::new(value)),
                format!("{}", PkceVerifier::new(value)),
            ),
            (
                format!("{:?}", DeviceCode::new(value)),
                format!("{}", DeviceCode::new(value)),
            ),
            (
                format!("{:?}", IdToken::new(value)),
                format!("{}", IdToken::new(value)),
            ),
        ];
        for (debug, display) in samples {
            assert!(debug.contains("<redacted>"), "{debug}");
            assert!(display.starts_with("<redacted "), "{display}");
            for text in [&debug, &display] {
                assert!(!text.contains("eyJ"), "{text}");
                assert!(!text.contains("c2VjcmV0"), "{text}");
            }
        }
    }

    #[test]
    fn a_struct_holding_secrets_derives_a_debug_that_stays_redacted() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            token: AccessToken,
            refresh: Option<RefreshToken>,
        }
        let holder = Holder {
            token: AccessToken::new("at-very-secret-1234"),
            refresh: Some(RefreshToken::new("rt-very-secret-5678")),
        };
        let text = format!("{holder:?} {holder:#?}");
        assert!(!text.contains("very-secret"), "{text}");
        assert!(text.contains("AccessToken(<redacted>)"));
    }

    #[test]
    fn the_value_is_reachable_only_through_expose_secret() {
        let token = RefreshToken::new("rt-1");
        assert_eq!(token.expose_secret(), "rt-1");
        assert!(!token.is_empty());
        assert!(RefreshToken::new("").is_empty());
    }
}
