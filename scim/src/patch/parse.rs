//! Parsing a PatchOp body. Lenient where IdPs differ harmlessly: `op` in any case (Entra sends
//! `Add`, `Replace`, `Remove`), `Operations` in any case, `schemas` may be omitted.

use crate::error::{ScimError, ScimType};
use crate::filter::{PatchPath, parse_path};
use crate::schemas;
use crate::user::get_ci;
use serde_json::Value;

/// Most operations accepted in one PATCH request. Applying them, a value spread over attributes
/// (path-less, or an extension's object) counts one operation per attribute.
pub const MAX_OPERATIONS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Add,
    Remove,
    Replace,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatchOp {
    pub op: OpKind,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

fn syntax(detail: impl Into<String>) -> ScimError {
    ScimError::bad_request(ScimType::InvalidSyntax, detail)
}

pub fn parse_patch(body: &Value) -> Result<Vec<PatchOp>, ScimError> {
    let Value::Object(body) = body else {
        return Err(syntax("the request body must be a JSON object"));
    };
    if let Some(list) = get_ci(body, "schemas") {
        let ok = list.as_array().is_some_and(|l| {
            l.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(schemas::PATCH_OP))
            })
        });
        if !ok {
            return Err(syntax(format!(
                "schemas must contain {}",
                schemas::PATCH_OP
            )));
        }
    }
    let Some(Value::Array(ops)) = get_ci(body, "Operations") else {
        return Err(syntax("Operations must be an array of operations"));
    };
    if ops.is_empty() {
        return Err(syntax("Operations must not be empty"));
    }
    if ops.len() > MAX_OPERATIONS {
        return Err(ScimError::bad_request(
            ScimType::TooMany,
            format!("at most {MAX_OPERATIONS} operations per PATCH"),
        ));
    }
    ops.iter().map(parse_op).collect()
}

fn parse_op(raw: &Value) -> Result<PatchOp, ScimError> {
    let Value::Object(raw) = raw else {
        return Err(syntax("each operation must be an object"));
    };
    let op = match get_ci(raw, "op")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("add") => OpKind::Add,
        Some("remove") => OpKind::Remove,
        Some("replace") => OpKind::Replace,
        _ => return Err(syntax("op must be add, remove or replace")),
    };
    let path = match get_ci(raw, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) if p.trim().is_empty() => None,
        Some(Value::String(p)) => Some(parse_path(p)?),
        Some(_) => {
            return Err(ScimError::bad_request(
                ScimType::InvalidPath,
                "path must be a string",
            ));
        }
    };
    let value = get_ci(raw, "value").filter(|v| !v.is_null()).cloned();
    match (op, &path, &value) {
        (OpKind::Remove, None, _) => Err(ScimError::bad_request(
            ScimType::NoTarget,
            "remove needs a path",
        )),
        (OpKind::Add | OpKind::Replace, None, Some(v)) if !v.is_object() => Err(syntax(
            "without a path, value must be an object of attributes",
        )),
        // A replace with a null value clears the attribute (some IdPs clear fields that way).
        (OpKind::Replace, Some(_), None) => Ok(PatchOp {
            op: OpKind::Remove,
            path,
            value,
        }),
        (OpKind::Add | OpKind::Replace, _, None) => Err(syntax("add and replace need a value")),
        _ => Ok(PatchOp { op, path, value }),
    }
}
