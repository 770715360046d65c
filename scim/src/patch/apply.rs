//! Applying operations to a resource's JSON (RFC 7644 §3.5.2.1-3), on a copy: an error leaves
//! the caller's resource untouched. Every change is counted by the request's [`Budget`].

use super::budget::Budget;
use super::parse::{OpKind, PatchOp};
use crate::attr::{AttrPath, AttrType, AttributeInfo, parse_attr_path};
use crate::error::{ScimError, ScimType};
use crate::filter::{CompValue, CompareOp, Filter, PatchPath, matches};
use crate::schema::{Mutability, ResourceSchema};
use crate::user::parse_bool;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// Applies `ops` in order to `resource` (the stored SCIM resource, without `id` / `meta`).
///
/// At most [`MAX_OPERATIONS`](super::MAX_OPERATIONS) operations, a value spread over attributes
/// counting one per attribute (else `tooMany`); the result may be at most
/// [`MAX_RESOURCE_BYTES`](crate::limits::MAX_RESOURCE_BYTES) of JSON, or no larger than the
/// resource was when it was already larger (else `invalidValue`). Both are checked before the
/// work they bound is done.
pub fn apply_ops(
    resource: &Value,
    ops: &[PatchOp],
    schema: &ResourceSchema,
) -> Result<Value, ScimError> {
    let mut doc = match resource {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let mut engine = Engine {
        schema,
        budget: Budget::new(&doc),
    };
    for op in ops {
        engine.budget.operation()?;
        match (&op.path, op.op) {
            (Some(path), kind) => engine.at_path(&mut doc, kind, path, op.value.clone(), true)?,
            (None, OpKind::Remove) => {
                return Err(ScimError::bad_request(
                    ScimType::NoTarget,
                    "remove needs a path",
                ));
            }
            (None, kind) => engine.pathless(&mut doc, kind, op.value.as_ref())?,
        }
    }
    engine.budget.check(&doc)?;
    Ok(Value::Object(doc))
}

struct Engine<'a> {
    schema: &'a ResourceSchema,
    budget: Budget,
}

fn invalid_path(detail: impl Into<String>) -> ScimError {
    ScimError::bad_request(ScimType::InvalidPath, detail)
}

/// Finds the key of `name` in `map` ignoring case, or the canonical spelling for a new key.
fn key_of(map: &Map<String, Value>, name: &str) -> String {
    map.keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_string())
}

