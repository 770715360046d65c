//! Schema definitions (RFC 7643 §4 and §7), attribute lookup for the resource types, the
//! discovery documents (RFC 7643 §5, §6, §7; RFC 7644 §4) and response projection
//! (RFC 7644 §3.4.2.5).

mod common;
mod def;
mod discovery;
mod enterprise;
mod group;
mod projection;
mod user;

#[cfg(test)]
mod discovery_tests;
#[cfg(test)]
mod lookup_tests;
#[cfg(test)]
mod projection_tests;

pub use common::COMMON_ATTRIBUTES;
pub use def::{AttributeDef, Mutability, Returned, SchemaDef, Uniqueness, find_in, type_name};
pub use discovery::{
    ServiceProviderLimits, all_schemas, resource_type_json, schema_by_id, schema_json,
    service_provider_config_json,
};
pub use enterprise::ENTERPRISE_USER_SCHEMA;
pub use group::GROUP_SCHEMA;
pub use projection::project;
pub use user::USER_SCHEMA;

use crate::attr::{AttrPath, AttrType, AttributeInfo};

/// The resource types this service provider serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    User,
    Group,
}

impl ResourceKind {
    /// Every resource type, in discovery order.
    pub const ALL: [ResourceKind; 2] = [ResourceKind::User, ResourceKind::Group];

    /// The resource type's `id` and `name` (also `meta.resourceType` of its resources).
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::User => "User",
            ResourceKind::Group => "Group",
        }
    }

    /// The endpoint relative to the base URL, e.g. `/Users`.
    pub fn endpoint(self) -> &'static str {
        match self {
            ResourceKind::User => "/Users",
            ResourceKind::Group => "/Groups",
        }
    }

    /// The schemas of the resource type.
    pub fn schema(self) -> &'static ResourceSchema {
        match self {
            ResourceKind::User => ResourceSchema::user(),
            ResourceKind::Group => ResourceSchema::group(),
        }
    }
}

/// The core schema and the extensions of one resource type, plus the common attributes.
#[derive(Debug)]
pub struct ResourceSchema {
    kind: ResourceKind,
    core: &'static SchemaDef,
    extensions: &'static [(&'static SchemaDef, bool)],
}

static USER_RESOURCE: ResourceSchema = ResourceSchema {
    kind: ResourceKind::User,
    core: &USER_SCHEMA,
    extensions: &[(&ENTERPRISE_USER_SCHEMA, false)],
};

static GROUP_RESOURCE: ResourceSchema = ResourceSchema {
    kind: ResourceKind::Group,
    core: &GROUP_SCHEMA,
    extensions: &[],
};

/// Which schema of a resource type a path addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Core,
    /// Index into [`ResourceSchema::extensions`].
    Extension(usize),
}

/// A path resolved against a resource type: `name` is `None` when the path is a schema URN
/// alone (e.g. `attributes=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resolved<'p> {
    pub scope: Scope,
    pub name: Option<&'p str>,
    pub sub: Option<&'p str>,
}

