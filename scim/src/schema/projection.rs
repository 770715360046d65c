//! Response projection: the `attributes` and `excludedAttributes` parameters of RFC 7644
//! §3.4.2.5 together with the `returned` characteristic of RFC 7643 §2.4 / §7.
//!
//! Rules, applied at every level (top level, extension objects, complex values):
//! - `returned: never` never appears; `returned: always` always appears (even when excluded);
//! - `returned: request` appears only when named in `attributes`;
//! - with `attributes`, only the named attributes appear (plus `always` ones); naming a
//!   sub-attribute returns just that sub-attribute, naming a parent returns its default
//!   sub-attributes, naming an extension URN returns the whole extension object;
//! - `excludedAttributes` removes what it names (attributes, sub-attributes, extensions);
//! - attributes unknown to the schema behave as `returned: default`;
//! - a complex value left empty by the projection is omitted.
//!
//! Names compare ignoring case; the output keeps the resource's spelling.

use super::def::{AttributeDef, Returned, find_in};
use super::{Resolved, ResourceSchema, Scope};
use crate::attr::AttrPath;
use serde_json::{Map, Value};

/// A request naming an attribute at one level, optionally one of its sub-attributes.
#[derive(Debug, Clone, Copy)]
struct Req<'a> {
    name: &'a str,
    sub: Option<&'a str>,
}

/// What to keep at one level of the resource.
#[derive(Debug, Default)]
struct Level<'a> {
    /// Only the attributes in `wanted` (and `returned: always` ones) are kept.
    only: bool,
    wanted: Vec<Req<'a>>,
    excluded: Vec<Req<'a>>,
}

impl Level<'_> {
    /// Whether the level keeps everything that is returned by default.
    fn keeps_defaults(&self) -> bool {
        !self.only && self.wanted.is_empty() && self.excluded.is_empty()
    }
}

/// Applies `attributes` and `excludedAttributes` (either may be empty) to a resource of the
/// resource type described by `schema`. Paths naming other schemas are ignored. Values that are
/// not JSON objects are returned unchanged.
pub fn project(
    resource: &Value,
    schema: &ResourceSchema,
    attributes: &[AttrPath],
    excluded: &[AttrPath],
) -> Value {
    let Value::Object(obj) = resource else {
        return resource.clone();
    };
    let wanted: Vec<Resolved<'_>> = attributes
        .iter()
        .filter_map(|p| schema.resolve(p))
        .collect();
    let excl: Vec<Resolved<'_>> = excluded.iter().filter_map(|p| schema.resolve(p)).collect();
    let only = !attributes.is_empty();
    let core = level_for(Scope::Core, only, &wanted, &excl);
    let mut out = Map::new();
    for (key, value) in obj {
        let projected = match extension_scope(schema, key) {
            Some(scope) => {
                let level = level_for(scope, only, &wanted, &excl);
                project_extension(schema, scope, value, &level, names_whole(&excl, scope))
            }
            None => project_attr(key, value, schema.core_attribute(key), &core),
        };
        if let Some(v) = projected {
            out.insert(key.clone(), v);
        }
    }
    Value::Object(out)
}

/// The scope of the extension whose URN is the top-level key `key`.
fn extension_scope(schema: &ResourceSchema, key: &str) -> Option<Scope> {
    schema
        .extensions()
        .iter()
        .position(|(s, _)| s.id.eq_ignore_ascii_case(key))
        .map(Scope::Extension)
}

/// Whether a path names the schema `scope` as a whole (its URN alone).
fn names_whole(paths: &[Resolved<'_>], scope: Scope) -> bool {
    paths.iter().any(|r| r.scope == scope && r.name.is_none())
}

/// The requests of `paths` that address attributes of the schema `scope`.
fn reqs_in<'a>(paths: &[Resolved<'a>], scope: Scope) -> Vec<Req<'a>> {
    paths
        .iter()
        .filter(|r| r.scope == scope)
        .filter_map(|r| r.name.map(|name| Req { name, sub: r.sub }))
        .collect()
}