impl Engine<'_> {
    /// Path-less add/replace: every key of `value` is an attribute path (Entra sends
    /// `name.givenName` and fully qualified URN keys), or an extension URN whose object holds
    /// that extension's attributes.
    fn pathless(
        &mut self,
        doc: &mut Map<String, Value>,
        kind: OpKind,
        value: Option<&Value>,
    ) -> Result<(), ScimError> {
        let Some(Value::Object(attrs)) = value else {
            return Err(ScimError::bad_request(
                ScimType::InvalidSyntax,
                "value must be an object",
            ));
        };
        self.budget.spread(attrs.len())?;
        let schema = self.schema;
        for (key, v) in attrs {
            if v.is_null() || key.eq_ignore_ascii_case("schemas") {
                continue;
            }
            if let Some((urn, _)) = schema
                .extensions()
                .iter()
                .find(|(ext, _)| ext.id.eq_ignore_ascii_case(key))
            {
                let Value::Object(inner) = v else {
                    return Err(invalid_path(format!("{key} must be an object")));
                };
                self.budget.spread(inner.len())?;
                for (name, inner_v) in inner {
                    let path = AttrPath {
                        urn: Some(urn.id.to_string()),
                        name: name.clone(),
                        sub: None,
                    };
                    self.at_path(
                        doc,
                        kind,
                        &PatchPath {
                            attr: path,
                            filter: None,
                            sub_attr: None,
                        },
                        Some(inner_v.clone()),
                        false,
                    )?;
                }
                continue;
            }
            let attr = parse_attr_path(key)
                .ok_or_else(|| invalid_path(format!("`{key}` is not an attribute path")))?;
            let path = PatchPath {
                attr,
                filter: None,
                sub_attr: None,
            };
            self.at_path(doc, kind, &path, Some(v.clone()), false)?;
        }
        Ok(())
    }

    /// One operation at one path. `explicit`: the client named the path (a read-only target is
    /// then an error); path-less values silently skip read-only attributes (Okta echoes `id`).
    fn at_path(
        &mut self,
        doc: &mut Map<String, Value>,
        kind: OpKind,
        path: &PatchPath,
        value: Option<Value>,
        explicit: bool,
    ) -> Result<(), ScimError> {
        if let Some(ext) = self.whole_extension(path) {
            return self.on_extension(doc, kind, ext, value);
        }
        let attr = AttrPath {
            sub: None,
            ..path.attr.clone()
        };
        let def = self.schema.find(&attr);
        if def.is_some_and(|d| d.mutability == Mutability::ReadOnly) || attr.is("schemas", None) {
            if explicit {
                return Err(ScimError::bad_request(
                    ScimType::Mutability,
                    format!("{attr} is read-only"),
                ));
            }
            return Ok(());
        }
        let value = value.map(|v| self.coerce(&path.attr, v));
        let container = self.container(doc, &attr, kind != OpKind::Remove)?;
        let Some(container) = container else {
            return Ok(());
        };
        let key = key_of(container, &attr.name);
        let multi = self.schema.multi_valued(&attr);
        match (&path.filter, &path.attr.sub) {
            (Some(_), _) if def.is_some_and(|d| !d.multi_valued) => Err(invalid_path(format!(
                "{attr} is not multi-valued: a value filter selects values of a multi-valued \
                 attribute"
            ))),
            (Some(filter), _) => self.filtered(
                container,
                &key,
                &attr,
                kind,
                filter,
                path.sub_attr.as_deref(),
                value,
            ),
            (None, Some(sub)) if multi => Err(invalid_path(format!(
                "{attr}.{sub}: select values of a multi-valued attribute with a filter"
            ))),
            (None, Some(sub)) => sub_attribute(container, &key, sub, kind, value, &mut self.budget),
            (None, None) => whole(container, &key, kind, multi, value, &mut self.budget),
        }
    }

    /// The extension a path names as a whole (`urn:…:enterprise:2.0:User`, which parses as the
    /// URN `urn:…:2.0` and the name `User`).
    fn whole_extension(&self, path: &PatchPath) -> Option<&'static str> {
        if path.filter.is_some() || path.attr.sub.is_some() || path.sub_attr.is_some() {
            return None;
        }
        let full = match &path.attr.urn {
            Some(urn) => format!("{urn}:{}", path.attr.name),
            None => path.attr.name.clone(),
        };
        self.schema
            .extensions()
            .iter()
            .map(|(ext, _)| ext.id)
            .find(|id| id.eq_ignore_ascii_case(&full))
    }

    /// add / replace / remove of a whole extension object.
    fn on_extension(
        &mut self,
        doc: &mut Map<String, Value>,
        kind: OpKind,
        urn: &'static str,
        value: Option<Value>,
    ) -> Result<(), ScimError> {
        let key = key_of(doc, urn);
        if kind != OpKind::Add {
            self.budget.remove(doc, &key);
            let schemas = key_of(doc, "schemas");
            if let Some(Value::Array(list)) = doc.get_mut(&schemas) {
                self.budget.retain(list, |s| {
                    !s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn))
                });
            }
        }
        if kind == OpKind::Remove {
            return Ok(());
        }
        let Some(Value::Object(attrs)) = value else {
            return Err(ScimError::bad_request(
                ScimType::InvalidValue,
                format!("{urn} must be given an object of its attributes"),
            ));
        };
        self.budget.spread(attrs.len())?;
        for (name, v) in attrs {
            if v.is_null() || name.eq_ignore_ascii_case("schemas") {
                continue;
            }
            let attr = AttrPath {
                urn: Some(urn.to_string()),
                name,
                sub: None,
            };
            let path = PatchPath {
                attr,
                filter: None,
                sub_attr: None,
            };
            self.at_path(doc, OpKind::Add, &path, Some(v), true)?;
        }
        Ok(())
    }

    /// The object holding the attribute: the resource, or its extension object.
    fn container<'d>(
        &mut self,
        doc: &'d mut Map<String, Value>,
        attr: &AttrPath,
        create: bool,
    ) -> Result<Option<&'d mut Map<String, Value>>, ScimError> {
        let core = self.schema.core().id;
        let Some(urn) = attr
            .urn
            .as_deref()
            .filter(|u| !u.eq_ignore_ascii_case(core))
        else {
            return Ok(Some(doc));
        };
        let ext = self
            .schema
            .extensions()
            .iter()
            .find(|(e, _)| e.id.eq_ignore_ascii_case(urn))
            .ok_or_else(|| invalid_path(format!("unknown schema {urn}")))?;
        let key = key_of(doc, ext.0.id);
        if !doc.contains_key(&key) {
            if !create {
                return Ok(None);
            }
            self.budget
                .insert(doc, key.clone(), Value::Object(Map::new()))?;
            add_schema_urn(doc, ext.0.id, &mut self.budget)?;
        }
        match doc.get_mut(&key) {
            Some(Value::Object(map)) => Ok(Some(map)),
            _ => Err(invalid_path(format!("{urn} is not an object"))),
        }
    }

    /// Operations on the values of a multi-valued attribute selected by a filter.
    #[allow(clippy::too_many_arguments)]
    fn filtered(
        &mut self,
        container: &mut Map<String, Value>,
        key: &str,
        attr: &AttrPath,
        kind: OpKind,
        filter: &Filter,
        sub_attr: Option<&str>,
        value: Option<Value>,
    ) -> Result<(), ScimError> {
        let info = ElementInfo {
            schema: self.schema,
            attr,
        };
        let budget = &mut self.budget;
        match container.get(key) {
            Some(Value::Array(_)) => {}
            None | Some(Value::Null) if kind == OpKind::Remove => return Ok(()),
            None | Some(Value::Null) => {
                budget.insert(container, key.to_string(), Value::Array(Vec::new()))?;
            }
            // Never replace a single value by the list a filter would build.
            Some(_) => return Err(invalid_path(format!("{attr} is not multi-valued"))),
        }
        let Some(Value::Array(list)) = container.get_mut(key) else {
            return Err(invalid_path(format!("{attr} is not multi-valued")));
        };
        let hits: Vec<usize> = (0..list.len())
            .filter(|i| matches(filter, &list[*i], &info))
            .collect();
        match (kind, sub_attr) {
            (OpKind::Remove, None) => {
                let mut i = 0;
                budget.retain(list, |_| {
                    i += 1;
                    hits.binary_search(&(i - 1)).is_err()
                });
            }
            (OpKind::Remove, Some(sub)) => {
                for i in &hits {
                    if let Value::Object(el) = &mut list[*i] {
                        let k = key_of(el, sub);
                        budget.remove(el, &k);
                    }
                }
            }
            (_, sub) => {
                let value = value.unwrap_or(Value::Null);
                // Without a match, Entra's `emails[type eq "work"].value` creates the element
                // the filter describes, then sets the value in it (merged, even by a replace).
                let (targets, merge) = if hits.is_empty() {
                    budget.push(list, Value::Object(seed_from_filter(filter)))?;
                    (vec![list.len() - 1], true)
                } else {
                    (hits, kind == OpKind::Add)
                };
                // One copy of the value per target, each counted before it is made.
                for i in targets {
                    match (sub, &mut list[i]) {
                        (Some(sub), Value::Object(el)) => {
                            let k = key_of(el, sub);
                            budget.insert_copy(el, k, &value)?;
                        }
                        (None, el) if !merge => budget.set_copy(el, &value)?,
                        (None, Value::Object(el)) => merge_into(el, &value, budget)?,
                        _ => {
                            return Err(invalid_path(format!("{attr} values are not objects")));
                        }
                    }
                }
                ensure_single_primary(list);
            }
        }
        if list.is_empty() {
            budget.remove(container, key);
        }
        Ok(())
    }

    /// Booleans sent as "True"/"False" become booleans where the schema says boolean.
    fn coerce(&self, path: &AttrPath, value: Value) -> Value {
        let is_bool = |p: &AttrPath| self.schema.attr_type(p) == Some(AttrType::Boolean);
        let is_complex = self.schema.attr_type(path) == Some(AttrType::Complex);
        match value {
            Value::String(_) if is_bool(path) => {
                parse_bool(&value).map(Value::Bool).unwrap_or(value)
            }
            // Entra sends `manager` as the manager's id where the schema has {"value": id}.
            Value::String(s)
                if is_complex && path.sub.is_none() && !self.schema.multi_valued(path) =>
            {
                serde_json::json!({ "value": s })
            }
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| self.coerce(path, v)).collect())
            }
            Value::Object(map) if path.sub.is_none() => Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let sub = AttrPath {
                            sub: Some(k.clone()),
                            ..path.clone()
                        };
                        (k, self.coerce(&sub, v))
                    })
                    .collect(),
            ),
            other => other,
        }
    }
}

