//! Generators for the hostile-input property tests: token soups, character soups and PATCH
//! operations as a careless or malicious client may write them.

use proptest::prelude::*;
use roster_scim::schemas::ENTERPRISE_USER as ENTERPRISE;
use serde_json::{Value, json};

/// Tokens of the filter grammar and of hostile text, to reach deep parser states.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "not",
    "NOT (",
    "and",
    "or",
    "pr",
    "eq",
    "GE",
    "co",
    "sw",
    "\"x\"",
    "\"",
    "\\",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"\\ud83d\\ude00\"",
    "\"\\q\"",
    "1",
    "-0",
    "1e400",
    "1e-400",
    "123456789012345678901234567890",
    "true",
    "NULL",
    "a",
    "emails",
    "a.b",
    ".value",
    "a.b.c",
    "urn:x:y:a",
    "urn:",
    ":",
    "$ref",
    "$REF",
    "\u{1F600}",
    "e\u{0301}",
    "\u{202e}",
    "\u{200b}",
    "\u{0}",
    "\u{a0}",
    "\u{feff}",
    "\t",
    "\n",
    "",
    ENTERPRISE,
    "meta.lastModified",
    "\"2011-13-45T99:99:99Z\"",
    "\"2011-05-13T04:42:34Z\"",
];

/// Up to `max` tokens, with or without separating spaces.
pub fn token_soup(max: usize) -> impl Strategy<Value = String> {
    let sep = prop::sample::select(vec!["", " ", "  "]);
    prop::collection::vec((prop::sample::select(TOKENS), sep), 0..max)
        .prop_map(|parts| parts.into_iter().map(|(t, s)| format!("{t}{s}")).collect())
}

/// Text over the characters that matter to the lexer, plus hostile ones.
pub fn char_soup() -> impl Strategy<Value = String> {
    let chars: Vec<char> = "()[]\"\\ .:$-+_eE0129aznotrpqu\u{0}\u{1}\u{7f}\u{a0}\u{301}\u{200b}\u{202e}\u{feff}\u{1F600}\u{FFFD}"
        .chars()
        .collect();
    prop::collection::vec(prop::sample::select(chars), 0..4096)
        .prop_map(|c| c.into_iter().collect())
}

/// A path from the grammar: an attribute the schemas define (or not), then an optional value
/// filter and an optional sub-attribute, to reach every branch of the PATCH engine.
fn structured_path() -> impl Strategy<Value = String> {
    let attr = prop::sample::select(vec![
        "emails",
        "members",
        "name",
        "addresses",
        "phoneNumbers",
        "roles",
        "groups",
        "meta",
        "id",
        "userName",
        "active",
        "schemas",
        "displayName",
        "x",
        ENTERPRISE,
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        "urn:ietf:params:scim:schemas:core:2.0:User:emails",
        "urn:x:y:emails",
    ]);
    let filter = prop::sample::select(vec![
        "type eq \"work\"",
        "value eq \"u1\" or value eq \"u2\"",
        "primary eq true",
        "not (type pr)",
        "value co \"\"",
        "display sw \"x\" and type ne null",
        "givenName eq \"Barbara\"",
        "$ref pr",
        "value gt 1e300",
    ]);
    let sub = prop::sample::select(vec![
        "value",
        "type",
        "primary",
        "display",
        "familyName",
        "$ref",
        "x",
    ]);
    (
        attr,
        proptest::option::of(filter),
        proptest::option::of(sub),
    )
        .prop_map(|(attr, filter, sub)| {
            let filter = filter.map(|f| format!("[{f}]")).unwrap_or_default();
            let sub = sub.map(|s| format!(".{s}")).unwrap_or_default();
            format!("{attr}{filter}{sub}")
        })
}

/// A PATCH operation as a hostile client may write it.
pub fn patch_op() -> impl Strategy<Value = Value> {
    let op = prop::sample::select(vec![
        json!("add"),
        json!("Remove"),
        json!("REPLACE"),
        json!("delete"),
        json!(1),
        json!(null),
        json!(["add"]),
        json!(""),
    ]);
    let path = prop_oneof![
        1 => Just(Value::Null),
        1 => prop::sample::select(vec![
            "title", "emails", "members", "name.givenName", "emails[type eq \"work\"].value",
            "members[value eq \"u1\"]", "id", "schemas", ENTERPRISE, "urn:x:y:z", "",
        ])
        .prop_map(Value::from),
        4 => structured_path().prop_map(Value::from),
        1 => token_soup(12).prop_map(Value::from),
        1 => any::<i32>().prop_map(Value::from),
    ];
    let value = prop_oneof![
        Just(Value::Null),
        Just(json!("x")),
        Just(json!("True")),
        Just(json!(1e300)),
        Just(json!(1e301)),
        Just(json!([{"value": "u1", "primary": true}, "x", 3])),
        Just(json!({"title": "t", "members": [{"value": "u2"}], ENTERPRISE: {"department": 1}})),
        Just(json!({"value": {"value": [[]]}})),
        Just(json!({"value": "x", "type": "work", "primary": "True"})),
        Just(json!([])),
        Just(json!({})),
        Just(json!(false)),
    ];
    (op, path, value, any::<u8>()).prop_map(|(op, path, value, keys)| {
        let mut obj = serde_json::Map::new();
        for (bit, key, v) in [(1, "op", op), (2, "path", path), (4, "value", value)] {
            if keys & bit != 0 {
                obj.insert(
                    if keys & 8 != 0 {
                        key.to_uppercase()
                    } else {
                        key.into()
                    },
                    v,
                );
            }
        }
        Value::Object(obj)
    })
}