/// The level of the schema `scope`: restricted by `attributes` unless the schema URN itself is
/// named there.
fn level_for<'a>(
    scope: Scope,
    only: bool,
    wanted: &[Resolved<'a>],
    excl: &[Resolved<'a>],
) -> Level<'a> {
    Level {
        only: only && !names_whole(wanted, scope),
        wanted: reqs_in(wanted, scope),
        excluded: reqs_in(excl, scope),
    }
}

/// The extension object of `scope`: dropped when excluded as a whole, otherwise projected with
/// the extension's attribute definitions (and omitted when nothing of it is left).
fn project_extension(
    schema: &ResourceSchema,
    scope: Scope,
    value: &Value,
    level: &Level<'_>,
    excluded_whole: bool,
) -> Option<Value> {
    if excluded_whole {
        return None;
    }
    project_value(value, schema.schema_of(scope).attributes, level)
}

/// One attribute `key` of an object at `level`, with its definition when the schema has one.
/// `None` when the attribute is left out.
fn project_attr(
    key: &str,
    value: &Value,
    def: Option<&'static AttributeDef>,
    level: &Level<'_>,
) -> Option<Value> {
    let returned = def.map_or(Returned::Default, |d| d.returned);
    let (wanted_whole, wanted_subs) = named(&level.wanted, key);
    let is_named = wanted_whole || !wanted_subs.is_empty();
    let selected = match returned {
        Returned::Never => false,
        Returned::Always => true,
        Returned::Request => is_named,
        Returned::Default => !level.only || is_named,
    };
    let (excluded_whole, excluded_subs) = named(&level.excluded, key);
    let always = returned == Returned::Always;
    if !selected || (excluded_whole && !always) {
        return None;
    }
    let child = Level {
        only: level.only && !wanted_whole && !always,
        wanted: wanted_subs.into_iter().map(leaf).collect(),
        excluded: excluded_subs.into_iter().map(leaf).collect(),
    };
    project_value(value, def.map_or(&[], |d| d.sub_attributes), &child)
}

/// Whether `list` names the attribute `key` as a whole, and the sub-attributes of it it names.
fn named<'a>(list: &[Req<'a>], key: &str) -> (bool, Vec<&'a str>) {
    let hits = list.iter().filter(|r| r.name.eq_ignore_ascii_case(key));
    let whole = hits.clone().any(|r| r.sub.is_none());
    (whole, hits.filter_map(|r| r.sub).collect())
}

/// A request for the attribute `name` with no sub-attribute.
fn leaf(name: &str) -> Req<'_> {
    Req { name, sub: None }
}

/// A value whose members (when it is an object, or an array of objects) are defined by `defs`.
fn project_value(value: &Value, defs: &'static [AttributeDef], level: &Level<'_>) -> Option<Value> {
    if defs.is_empty() && level.keeps_defaults() {
        return Some(value.clone());
    }
    match value {
        Value::Object(obj) => project_object(obj, defs, level),
        Value::Array(items) => project_array(items, defs, level),
        // A simple value has no sub-attributes to select.
        other => (!level.only).then(|| other.clone()),
    }
}

/// The members of a complex value kept at `level`; `None` when the projection empties it.
fn project_object(
    obj: &Map<String, Value>,
    defs: &'static [AttributeDef],
    level: &Level<'_>,
) -> Option<Value> {
    let out: Map<String, Value> = obj
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), project_attr(k, v, find_in(defs, k), level)?)))
        .collect();
    let emptied = out.is_empty() && (level.only || !obj.is_empty());
    (!emptied).then_some(Value::Object(out))
}

/// Each value of a multi-valued attribute projected at `level`; values left empty are dropped,
/// and the attribute is omitted when none is left.
fn project_array(
    items: &[Value],
    defs: &'static [AttributeDef],
    level: &Level<'_>,
) -> Option<Value> {
    let out: Vec<Value> = items
        .iter()
        .filter_map(|item| project_value(item, defs, level))
        .collect();
    let emptied = out.is_empty() && (level.only || !items.is_empty());
    (!emptied).then_some(Value::Array(out))
}
