//! Group membership in PATCH, as row changes. Supported shapes (the ones IdPs send):
//! `add` with path `members` (or a path-less value holding `members`), `replace` likewise,
//! `remove` with path `members[value eq "id"]` (ids may be or-ed), `remove` of `members` with a
//! value listing the members to drop (legacy Entra), and `remove` of `members` alone (all).

use super::parse::{OpKind, PatchOp};
use crate::error::{ScimError, ScimType};
use crate::filter::{CompValue, CompareOp, Filter};
use crate::group::{MemberInput, parse_members};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum MemberChange {
    Add(Vec<MemberInput>),
    /// Member ids to remove (ids that are not members are ignored).
    Remove(Vec<String>),
    RemoveAll,
    Replace(Vec<MemberInput>),
}

fn is_members(name: &str) -> bool {
    name.eq_ignore_ascii_case("members")
}

/// Splits `ops` into membership changes and the operations on the other attributes, keeping
/// each group's order.
pub fn split_member_ops(ops: Vec<PatchOp>) -> Result<(Vec<MemberChange>, Vec<PatchOp>), ScimError> {
    let mut changes = Vec::new();
    let mut rest = Vec::new();
    for op in ops {
        match &op.path {
            Some(path) if is_members(&path.attr.name) && path.attr.urn.is_none() => {
                if path.attr.sub.is_some() || path.sub_attr.is_some() {
                    return Err(ScimError::bad_request(
                        ScimType::InvalidPath,
                        "member sub-attributes cannot be patched; add or remove members instead",
                    ));
                }
                changes.push(member_change(
                    op.op,
                    path.filter.as_ref(),
                    op.value.as_ref(),
                )?);
            }
            Some(_) => rest.push(op),
            None => {
                let Some(Value::Object(mut attrs)) = op.value.clone() else {
                    rest.push(op);
                    continue;
                };
                let key = attrs.keys().find(|k| is_members(k)).cloned();
                if let Some(members) = key.and_then(|k| attrs.remove(&k)) {
                    let list = parse_members(&members)?;
                    changes.push(match op.op {
                        OpKind::Replace => MemberChange::Replace(list),
                        _ => MemberChange::Add(list),
                    });
                }
                if !attrs.is_empty() {
                    rest.push(PatchOp {
                        value: Some(Value::Object(attrs)),
                        ..op
                    });
                }
            }
        }
    }
    Ok((changes, rest))
}

fn member_change(
    op: OpKind,
    filter: Option<&Filter>,
    value: Option<&Value>,
) -> Result<MemberChange, ScimError> {
    Ok(match (op, filter, value) {
        (OpKind::Add, None, Some(v)) => MemberChange::Add(parse_members(v)?),
        (OpKind::Replace, None, Some(v)) => MemberChange::Replace(parse_members(v)?),
        (OpKind::Remove, None, None) => MemberChange::RemoveAll,
        (OpKind::Remove, None, Some(v)) => {
            MemberChange::Remove(parse_members(v)?.into_iter().map(|m| m.value).collect())
        }
        (OpKind::Remove, Some(f), _) => MemberChange::Remove(ids_of(f)?),
        _ => {
            return Err(ScimError::bad_request(
                ScimType::InvalidPath,
                "members can be added, replaced, or removed by value filter",
            ));
        }
    })
}

/// The ids of `value eq "a" [or value eq "b" …]`.
fn ids_of(filter: &Filter) -> Result<Vec<String>, ScimError> {
    match filter {
        Filter::Or(a, b) => {
            let mut ids = ids_of(a)?;
            ids.extend(ids_of(b)?);
            Ok(ids)
        }
        Filter::Compare(path, CompareOp::Eq, CompValue::String(id)) if path.is("value", None) => {
            Ok(vec![id.clone()])
        }
        _ => Err(ScimError::bad_request(
            ScimType::InvalidFilter,
            "members can be selected by `value eq \"id\"` (or-ed for several)",
        )),
    }
}
