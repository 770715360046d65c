//! The User resource (RFC 7643 §4.1): what a client may write, and the attributes that are
//! stored as indexed columns.

use crate::error::{ScimError, ScimType};
use crate::schemas;
use serde_json::{Map, Value};

/// Attributes a client may not set: assigned by the service provider (`id`, `meta`), computed
/// (`groups`), or write-only and never stored in the resource (`password`).
const SERVER_OWNED: &[&str] = &["id", "meta", "groups", "password"];

/// A validated User as written by a client, with the attributes the store indexes.
#[derive(Debug, Clone, PartialEq)]
pub struct UserInput {
    pub user_name: String,
    pub external_id: Option<String>,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// The primary email (or the first one when none is marked primary).
    pub primary_email: Option<String>,
    pub active: bool,
    /// The resource as it will be stored: nulls dropped, server-owned attributes removed,
    /// booleans normalised, `schemas` present. Extensions and unknown attributes are kept.
    pub resource: Value,
}

/// Validates a User from a POST or PUT body.
///
/// Tolerates what real IdPs send: `null` values (dropped), booleans as the strings
/// `"True"`/`"False"` (Entra ID), and stray top-level keys (kept as unknown attributes).
pub fn parse_user(body: &Value) -> Result<UserInput, ScimError> {
    let Value::Object(input) = body else {
        return Err(ScimError::bad_request(
            ScimType::InvalidSyntax,
            "the request body must be a JSON object",
        ));
    };
    let mut resource: Map<String, Value> = Map::new();
    for (key, value) in input {
        if value.is_null() || SERVER_OWNED.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            continue;
        }
        resource.insert(key.clone(), strip_nulls(value.clone()));
    }

    let user_name = match get_ci(&resource, "userName") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) | None => {
            return Err(ScimError::bad_request(
                ScimType::InvalidValue,
                "userName is required and must not be empty",
            ));
        }
        Some(_) => {
            return Err(ScimError::bad_request(
                ScimType::InvalidValue,
                "userName must be a string",
            ));
        }
    };

    // Absent `active` stays absent in the resource (the store treats the user as active).
    let active = match get_ci(&resource, "active") {
        None => true,
        Some(v) => {
            let b = parse_bool(v).ok_or_else(|| {
                ScimError::bad_request(ScimType::InvalidValue, "active must be a boolean")
            })?;
            set_ci(&mut resource, "active", Value::Bool(b));
            b
        }
    };

    schemas::check_resource_schemas(&mut resource, schemas::USER)?;
    check_shapes(&resource)?;

    let name = get_ci(&resource, "name");
    Ok(UserInput {
        external_id: string_attr(&resource, "externalId")?,
        display_name: string_attr(&resource, "displayName")?,
        given_name: name.and_then(|n| n.get("givenName")).and_then(as_string),
        family_name: name.and_then(|n| n.get("familyName")).and_then(as_string),
        primary_email: primary_email(get_ci(&resource, "emails")),
        user_name,
        active,
        resource: Value::Object(resource),
    })
}

/// Case-insensitive attribute lookup (attribute names are case-insensitive, RFC 7643 §2.1).
pub fn get_ci<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn set_ci(obj: &mut Map<String, Value>, name: &str, value: Value) {
    let key = obj
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_string());
    obj.insert(key, value);
}

/// Booleans, and the strings "true"/"false" in any case (Entra ID sends "True"/"False").
pub fn parse_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn string_attr(obj: &Map<String, Value>, name: &str) -> Result<Option<String>, ScimError> {
    match get_ci(obj, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ScimError::bad_request(
            ScimType::InvalidValue,
            format!("{name} must be a string"),
        )),
    }
}

fn as_string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// The sub-attributes of `name` (RFC 7643 §4.1.1), all strings; others are kept as they are.
const NAME_PARTS: &[&str] = &[
    "formatted",
    "familyName",
    "givenName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
];

