//! Entry points for the fuzz targets (`crates/fuzz-checks`, `fuzz/`): the crate's private parsers of outside
//! input, each with the properties that must hold for any bytes. Built only with the `fuzzing` feature.
//!
//! Each function takes a fuzzer's raw bytes, panics when a property does not hold (that is how a fuzzer and the
//! corpus replay see a failure) and returns whether the input parsed, so a replay can tell a corpus that
//! exercises nothing.
#![allow(clippy::expect_used, clippy::panic)]

use std::time::Duration;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{KeyInit, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use oauth2::TokenResponse as _;

use crate::config::Endpoints;
use crate::endpoint::{self, AadErrorBody, ResponseMeta};
use crate::error::{AuthError, aadsts_prefix, classify};
use crate::loopback::{Redirect, parse_target, request_target};
use crate::secret::IdToken;
use crate::store::{decode, encode};
use crate::tokens::{Account, account_from_id_token};

/// Whether `message`, its digits taken out, is one of `templates`: a message built from fixed text and numbers
/// only, so it cannot carry input bytes (a token, a code, an id).
fn assert_fixed_text(message: &str, templates: &[&str]) {
    let digitless = |text: &str| -> String { text.chars().filter(|c| !c.is_ascii_digit()).collect() };
    let shape = digitless(message);
    assert!(
        templates.iter().any(|t| digitless(t) == shape),
        "a message that is not fixed text: {message:?}"
    );
}

/// The browser's request on the loopback redirect: the request head's first line, then the target's query.
/// Neither panics; a target read from a head reads back the same from `GET {target} HTTP/1.1`; a redirect read
/// from a target reads back the same from the query it forms; the code never shows in `Debug`.
pub fn loopback_request(data: &[u8]) -> bool {
    let target = match request_target(data) {
        Some(target) => {
            let again = request_target(format!("GET {target} HTTP/1.1\r\n\r\n").as_bytes());
            assert_eq!(
                again.as_deref(),
                Some(target.as_str()),
                "request line of {target:?}"
            );
            target
        }
        // The bytes as a target alone, so the query parser sees what a fuzzer gives it directly.
        None => match std::str::from_utf8(data) {
            Ok(text) => text.to_owned(),
            Err(_) => return false,
        },
    };
    let Some(redirect) = parse_target(&target) else {
        return false;
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    match &redirect {
        Redirect::Code { code, state } => {
            query.append_pair("code", code.expose_secret());
            query.append_pair("state", state);
            // What Debug and Display show does not depend on the code at all.
            let other = crate::secret::AuthorizationCode::new("another code");
            assert_eq!(format!("{code:?} {code}"), format!("{other:?} {other}"));
        }
        Redirect::Error {
            error,
            description,
            state,
        } => {
            // An empty `error=` and a bare `state=` both read as an error without a name: form it always.
            query.append_pair("error", error);
            if let Some(d) = description {
                query.append_pair("error_description", d);
            }
            if let Some(s) = state {
                query.append_pair("state", s);
            }
        }
    }
    let formed = format!("/?{}", query.finish());
    let again = parse_target(&formed).expect("a redirect's own query parses");
    assert!(
        same_redirect(&redirect, &again),
        "{target:?} formed as {formed:?}"
    );
    // Only the exact state is this sign-in's.
    if let Redirect::Code { state, .. } = &redirect {
        assert!(redirect.has_state(state));
        assert!(!redirect.has_state(&format!("{state}x")));
    }
    true
}

fn same_redirect(a: &Redirect, b: &Redirect) -> bool {
    match (a, b) {
        (Redirect::Code { code: c1, state: s1 }, Redirect::Code { code: c2, state: s2 }) => {
            c1.expose_secret() == c2.expose_secret() && s1 == s2
        }
        (
            Redirect::Error {
                error: e1,
                description: d1,
                state: s1,
            },
            Redirect::Error {
                error: e2,
                description: d2,
                state: s2,
            },
        ) => e1 == e2 && d1 == d2 && s1 == s2,
        _ => false,
    }
}

const DOCUMENT_ERRORS: &[&str] = &[
    "not a saved sign-in (JSON read error at line , column )",
    "not a saved sign-in (JSON syntax error at line , column )",
    "not a saved sign-in (JSON with unexpected fields at line , column )",
    "not a saved sign-in (JSON cut short at line , column )",
    "format version  is not one this Presently reads",
];

/// The saved token document: never panics; what decodes encodes and decodes back equal; a refusal is fixed text.
pub fn token_document(data: &[u8]) -> bool {
    match decode(data) {
        Ok(auth) => {
            let again = decode(&encode(&auth)).expect("an encoded document decodes");
            assert_eq!(again, auth);
            true
        }
        Err(reason) => {
            assert_fixed_text(&reason, DOCUMENT_ERRORS);
            false
        }
    }
}

const ENVELOPE_ERRORS: &[&str] = &[
    "it does not start like a Presently token envelope",
    "it is too short to hold a nonce and a tag",
    "bad nonce",
    "it does not decrypt with the key in the credential store",
];

/// The encrypted envelope: opening any bytes never panics and refuses in fixed words; a sealed input opens to
/// itself, and a sealed envelope with any byte changed does not open.
pub fn token_envelope(data: &[u8]) -> bool {
    let cipher = Aes256Gcm::new_from_slice(&[7u8; 32]).expect("a 32-byte key");
    let opened = crate::store::keyring::open_envelope(&cipher, data);
    if let Err(reason) = &opened {
        assert!(ENVELOPE_ERRORS.contains(reason), "{reason:?}");
    }
    let nonce = Nonce::<Aes256Gcm>::try_from(&[9u8; 12][..]).expect("a 12-byte nonce");
    let sealed = crate::store::keyring::seal_envelope(&cipher, &nonce, data).expect("AES-GCM seals");
    let back = crate::store::keyring::open_envelope(&cipher, &sealed).expect("a sealed envelope opens");
    assert_eq!(back, data);
    // Flip one byte chosen by the input: the magic, the nonce or the ciphertext must all be authenticated.
    let at = data.first().map_or(0, |b| usize::from(*b)) % sealed.len();
    let mut damaged = sealed;
    damaged[at] ^= 0x01;
    assert!(
        crate::store::keyring::open_envelope(&cipher, &damaged).is_err(),
        "byte {at} changed unseen"
    );
    opened.is_ok()
}

const ID_TOKEN_ERRORS: &[&str] = &[
    "Microsoft's sign-in service sent an answer Presently does not understand (the id_token is not a JWT).",
    "Microsoft's sign-in service sent an answer Presently does not understand (the id_token payload is not base64url).",
    "Microsoft's sign-in service sent an answer Presently does not understand (the id_token payload is not the expected JSON).",
    "Microsoft's sign-in service sent an answer Presently does not understand (the id_token has no oid claim).",
    "Microsoft's sign-in service sent an answer Presently does not understand (the id_token has no tid claim).",
];

/// id_token claims: never panics, refuses in fixed words, and an account read from a token reads back the same
/// from a token made of its claims.
pub fn id_token(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    match account_from_id_token(&IdToken::new(text)) {
        Ok(account) => {
            let again = account_from_id_token(&jwt_of(&account)).expect("a token of an account's claims");
            assert_eq!(again, account);
            true
        }
        Err(e) => {
            assert_fixed_text(&e.to_string(), ID_TOKEN_ERRORS);
            false
        }
    }
}

fn jwt_of(account: &Account) -> IdToken {
    let claims = serde_json::json!({
        "oid": account.oid,
        "tid": account.tid,
        "preferred_username": account.username,
        "name": account.name,
    });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    IdToken::new(format!("eyJhbGciOiJub25lIn0.{payload}.c2ln"))
}

fn endpoints() -> Endpoints {
    crate::config::AuthConfig::default()
        .endpoints()
        .expect("the default configuration has endpoints")
}

/// An Entra error body and the AADSTS number at the start of its description: never panics; the number reads
/// back from `AADSTS{n}:`; the refusal's message and action do not depend on the description or the ids (which
/// are for diagnostics only, contract §5).
pub fn aadsts(data: &[u8]) -> bool {
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(n) = aadsts_prefix(text)
    {
        assert_eq!(aadsts_prefix(&format!("AADSTS{n}: x")), Some(n), "{text:?}");
    }
    let Ok(body) = serde_json::from_slice::<AadErrorBody>(data) else {
        return false;
    };
    let _ = body.error_description.as_deref().map(aadsts_prefix);
    let kind = classify(&body.error, &body.error_codes, body.suberror.as_deref());
    let meta = Some(ResponseMeta {
        status: 400,
        retry_after: Some(Duration::from_secs(5)),
    });
    let endpoints = endpoints();
    let refusal = endpoint::refusal_from_body(body.clone(), meta, &endpoints);
    assert_eq!(refusal.kind, kind);
    let bare = endpoint::refusal_from_body(
        AadErrorBody {
            error_description: None,
            trace_id: None,
            correlation_id: None,
            ..body
        },
        meta,
        &endpoints,
    );
    assert_eq!(refusal.to_string(), bare.to_string());
    // What the popup and the logs show: bounded, one line, whatever the server sent.
    let shown = refusal.to_string();
    assert!(shown.len() < 1024, "{} bytes", shown.len());
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert_eq!(refusal.action(), bare.action());
    true
}

/// A token endpoint's answer (the first byte picks the HTTP status): never panics; a failure names at most a
/// field of the answer's own shape, never its content; a token set built from it expires within a week of the
/// request and never shows its access token in `Debug`; the answer serialises and parses back the same.
pub fn token_answer(data: &[u8]) -> bool {
    let Some((&first, body)) = data.split_first() else {
        return false;
    };
    let status = match first % 4 {
        0 | 1 => 200,
        2 => 400,
        _ => 401,
    };
    let answer = match endpoint::parse_token_answer(status, body) {
        Ok(answer) => answer,
        Err(reason) => {
            assert_field_error(&reason);
            return false;
        }
    };
    let response = match answer {
        Ok(response) => response,
        Err(error) => {
            let round = serde_json::to_vec(&error).expect("an error body serialises");
            let Ok(Err(again)) = endpoint::parse_token_answer(400, &round) else {
                panic!("a serialised error body does not parse back as one");
            };
            assert_eq!(again.error_codes, error.error_codes);
            assert_eq!(again.error, error.error);
            return true;
        }
    };
    let round = serde_json::to_vec(&response).expect("a token answer serialises");
    let Ok(Ok(again)) = endpoint::parse_token_answer(200, &round) else {
        panic!("a serialised token answer does not parse back as one");
    };
    assert_eq!(again.access_token().secret(), response.access_token().secret());
    assert_eq!(again.expires_in(), response.expires_in());
    let requested_at = Timestamp::from_second(1_800_000_000).expect("a timestamp");
    match endpoint::token_set_from_response(&response, requested_at, None) {
        Ok(set) => {
            assert!(set.expires_at > requested_at);
            assert!(set.expires_at.duration_since(requested_at) <= jiff::SignedDuration::from_hours(7 * 24));
            let access = set.access_token.expose_secret();
            let shown = format!("{set:?}");
            let elsewhere = format!("{:?} {:?}", set.account, set.scopes);
            if access.len() >= 8 && !elsewhere.contains(access) {
                assert!(!shown.contains(access), "the access token shows in {shown:?}");
            }
        }
        Err(e) => {
            assert!(matches!(e, AuthError::UnexpectedResponse(_)), "{e:?}");
            let text = e.to_string();
            let access = response.access_token().secret();
            if access.len() >= 8 {
                assert!(
                    !text.contains(access.as_str()),
                    "the access token shows in {text:?}"
                );
            }
        }
    }
    true
}

/// `HTTP {status}, the field "{path}" does not fit`: the path made of known field names and indexes only.
fn assert_field_error(reason: &str) {
    let path = reason
        .split_once("the field \"")
        .and_then(|(_, rest)| rest.strip_suffix("\" does not fit"))
        .unwrap_or_else(|| panic!("an unexpected refusal: {reason:?}"));
    for segment in path.split(['.', '[', ']']).filter(|s| !s.is_empty()) {
        assert!(
            segment == "?"
                || segment.chars().all(|c| c.is_ascii_digit())
                || endpoint::KNOWN_FIELDS.contains(&segment),
            "the refusal quotes {segment:?}: {reason:?}"
        );
    }
}
