//! Evaluates a filter against a JSON resource (RFC 7644 §3.4.2.2).
//!
//! Attribute names match JSON keys ignoring case. A path with a URN looks inside the
//! extension object keyed by that URN (core-schema URNs address the top level). Multi-valued
//! attributes match when any value does; a complex value compared directly (`emails eq "x"`)
//! is compared through its `value` sub-attribute. Type mismatches are simply false.

use super::ast::{CompValue, CompareOp, Filter};
use super::datetime::parse_date_time;
use crate::attr::{AttrPath, AttrType, AttributeInfo};
use crate::user::{get_ci, parse_bool};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// Whether `resource` satisfies `filter`; `info` gives attribute types and case-exactness.
pub fn matches(filter: &Filter, resource: &Value, info: &dyn AttributeInfo) -> bool {
    eval(filter, resource, None, info)
}

/// Evaluates `filter` at `node`: the resource, or (when `parent` is the multi-valued
/// attribute of an enclosing value path) one element of that attribute.
fn eval(
    filter: &Filter,
    node: &Value,
    parent: Option<&AttrPath>,
    info: &dyn AttributeInfo,
) -> bool {
    match filter {
        Filter::And(a, b) => eval(a, node, parent, info) && eval(b, node, parent, info),
        Filter::Or(a, b) => eval(a, node, parent, info) || eval(b, node, parent, info),
        Filter::Not(f) => !eval(f, node, parent, info),
        Filter::Present(path) => resolve(node, path, parent).1.into_iter().any(is_present),
        Filter::Compare(path, CompareOp::Ne, value) => {
            !compare(node, path, CompareOp::Eq, value, parent, info)
        }
        Filter::Compare(path, op, value) => compare(node, path, *op, value, parent, info),
        Filter::ValuePath(path, inner) => {
            let (full, elements) = resolve(node, path, parent);
            elements
                .into_iter()
                .any(|element| eval(inner, element, Some(&full), info))
        }
    }
}

/// The path `info` knows `path` by, and the non-null values it addresses at `node`, arrays
/// flattened (a multi-valued attribute yields its elements).
fn resolve<'v>(
    node: &'v Value,
    path: &AttrPath,
    parent: Option<&AttrPath>,
) -> (AttrPath, Vec<&'v Value>) {
    let (full, base) = match parent {
        None => (path.clone(), scope(node, path.urn.as_deref())),
        Some(p) => (
            AttrPath {
                urn: p.urn.clone(),
                name: p.name.clone(),
                sub: Some(path.name.clone()),
            },
            Some(node),
        ),
    };
    let mut values = Vec::new();
    if let Some(attr) = base.and_then(|b| get(b, &path.name)) {
        push_flat(&mut values, attr);
    }
    if let Some(sub) = &path.sub {
        let parents = std::mem::take(&mut values);
        for v in parents.into_iter().filter_map(|p| get(p, sub)) {
            push_flat(&mut values, v);
        }
    }
    (full, values)
}

/// Where attributes of `urn` live: the resource itself for no URN or a core-schema URN, the
/// extension object keyed by `urn` otherwise.
fn scope<'v>(resource: &'v Value, urn: Option<&str>) -> Option<&'v Value> {
    let Some(urn) = urn else {
        return Some(resource);
    };
    match get(resource, urn) {
        Some(ext @ Value::Object(_)) => Some(ext),
        _ if is_core_urn(urn) => Some(resource),
        _ => None,
    }
}

/// Whether `urn` names a SCIM core schema (`urn:ietf:params:scim:schemas:core:…`).
fn is_core_urn(urn: &str) -> bool {
    const CORE: &str = "urn:ietf:params:scim:schemas:core:";
    urn.get(..CORE.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(CORE))
}

/// The member `key` of an object, ignoring case.
fn get<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    let obj = value.as_object()?;
    obj.get(key).or_else(|| get_ci(obj, key))
}

/// Pushes `value`, or the elements of an array, skipping nulls.
fn push_flat<'v>(out: &mut Vec<&'v Value>, value: &'v Value) {
    match value {
        Value::Array(items) => out.extend(items.iter().filter(|v| !v.is_null())),
        Value::Null => {}
        v => out.push(v),
    }
}

