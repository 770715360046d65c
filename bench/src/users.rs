//! Request bodies as an identity provider sends them: Okta's SCIM 2.0 create-user body, with
//! unique userNames, and userNames re-cased at random for case-insensitive lookups.

use serde_json::{Value, json};

const GIVEN: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "Ken",
    "Margaret",
    "Dennis",
    "Radia",
    "Tim",
    "Hedy",
    "Linus",
    "Katherine",
    "John",
    "Sophie",
    "Niklaus",
    "Joan",
    "Leslie",
];
const FAMILY: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Thompson",
    "Hamilton",
    "Ritchie",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Torvalds",
    "Johnson",
    "Backus",
    "Wilson",
    "Wirth",
    "Clarke",
    "Lamport",
];

/// The `i`-th user's given name, family name and userName (unique per `i`).
pub fn identity(i: usize) -> (&'static str, &'static str, String) {
    let given = GIVEN[i % GIVEN.len()];
    let family = FAMILY[(i / GIVEN.len()) % FAMILY.len()];
    (
        given,
        family,
        format!("{given}.{family}.{i}@acme-bench.example"),
    )
}

/// Okta's create-user body (Okta sends `password` and an empty `groups`; Roster drops both).
pub fn okta_user(i: usize) -> Value {
    let (given, family, user_name) = identity(i);
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": true, "value": user_name, "type": "work"}],
        "displayName": format!("{given} {family}"),
        "locale": "en-US",
        "externalId": format!("00u{i:017}"),
        "groups": [],
        "password": "Bench-Passw0rd!",
        "active": true,
    })
}

/// Okta's create-group body: the group is pushed empty, its members follow in a `PATCH`.
pub fn okta_group(display_name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": display_name,
        "members": [],
    })
}

/// `s` with each ASCII letter's case flipped when the matching bit of `bits` is set.
pub fn random_case(s: &str, bits: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(k, c)| {
            if bits >> (k % 64) & 1 == 1 {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

/// `userName eq "…"` with the value escaped for a SCIM filter string.
pub fn user_name_eq(name: &str) -> String {
    format!(
        "userName eq \"{}\"",
        name.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_unique() {
        let names: std::collections::HashSet<String> = (0..5_000).map(|i| identity(i).2).collect();
        assert_eq!(names.len(), 5_000);
    }

    #[test]
    fn random_case_only_changes_case() {
        let s = "Ada.Lovelace.7@acme-bench.example";
        let r = random_case(s, 0xdead_beef_cafe_f00d);
        assert_ne!(r, s);
        assert!(r.eq_ignore_ascii_case(s));
    }
}