/// Filter answers for the elements of a multi-valued attribute: their "attributes" are its
/// sub-attributes.
struct ElementInfo<'a> {
    schema: &'a ResourceSchema,
    attr: &'a AttrPath,
}

impl ElementInfo<'_> {
    fn full(&self, path: &AttrPath) -> AttrPath {
        AttrPath {
            urn: self.attr.urn.clone(),
            name: self.attr.name.clone(),
            sub: Some(path.name.clone()),
        }
    }
}

impl AttributeInfo for ElementInfo<'_> {
    fn attr_type(&self, path: &AttrPath) -> Option<AttrType> {
        self.schema.attr_type(&self.full(path))
    }
    fn case_exact(&self, path: &AttrPath) -> bool {
        self.schema.case_exact(&self.full(path))
    }
    fn multi_valued(&self, _path: &AttrPath) -> bool {
        false
    }
}

/// `{"type": "work"}` from `type eq "work"` (and-ed equalities only).
fn seed_from_filter(filter: &Filter) -> Map<String, Value> {
    let mut seed = Map::new();
    fn walk(f: &Filter, seed: &mut Map<String, Value>) {
        match f {
            Filter::And(a, b) => {
                walk(a, seed);
                walk(b, seed);
            }
            Filter::Compare(path, CompareOp::Eq, value) if path.sub.is_none() => {
                let v = match value {
                    CompValue::String(s) => Value::from(s.clone()),
                    CompValue::Bool(b) => Value::Bool(*b),
                    CompValue::Number(n) => Value::Number(n.clone()),
                    CompValue::Null => return,
                };
                seed.insert(path.name.clone(), v);
            }
            _ => {}
        }
    }
    walk(filter, &mut seed);
    seed
}