/// `pr`: not null, not an empty string, not an empty array or object.
fn is_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => items.iter().any(is_present),
        Value::Object(map) => map.values().any(is_present),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

/// Whether any value at `path` satisfies `op value` (`ne` is handled by the caller as
/// `not eq`). `eq null` holds when the attribute is absent or null.
fn compare(
    node: &Value,
    path: &AttrPath,
    op: CompareOp,
    value: &CompValue,
    parent: Option<&AttrPath>,
    info: &dyn AttributeInfo,
) -> bool {
    let (full, values) = resolve(node, path, parent);
    if let CompValue::Null = value {
        return op == CompareOp::Eq && values.is_empty();
    }
    let (full, values) = complex_values(full, values);
    let ty = info.attr_type(&full);
    let exact = info.case_exact(&full);
    values
        .into_iter()
        .any(|v| compare_one(v, op, value, ty, exact))
}

/// Replaces complex values by their `value` sub-attribute (RFC 7644 §3.4.2.2: a complex
/// multi-valued attribute compared directly is compared through `value`).
fn complex_values(mut full: AttrPath, values: Vec<&Value>) -> (AttrPath, Vec<&Value>) {
    if !values.iter().any(|v| v.is_object()) {
        return (full, values);
    }
    let mut out = Vec::new();
    for v in values {
        match v {
            Value::Object(_) => {
                if let Some(inner) = get(v, "value") {
                    push_flat(&mut out, inner);
                }
            }
            other => out.push(other),
        }
    }
    if full.sub.is_none() {
        full.sub = Some("value".into());
    }
    (full, out)
}

/// Compares one attribute value with the filter's value.
fn compare_one(
    v: &Value,
    op: CompareOp,
    value: &CompValue,
    ty: Option<AttrType>,
    exact: bool,
) -> bool {
    let boolean = ty == Some(AttrType::Boolean);
    match (value, v) {
        (CompValue::String(s), Value::String(a)) if !boolean => compare_str(a, s, op, ty, exact),
        (CompValue::Number(n), Value::Number(a)) => {
            compare_numbers(a, n).is_some_and(|o| ordering_matches(op, o))
        }
        (CompValue::Bool(b), Value::Bool(a)) => op == CompareOp::Eq && a == b,
        (CompValue::Bool(b), v) if boolean => op == CompareOp::Eq && parse_bool(v) == Some(*b),
        (CompValue::String(s), v) if boolean => {
            let want = parse_bool(&Value::String(s.clone()));
            op == CompareOp::Eq && want.is_some() && parse_bool(v) == want
        }
        _ => false,
    }
}

/// String operators; `dateTime` attributes compare as instants when both sides parse.
fn compare_str(a: &str, s: &str, op: CompareOp, ty: Option<AttrType>, exact: bool) -> bool {
    if ty == Some(AttrType::DateTime) && (op == CompareOp::Eq || op.is_ordering()) {
        match (parse_date_time(a), parse_date_time(s)) {
            (Some(x), Some(y)) => return ordering_matches(op, x.cmp(&y)),
            _ if op.is_ordering() => return false,
            _ => {}
        }
    }
    let (a, s): (Cow<'_, str>, Cow<'_, str>) = if exact {
        (a.into(), s.into())
    } else {
        (a.to_lowercase().into(), s.to_lowercase().into())
    };
    match op {
        CompareOp::Co => a.contains(&*s),
        CompareOp::Sw => a.starts_with(&*s),
        CompareOp::Ew => a.ends_with(&*s),
        _ => ordering_matches(op, a.cmp(&s)),
    }
}

/// Orders two JSON numbers: exactly as integers when both are, as floats otherwise.
fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return Some(x.cmp(&y));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

/// Whether `ord` (attribute value versus filter value) satisfies `op`; false for `co`, `sw`,
/// `ew` and `ne` (which the caller negates from `eq`).
fn ordering_matches(op: CompareOp, ord: Ordering) -> bool {
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Ne | CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}