/// The core attributes read here (`name`, `emails`) must have their RFC 7643 §4.1 shapes:
/// otherwise `givenName` or the primary email would be read as absent while the stored
/// resource kept a value of the wrong type.
fn check_shapes(resource: &Map<String, Value>) -> Result<(), ScimError> {
    let invalid = |detail: &str| {
        Err(ScimError::bad_request(
            ScimType::InvalidValue,
            detail.to_string(),
        ))
    };
    if let Some(name) = get_ci(resource, "name") {
        let Value::Object(parts) = name else {
            return invalid("name must be an object");
        };
        let named = |(key, _): &(&String, &Value)| {
            NAME_PARTS.iter().any(|part| key.eq_ignore_ascii_case(part))
        };
        if !parts.iter().filter(named).all(|(_, v)| v.is_string()) {
            return invalid("the sub-attributes of name must be strings");
        }
    }
    if let Some(emails) = get_ci(resource, "emails") {
        let Value::Array(list) = emails else {
            return invalid("emails must be an array");
        };
        for email in list {
            let Value::Object(email) = email else {
                return invalid("each email must be an object");
            };
            if email.get("value").is_some_and(|v| !v.is_string()) {
                return invalid("the value of an email must be a string");
            }
        }
    }
    Ok(())
}

fn primary_email(emails: Option<&Value>) -> Option<String> {
    let list = emails?.as_array()?;
    let is_primary = |e: &&Value| e.get("primary").and_then(parse_bool).unwrap_or(false);
    list.iter()
        .find(is_primary)
        .or_else(|| list.first())
        .and_then(|e| e.get("value"))
        .and_then(as_string)
}

fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .filter(|v| !v.is_null())
                .map(strip_nulls)
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extracts_indexed_attributes() {
        let user = parse_user(&json!({
            "schemas": [schemas::USER],
            "userName": "Ada@Example.com",
            "externalId": "00u1",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [
                {"value": "ada@home.example", "type": "home"},
                {"value": "ada@example.com", "type": "work", "primary": true}
            ]
        }))
        .unwrap();
        assert_eq!(user.user_name, "Ada@Example.com");
        assert_eq!(user.external_id.as_deref(), Some("00u1"));
        assert_eq!(user.given_name.as_deref(), Some("Ada"));
        assert_eq!(user.family_name.as_deref(), Some("Lovelace"));
        assert_eq!(user.primary_email.as_deref(), Some("ada@example.com"));
        assert!(user.active);
    }

    #[test]
    fn tolerates_entra_string_booleans_nulls_and_stray_keys() {
        let user = parse_user(&json!({
            "userName": "bob@contoso.com",
            "active": "False",
            "displayName": null,
            "emails": [{"value": "bob@contoso.com", "primary": "True", "display": null}],
            "strayKey": 1
        }))
        .unwrap();
        assert!(!user.active);
        assert_eq!(user.display_name, None);
        assert_eq!(user.resource["active"], json!(false));
        assert_eq!(user.resource["strayKey"], json!(1));
        assert!(user.resource.get("displayName").is_none());
        assert!(user.resource["emails"][0].get("display").is_none());
        assert_eq!(user.resource["schemas"], json!([schemas::USER]));
    }

    #[test]
    fn drops_server_owned_and_write_only_attributes() {
        let user = parse_user(&json!({
            "userName": "c", "id": "x", "meta": {}, "groups": [], "password": "hunter2"
        }))
        .unwrap();
        for key in ["id", "meta", "groups", "password"] {
            assert!(user.resource.get(key).is_none(), "{key} kept");
        }
    }

    #[test]
    fn rejects_missing_or_bad_user_name_and_bad_active() {
        for body in [
            json!({}),
            json!({"userName": ""}),
            json!({"userName": 5}),
            json!({"userName": "a", "active": "maybe"}),
            json!({"userName": "a", "schemas": "urn"}),
            json!({"userName": "a", "schemas": [{}]}),
            json!({"userName": "a", "name": "Ada"}),
            json!({"userName": "a", "name": {"givenName": 7}}),
            json!({"userName": "a", "emails": "a@x.test"}),
            json!({"userName": "a", "emails": ["a@x.test"]}),
            json!({"userName": "a", "emails": [{"value": 7}]}),
            json!([1]),
        ] {
            let err = parse_user(&body).unwrap_err();
            assert_eq!(err.status, 400, "{body}");
        }
    }
}