/// Sets each member of the object `value` in `target`, under the spelling of a key `target`
/// already has in another case. Linear: `target`'s keys are indexed by their lowercase form
/// (the first spelling wins, as in [`key_of`]).
fn merge_into(
    target: &mut Map<String, Value>,
    value: &Value,
    budget: &mut Budget,
) -> Result<(), ScimError> {
    let Value::Object(fields) = value else {
        return Err(ScimError::bad_request(
            ScimType::InvalidValue,
            "the value must be an object",
        ));
    };
    let mut keys: HashMap<String, String> = HashMap::with_capacity(target.len() + fields.len());
    for k in target.keys() {
        keys.entry(k.to_ascii_lowercase())
            .or_insert_with(|| k.clone());
    }
    for (k, v) in fields {
        let key = keys
            .entry(k.to_ascii_lowercase())
            .or_insert_with(|| k.clone())
            .clone();
        budget.insert_copy(target, key, v)?;
    }
    Ok(())
}

fn sub_attribute(
    container: &mut Map<String, Value>,
    key: &str,
    sub: &str,
    kind: OpKind,
    value: Option<Value>,
    budget: &mut Budget,
) -> Result<(), ScimError> {
    if kind == OpKind::Remove {
        if let Some(Value::Object(obj)) = container.get_mut(key) {
            let k = key_of(obj, sub);
            budget.remove(obj, &k);
            if obj.is_empty() {
                budget.remove(container, key);
            }
        }
        return Ok(());
    }
    if !container.contains_key(key) {
        budget.insert(container, key.to_string(), Value::Object(Map::new()))?;
    }
    let Some(Value::Object(obj)) = container.get_mut(key) else {
        return Err(invalid_path(format!("{key} is not a complex attribute")));
    };
    let k = key_of(obj, sub);
    budget.insert(obj, k, value.unwrap_or(Value::Null))
}

