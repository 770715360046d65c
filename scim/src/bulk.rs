//! Bulk requests (RFC 7644 §3.7): parsing, limits, and `bulkId` references. Operations run
//! one by one (each in its own transaction); a `"bulkId:x"` value anywhere in an operation's
//! data or path is replaced by the id created by the operation whose `bulkId` is `x`.

use crate::error::{ScimError, ScimType};
use crate::user::get_ci;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkMethod {
    Post,
    Put,
    Patch,
    Delete,
}

impl BulkMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            BulkMethod::Post => "POST",
            BulkMethod::Put => "PUT",
            BulkMethod::Patch => "PATCH",
            BulkMethod::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkOperation {
    pub method: BulkMethod,
    pub bulk_id: Option<String>,
    /// `W/"n"` from the operation's `version` (an `If-Match`).
    pub version: Option<String>,
    pub path: String,
    pub data: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkRequest {
    /// Stop after this many errors (`None`: process everything).
    pub fail_on_errors: Option<u64>,
    pub operations: Vec<BulkOperation>,
}

fn syntax(detail: impl Into<String>) -> ScimError {
    ScimError::bad_request(ScimType::InvalidSyntax, detail)
}

/// Parses a BulkRequest; more than `max_operations` operations is a 413.
pub fn parse_bulk(body: &Value, max_operations: usize) -> Result<BulkRequest, ScimError> {
    let Value::Object(body) = body else {
        return Err(syntax("the request body must be a JSON object"));
    };
    // As for a PatchOp: `schemas` may be omitted, but when given it must name the message.
    if let Some(list) = get_ci(body, "schemas") {
        let named = list.as_array().is_some_and(|l| {
            l.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(BULK_REQUEST))
            })
        });
        if !named {
            return Err(syntax(format!("schemas must contain {BULK_REQUEST}")));
        }
    }
    let Some(Value::Array(ops)) = get_ci(body, "Operations") else {
        return Err(syntax("Operations must be an array"));
    };
    if ops.len() > max_operations {
        return Err(ScimError::new(
            413,
            None,
            format!("at most {max_operations} operations per bulk request (maxOperations)"),
        ));
    }
    let fail_on_errors = match get_ci(body, "failOnErrors") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().filter(|n| *n > 0).ok_or_else(|| {
            ScimError::bad_request(
                ScimType::InvalidValue,
                "failOnErrors must be a positive integer",
            )
        })?),
    };
    let mut operations = Vec::with_capacity(ops.len());
    let mut seen = std::collections::HashSet::new();
    for (i, op) in ops.iter().enumerate() {
        let op = parse_operation(op).map_err(|e| {
            ScimError::new(
                e.status,
                e.scim_type,
                format!("operation {i}: {}", e.detail),
            )
        })?;
        if let Some(id) = &op.bulk_id
            && !seen.insert(id.clone())
        {
            return Err(ScimError::bad_request(
                ScimType::InvalidValue,
                format!("bulkId `{id}` is used twice"),
            ));
        }
        operations.push(op);
    }
    Ok(BulkRequest {
        fail_on_errors,
        operations,
    })
}

fn parse_operation(op: &Value) -> Result<BulkOperation, ScimError> {
    let Value::Object(op) = op else {
        return Err(syntax("each operation must be an object"));
    };
    let text = |name: &str| get_ci(op, name).and_then(Value::as_str).map(str::to_string);
    let method = match text("method").map(|m| m.to_ascii_uppercase()).as_deref() {
        Some("POST") => BulkMethod::Post,
        Some("PUT") => BulkMethod::Put,
        Some("PATCH") => BulkMethod::Patch,
        Some("DELETE") => BulkMethod::Delete,
        _ => return Err(syntax("method must be POST, PUT, PATCH or DELETE")),
    };
    let path = text("path").ok_or_else(|| syntax("path is required"))?;
    let bulk_id = text("bulkId");
    if method == BulkMethod::Post && bulk_id.is_none() {
        return Err(syntax("POST operations need a bulkId"));
    }
    let data = get_ci(op, "data").filter(|d| !d.is_null()).cloned();
    if method != BulkMethod::Delete && data.is_none() {
        return Err(syntax("data is required for POST, PUT and PATCH"));
    }
    Ok(BulkOperation {
        method,
        bulk_id,
        version: text("version"),
        path,
        data,
    })
}

