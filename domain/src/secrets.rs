//! Bearer secrets (SCIM tokens, API keys): high-entropy random strings, stored only as a
//! SHA-256 hash (a slow password hash adds nothing for 256-bit random secrets and would cost
//! every request). Human passwords use argon2id.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How many leading characters of a secret are kept to let people recognise it.
const DISPLAY_PREFIX_LEN: usize = 12;

/// A freshly generated secret: `plaintext` is shown once, `hash` and `prefix` are stored.
#[derive(Debug, Clone)]
pub struct NewSecret {
    pub plaintext: String,
    pub hash: String,
    pub prefix: String,
}

/// A new secret of 32 random bytes behind a recognisable prefix (`scim_`, `rk_`), so that leaked
/// tokens are easy to spot by secret scanners.
pub fn generate(kind_prefix: &str) -> NewSecret {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let plaintext = format!("{kind_prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
    NewSecret {
        hash: hash_token(&plaintext),
        prefix: plaintext.chars().take(DISPLAY_PREFIX_LEN).collect(),
        plaintext,
    }
}

/// The prefixes of every secret Roster issues: SCIM tokens, API keys, refresh tokens, setup
/// links and signing secrets.
const ISSUED_PREFIXES: [&str; 5] = [
    crate::services::scim_tokens::TOKEN_PREFIX,
    crate::services::API_KEY_PREFIX,
    crate::services::sessions::REFRESH_PREFIX,
    crate::services::setup_links::LINK_PREFIX,
    crate::signing::SECRET_PREFIX,
];

/// Whether `text` looks like a secret Roster issued (by its prefix), so logs can leave it out.
pub fn looks_issued(text: &str) -> bool {
    ISSUED_PREFIXES
        .iter()
        .any(|prefix| text.starts_with(prefix))
}

/// `path_and_query` with every path segment or query value that looks like an issued secret, and
/// the token of a setup link (`/admin/setup/<token>`), replaced by `[redacted]`: what a log may
/// show of a request's target.
pub fn redact_target(path_and_query: &str) -> String {
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    let mut previous = "";
    let mut segments = Vec::new();
    for segment in path.split('/') {
        let secret = looks_issued(segment) || (previous == "setup" && !segment.is_empty());
        segments.push(if secret { "[redacted]" } else { segment });
        previous = segment;
    }
    let mut out = segments.join("/");
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, value)) if looks_issued(value) => format!("{key}=[redacted]"),
                _ => pair.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// Hex SHA-256 of a bearer secret, the form stored and looked up.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// argon2id PHC string for a human password (default parameters: m=19 MiB, t=2, p=1).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?;
    Ok(hash.to_string())
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_lose_their_secrets_and_keep_the_rest() {
        assert_eq!(
            redact_target("/admin/setup/abc-123?x=1"),
            "/admin/setup/[redacted]?x=1"
        );
        assert_eq!(redact_target("/admin/setup"), "/admin/setup");
        assert_eq!(
            redact_target("/api/v1/x/rk_secret/y?token=scim_abc&limit=5"),
            "/api/v1/x/[redacted]/y?token=[redacted]&limit=5"
        );
        assert_eq!(
            redact_target("/scim/v2/0193/Users?filter=userName eq \"a\""),
            "/scim/v2/0193/Users?filter=userName eq \"a\""
        );
    }

    #[test]
    fn generated_secrets_are_unique_and_hash_to_what_is_stored() {
        let a = generate("scim_");
        let b = generate("scim_");
        assert_ne!(a.plaintext, b.plaintext);
        assert!(a.plaintext.starts_with("scim_"));
        assert_eq!(a.plaintext.len(), 5 + 43);
        assert_eq!(hash_token(&a.plaintext), a.hash);
        assert_eq!(a.hash.len(), 64);
        assert!(a.plaintext.starts_with(&a.prefix));
    }

    #[test]
    fn password_round_trip() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("wrong", &phc));
        assert!(!verify_password("correct horse", "not a phc string"));
    }
}