impl ResourceSchema {
    /// User: core User schema with the (optional) Enterprise User extension.
    pub fn user() -> &'static ResourceSchema {
        &USER_RESOURCE
    }

    /// Group: core Group schema, no extensions.
    pub fn group() -> &'static ResourceSchema {
        &GROUP_RESOURCE
    }

    /// The resource type described.
    pub fn kind(&self) -> ResourceKind {
        self.kind
    }

    /// The core schema.
    pub fn core(&self) -> &SchemaDef {
        self.core
    }

    /// The schema extensions, each with whether resources must carry it.
    pub fn extensions(&self) -> &[(&SchemaDef, bool)] {
        self.extensions
    }

    /// The extension whose URN is `urn`, ignoring case.
    pub fn extension(&self, urn: &str) -> Option<&'static SchemaDef> {
        self.extensions
            .iter()
            .map(|(s, _)| *s)
            .find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// An attribute of the core schema or a common attribute (`id`, `meta`...), ignoring case.
    pub fn core_attribute(&self, name: &str) -> Option<&'static AttributeDef> {
        self.core
            .attribute(name)
            .or_else(|| find_in(COMMON_ATTRIBUTES, name))
    }

    /// The definition at `path`, ignoring case: the core schema (and common attributes) when
    /// `path.urn` is `None` or the core URN, the extension when it is an extension URN, and the
    /// sub-attribute when `path.sub` is set. `None` for anything undefined.
    pub fn find(&self, path: &AttrPath) -> Option<&AttributeDef> {
        let resolved = self.resolve(path)?;
        let attr = self.attribute_in(resolved.scope, resolved.name?)?;
        match resolved.sub {
            None => Some(attr),
            Some(sub) => attr.sub(sub),
        }
    }

    /// The attribute `name` of the schema `scope` points at.
    pub(crate) fn attribute_in(&self, scope: Scope, name: &str) -> Option<&'static AttributeDef> {
        match scope {
            Scope::Core => self.core_attribute(name),
            Scope::Extension(i) => self.extensions[i].0.attribute(name),
        }
    }

    /// The schema `scope` points at.
    pub(crate) fn schema_of(&self, scope: Scope) -> &'static SchemaDef {
        match scope {
            Scope::Core => self.core,
            Scope::Extension(i) => self.extensions[i].0,
        }
    }

    /// Every schema of the resource type with its scope, core first.
    fn scopes(&self) -> impl Iterator<Item = (Scope, &'static SchemaDef)> + '_ {
        let exts = self.extensions.iter().enumerate();
        std::iter::once((Scope::Core, self.core))
            .chain(exts.map(|(i, (s, _))| (Scope::Extension(i), *s)))
    }

    /// Resolves `path` to a schema of this resource type. Accepts the URN split off into
    /// `path.urn` (the normal case), a schema URN alone whichever way a parser split it, and a
    /// URN-qualified name left whole in `path.name`. `None` for URNs of other schemas.
    pub(crate) fn resolve<'p>(&self, path: &'p AttrPath) -> Option<Resolved<'p>> {
        let sub = path.sub.as_deref();
        let name = path.name.as_str();
        let Some(urn) = path.urn.as_deref() else {
            return Some(self.resolve_unqualified(name, sub));
        };
        for (scope, schema) in self.scopes() {
            if schema.id.eq_ignore_ascii_case(urn) {
                return Some(Resolved {
                    scope,
                    name: Some(name),
                    sub,
                });
            }
            if sub.is_none() && is_joined(schema.id, urn, name) {
                return Some(Resolved {
                    scope,
                    name: None,
                    sub,
                });
            }
        }
        None
    }

    /// Resolves a path without `urn`: a schema URN alone, a URN-qualified name kept whole, or
    /// (the common case) a core attribute.
    fn resolve_unqualified<'p>(&self, name: &'p str, sub: Option<&'p str>) -> Resolved<'p> {
        for (scope, schema) in self.scopes() {
            if schema.id.eq_ignore_ascii_case(name) {
                return Resolved {
                    scope,
                    name: None,
                    sub,
                };
            }
            if let Some(rest) = strip_urn(name, schema.id) {
                return Resolved {
                    scope,
                    name: Some(rest),
                    sub,
                };
            }
        }
        Resolved {
            scope: Scope::Core,
            name: Some(name),
            sub,
        }
    }
}

/// Whether `id` equals `urn:name`, ignoring case.
fn is_joined(id: &str, urn: &str, name: &str) -> bool {
    id.len() == urn.len() + 1 + name.len()
        && strip_urn(id, urn).is_some_and(|rest| rest.eq_ignore_ascii_case(name))
}

/// `text` without the prefix `urn:`, when `text` starts with it (ignoring case).
fn strip_urn<'t>(text: &'t str, urn: &str) -> Option<&'t str> {
    let head = text.get(..urn.len())?;
    let rest = text.get(urn.len()..)?;
    (head.eq_ignore_ascii_case(urn) && rest.starts_with(':')).then(|| &rest[1..])
}

impl AttributeInfo for ResourceSchema {
    fn attr_type(&self, path: &AttrPath) -> Option<AttrType> {
        self.find(path).map(|d| d.attr_type)
    }

    fn case_exact(&self, path: &AttrPath) -> bool {
        self.find(path).is_some_and(|d| d.case_exact)
    }

    fn multi_valued(&self, path: &AttrPath) -> bool {
        let parent = AttrPath {
            sub: None,
            ..path.clone()
        };
        self.find(&parent).is_some_and(|d| d.multi_valued)
    }
}
