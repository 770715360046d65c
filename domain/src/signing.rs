//! Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` is a
//! space-separated list of `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, one per
//! signing secret still valid, so receivers keep verifying during a secret rotation.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::Sha256;

pub const SECRET_PREFIX: &str = "whsec_";
/// Receivers reject timestamps further than this from their clock (replay protection).
pub const DEFAULT_TOLERANCE_SECS: i64 = 5 * 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    #[error("the secret must be whsec_ followed by base64")]
    BadSecret,
    #[error("the timestamp is outside the tolerance window")]
    Timestamp,
    #[error("no signature matches")]
    NoMatch,
}

/// A new `whsec_` secret of 32 random bytes.
pub fn generate_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

fn key_bytes(secret: &str) -> Result<Vec<u8>, SigningError> {
    let b64 = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    STANDARD.decode(b64).map_err(|_| SigningError::BadSecret)
}

fn mac(key: &[u8], msg_id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
    mac.update(body);
    mac
}

/// The `webhook-signature` header value: one `v1,` entry per secret.
pub fn sign(
    secrets: &[&str],
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SigningError> {
    let mut entries = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let tag = mac(&key_bytes(secret)?, msg_id, timestamp, body)
            .finalize()
            .into_bytes();
        entries.push(format!("v1,{}", STANDARD.encode(tag)));
    }
    Ok(entries.join(" "))
}

/// Verifies a delivery as a receiver would: the timestamp is within `tolerance_secs` of `now`
/// and at least one `v1` entry of the header matches (compared in constant time).
pub fn verify(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    signature_header: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SigningError> {
    if (now - timestamp).abs() > tolerance_secs {
        return Err(SigningError::Timestamp);
    }
    let key = key_bytes(secret)?;
    let matches = signature_header.split(' ').any(|entry| {
        entry
            .strip_prefix("v1,")
            .and_then(|b64| STANDARD.decode(b64).ok())
            .is_some_and(|sig| {
                mac(&key, msg_id, timestamp, body)
                    .verify_slice(&sig)
                    .is_ok()
            })
    });
    if matches {
        Ok(())
    } else {
        Err(SigningError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the Standard Webhooks specification.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;

    #[test]
    fn matches_the_specification_example() {
        let sig = sign(&[SECRET], MSG_ID, TS, BODY).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert_eq!(verify(SECRET, MSG_ID, TS, &sig, BODY, TS, 300), Ok(()));
    }

    #[test]
    fn every_secret_signs_during_rotation() {
        let other = generate_secret();
        let sig = sign(&[SECRET, &other], MSG_ID, TS, BODY).unwrap();
        assert_eq!(sig.split(' ').count(), 2);
        assert!(verify(&other, MSG_ID, TS, &sig, BODY, TS, 300).is_ok());
        assert!(verify(SECRET, MSG_ID, TS, &sig, BODY, TS, 300).is_ok());
    }

    #[test]
    fn rejects_tampering_old_timestamps_and_bad_secrets() {
        let sig = sign(&[SECRET], MSG_ID, TS, BODY).unwrap();
        assert_eq!(
            verify(SECRET, MSG_ID, TS, &sig, b"{}", TS, 300),
            Err(SigningError::NoMatch)
        );
        assert_eq!(
            verify(SECRET, "msg_other", TS, &sig, BODY, TS, 300),
            Err(SigningError::NoMatch)
        );
        assert_eq!(
            verify(SECRET, MSG_ID, TS, &sig, BODY, TS + 301, 300),
            Err(SigningError::Timestamp)
        );
        assert_eq!(
            sign(&["whsec_!!"], MSG_ID, TS, BODY),
            Err(SigningError::BadSecret)
        );
        assert!(generate_secret().starts_with(SECRET_PREFIX));
    }
}