/// The `bulkId`s an operation refers to (`"bulkId:x"` strings in its path or data).
pub fn references(op: &BulkOperation) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => {
                if let Some(id) = s.strip_prefix("bulkId:") {
                    out.push(id.to_string());
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(map) => map.values().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(data) = &op.data {
        walk(data, &mut out);
    }
    if let Some((_, id)) = op.path.split_once("bulkId:") {
        out.push(id.to_string());
    }
    out
}

/// Replaces every `"bulkId:x"` with the id created for `x`.
pub fn resolve(op: &BulkOperation, ids: &HashMap<String, String>) -> BulkOperation {
    fn walk(v: &Value, ids: &HashMap<String, String>) -> Value {
        match v {
            Value::String(s) => match s.strip_prefix("bulkId:").and_then(|id| ids.get(id)) {
                Some(real) => Value::from(real.clone()),
                None => v.clone(),
            },
            Value::Array(items) => Value::Array(items.iter().map(|i| walk(i, ids)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, i)| (k.clone(), walk(i, ids)))
                    .collect::<Map<_, _>>(),
            ),
            other => other.clone(),
        }
    }
    let mut path = op.path.clone();
    if let Some((head, id)) = op.path.split_once("bulkId:")
        && let Some(real) = ids.get(id)
    {
        path = format!("{head}{real}");
    }
    BulkOperation {
        path,
        data: op.data.as_ref().map(|d| walk(d, ids)),
        ..op.clone()
    }
}

/// The order to run operations in: as given, except that an operation referring to a bulkId
/// created later runs after it. Returns the order and the operations whose references can
/// never resolve (unknown or circular).
pub fn schedule(ops: &[BulkOperation]) -> (Vec<usize>, Vec<usize>) {
    let creates: HashMap<&str, usize> = ops
        .iter()
        .enumerate()
        .filter_map(|(i, op)| op.bulk_id.as_deref().map(|b| (b, i)))
        .collect();
    let mut done = vec![false; ops.len()];
    let mut order = Vec::with_capacity(ops.len());
    loop {
        let mut progressed = false;
        for (i, op) in ops.iter().enumerate() {
            if done[i] {
                continue;
            }
            let ready = references(op)
                .iter()
                .all(|r| creates.get(r.as_str()).is_some_and(|&j| j != i && done[j]));
            if ready {
                done[i] = true;
                order.push(i);
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
    let stuck = (0..ops.len()).filter(|i| !done[*i]).collect();
    (order, stuck)
}

/// One entry of a BulkResponse.
pub fn result_entry(
    op: &BulkOperation,
    status: u16,
    location: Option<String>,
    version: Option<String>,
    error: Option<&ScimError>,
) -> Value {
    let mut entry = json!({"method": op.method.as_str(), "status": status.to_string()});
    if let Some(id) = &op.bulk_id {
        entry["bulkId"] = Value::from(id.clone());
    }
    if let Some(location) = location {
        entry["location"] = Value::from(location);
    }
    if let Some(version) = version {
        entry["version"] = Value::from(version);
    }
    if let Some(error) = error {
        entry["response"] = error.body();
    }
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str, bulk_id: Option<&str>, data: Value) -> Value {
        let mut v = json!({"method": method, "path": path, "data": data});
        if let Some(id) = bulk_id {
            v["bulkId"] = json!(id);
        }
        v
    }

    #[test]
    fn references_are_scheduled_and_resolved() {
        let req = parse_bulk(
            &json!({"schemas": [BULK_REQUEST], "failOnErrors": 2, "Operations": [
                op("POST", "/Groups", Some("g"), json!({"displayName": "G", "members": [{"value": "bulkId:u"}]})),
                op("POST", "/Users", Some("u"), json!({"userName": "a"})),
                op("PATCH", "/Groups/bulkId:g", None, json!({"Operations": []})),
                op("POST", "/Users", Some("x"), json!({"userName": "bulkId:y"})),
                op("POST", "/Users", Some("y"), json!({"userName": "bulkId:x"})),
            ]}),
            100,
        )
        .unwrap();
        assert_eq!(req.fail_on_errors, Some(2));
        let (order, stuck) = schedule(&req.operations);
        assert_eq!(order, [1, 0, 2], "the group waits for its member");
        assert_eq!(stuck, [3, 4], "circular references never resolve");
        let ids = HashMap::from([
            ("u".to_string(), "U1".to_string()),
            ("g".to_string(), "G1".to_string()),
        ]);
        assert_eq!(
            resolve(&req.operations[0], &ids).data.unwrap()["members"][0]["value"],
            "U1"
        );
        assert_eq!(resolve(&req.operations[2], &ids).path, "/Groups/G1");
    }

    #[test]
    fn limits_and_errors() {
        let many = json!({"Operations": (0..3).map(|i| op("POST", "/Users", Some(&i.to_string()), json!({}))).collect::<Vec<_>>()});
        assert_eq!(parse_bulk(&many, 2).unwrap_err().status, 413);
        for bad in [
            json!({}),
            json!({"Operations": [{"method": "GET", "path": "/Users"}]}),
            json!({"Operations": [{"method": "POST", "path": "/Users", "data": {}}]}),
            json!({"Operations": [{"method": "PUT", "path": "/Users/1"}]}),
            json!({"failOnErrors": 0, "Operations": []}),
            json!({"schemas": 7, "Operations": []}),
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": []}),
            json!({"Operations": [op("POST", "/Users", Some("a"), json!({})), op("POST", "/Users", Some("a"), json!({}))]}),
        ] {
            assert_eq!(parse_bulk(&bad, 10).unwrap_err().status, 400, "{bad}");
        }
    }
}
