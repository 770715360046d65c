//! The Group resource (RFC 7643 §4.2). Members are returned separately: the store keeps them as
//! rows, never inside the resource JSON, so that changing one member of a large group does not
//! rewrite the group.

use crate::error::{ScimError, ScimType};
use crate::schemas;
use crate::user::get_ci;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Attributes a client may not set on a Group (`members` is taken out separately).
const SERVER_OWNED: &[&str] = &["id", "meta", "members"];

/// A member reference as written by a client (`value` is the member's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInput {
    pub value: String,
    /// `User` or `Group` when the client said so.
    pub member_type: Option<String>,
}

/// A validated Group as written by a client.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupInput {
    pub display_name: String,
    pub external_id: Option<String>,
    /// `None` when the body had no `members` attribute (PUT then keeps nothing: RFC 7644 §3.5.1
    /// replaces the whole resource, so `None` and an empty list both mean "no members").
    pub members: Vec<MemberInput>,
    /// The resource as stored: no `members`, no server-owned attributes, nulls dropped.
    pub resource: Value,
}

/// Validates a Group from a POST or PUT body. Tolerates `null` values and unknown keys.
pub fn parse_group(body: &Value) -> Result<GroupInput, ScimError> {
    let Value::Object(input) = body else {
        return Err(ScimError::bad_request(
            ScimType::InvalidSyntax,
            "the request body must be a JSON object",
        ));
    };
    let members = match get_ci(input, "members") {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => parse_members(value)?,
    };
    let mut resource = Map::new();
    for (key, value) in input {
        if value.is_null() || SERVER_OWNED.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            continue;
        }
        resource.insert(key.clone(), value.clone());
    }
    let display_name = match get_ci(&resource, "displayName") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => {
            return Err(ScimError::bad_request(
                ScimType::InvalidValue,
                "displayName is required and must be a non-empty string",
            ));
        }
    };
    let external_id = match get_ci(&resource, "externalId") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ScimError::bad_request(
                ScimType::InvalidValue,
                "externalId must be a string",
            ));
        }
    };
    schemas::check_resource_schemas(&mut resource, schemas::GROUP)?;
    Ok(GroupInput {
        display_name,
        external_id,
        members,
        resource: Value::Object(resource),
    })
}

/// Parses a `members` value: an array of `{value, type?, display?, $ref?}` (a single object is
/// accepted too, as some clients send one).
pub fn parse_members(value: &Value) -> Result<Vec<MemberInput>, ScimError> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().filter(|v| !v.is_null()).collect(),
        Value::Object(_) => vec![value],
        _ => {
            return Err(ScimError::bad_request(
                ScimType::InvalidValue,
                "members must be an array of {\"value\": id} objects",
            ));
        }
    };
    let mut members: Vec<MemberInput> = Vec::with_capacity(items.len());
    let mut seen = HashSet::new();
    for item in items {
        let Some(Value::String(id)) = item.as_object().and_then(|o| get_ci(o, "value")) else {
            return Err(ScimError::bad_request(
                ScimType::InvalidValue,
                "every member needs a string \"value\" (the member's id)",
            ));
        };
        let member_type = item
            .as_object()
            .and_then(|o| get_ci(o, "type"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if seen.insert(id.as_str()) {
            members.push(MemberInput {
                value: id.clone(),
                member_type,
            });
        }
    }
    Ok(members)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_are_taken_out_of_the_resource() {
        let g = parse_group(&json!({
            "schemas": [schemas::GROUP],
            "displayName": "Engineering",
            "externalId": "eng",
            "members": [{"value": "u1", "display": "Ada"}, {"value": "u2", "type": "User"}, {"value": "u1"}]
        }))
        .unwrap();
        assert_eq!(g.display_name, "Engineering");
        assert_eq!(g.external_id.as_deref(), Some("eng"));
        assert_eq!(g.members.len(), 2, "duplicates collapse");
        assert_eq!(g.members[1].member_type.as_deref(), Some("User"));
        assert!(g.resource.get("members").is_none());
    }

    #[test]
    fn defaults_and_tolerance() {
        let g =
            parse_group(&json!({"displayName": "Ops", "members": null, "id": "x", "extra": true}))
                .unwrap();
        assert!(g.members.is_empty());
        assert_eq!(g.resource["schemas"], json!([schemas::GROUP]));
        assert!(g.resource.get("id").is_none());
        assert_eq!(g.resource["extra"], json!(true));
    }

    #[test]
    fn rejects_bad_groups() {
        for body in [
            json!({}),
            json!({"displayName": ""}),
            json!({"displayName": "x", "members": "u1"}),
            json!({"displayName": "x", "members": [{"display": "no value"}]}),
            json!({"displayName": "x", "externalId": 3}),
            json!("x"),
        ] {
            assert_eq!(parse_group(&body).unwrap_err().status, 400, "{body}");
        }
    }
}