fn whole(
    container: &mut Map<String, Value>,
    key: &str,
    kind: OpKind,
    multi: bool,
    value: Option<Value>,
    budget: &mut Budget,
) -> Result<(), ScimError> {
    match (kind, value) {
        (OpKind::Remove, Some(Value::Array(drop))) if multi => {
            // A remove that lists the values to drop (legacy Entra style).
            if let Some(Value::Array(list)) = container.get_mut(key) {
                let drop: HashSet<String> = drop.iter().map(identity).collect();
                budget.retain(list, |el| !drop.contains(&identity(el)));
                if list.is_empty() {
                    budget.remove(container, key);
                }
            }
        }
        (OpKind::Remove, _) => budget.remove(container, key),
        (OpKind::Add, Some(value)) if multi => {
            let incoming = match value {
                Value::Array(items) => items,
                single => vec![single],
            };
            if !container.contains_key(key) {
                budget.insert(container, key.to_string(), Value::Array(Vec::new()))?;
            }
            let Some(Value::Array(list)) = container.get_mut(key) else {
                return Err(invalid_path(format!("{key} is not multi-valued")));
            };
            let mut present: HashSet<String> = list.iter().map(Value::to_string).collect();
            for item in incoming {
                let text = item.to_string();
                let len = text.len() + 1;
                if present.insert(text) {
                    budget.resize(0, len)?;
                    list.push(item);
                }
            }
            ensure_single_primary(list);
        }
        (OpKind::Add, Some(value @ Value::Object(_)))
            if matches!(container.get(key), Some(Value::Object(_))) =>
        {
            if let Some(Value::Object(existing)) = container.get_mut(key) {
                merge_into(existing, &value, budget)?;
            }
        }
        (_, Some(value)) => {
            let value = match value {
                Value::Array(items) if multi => {
                    let mut items = items;
                    ensure_single_primary(&mut items);
                    Value::Array(items)
                }
                single if multi => Value::Array(vec![single]),
                single => single,
            };
            budget.insert(container, key.to_string(), value)?;
        }
        (_, None) => {}
    }
    Ok(())
}

/// Two values of a multi-valued attribute are the same when their `value` is (or, for
/// simple values, when they are equal): the same identity. As JSON text, so that lists are
/// compared through a set, in linear time.
fn identity(v: &Value) -> String {
    match v.get("value") {
        Some(value) => format!("value {value}"),
        None => format!("whole {v}"),
    }
}

/// RFC 7643 §2.4: at most one value may be `primary`; the last one set wins.
fn ensure_single_primary(list: &mut [Value]) {
    let last = list
        .iter()
        .rposition(|v| v.get("primary").and_then(parse_bool).unwrap_or(false));
    if let Some(last) = last {
        for (i, v) in list.iter_mut().enumerate() {
            if i != last
                && let Value::Object(el) = v
                && el.get("primary").and_then(parse_bool).unwrap_or(false)
            {
                el.insert("primary".into(), Value::Bool(false));
            }
        }
    }
}

fn add_schema_urn(
    doc: &mut Map<String, Value>,
    urn: &str,
    budget: &mut Budget,
) -> Result<(), ScimError> {
    let key = key_of(doc, "schemas");
    if let Some(Value::Array(list)) = doc.get_mut(&key)
        && !list
            .iter()
            .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)))
    {
        budget.push(list, Value::from(urn))?;
    }
    Ok(())
}
