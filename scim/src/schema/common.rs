//! The common attributes of every resource (RFC 7643 §3 and §3.1): `schemas`, `id`,
//! `externalId` and `meta`. RFC 7643 §8.7.1 does not list them in the schema representations,
//! so they live apart from the core schemas and every resource type consults them too.

use super::def::{AttributeDef, Mutability, Returned, Uniqueness};
use crate::attr::AttrType;

/// `meta` sub-attributes (RFC 7643 §3.1), all assigned by the service provider.
const META_SUBS: &[AttributeDef] = &[
    AttributeDef::string(
        "resourceType",
        "The name of the resource type of the resource.",
    )
    .exact()
    .with_mutability(Mutability::ReadOnly),
    AttributeDef::new(
        "created",
        AttrType::DateTime,
        "The date and time the resource was added to the service provider.",
    )
    .with_mutability(Mutability::ReadOnly),
    AttributeDef::new(
        "lastModified",
        AttrType::DateTime,
        "The most recent date and time the resource was modified.",
    )
    .with_mutability(Mutability::ReadOnly),
    AttributeDef::reference(
        "location",
        &["uri"],
        "The URI of the resource being returned.",
    )
    .exact()
    .with_mutability(Mutability::ReadOnly),
    AttributeDef::string(
        "version",
        "The version (ETag) of the resource being returned.",
    )
    .exact()
    .with_mutability(Mutability::ReadOnly),
];

/// Attributes shared by all resource types.
pub const COMMON_ATTRIBUTES: &[AttributeDef] = &[
    AttributeDef::string(
        "schemas",
        "The URIs of the schemas used to define the attributes present in the resource.",
    )
    .multi()
    .req()
    .with_returned(Returned::Always),
    AttributeDef::string(
        "id",
        "A unique identifier for the resource, assigned by the service provider.",
    )
    .exact()
    .with_mutability(Mutability::ReadOnly)
    .with_returned(Returned::Always)
    .with_uniqueness(Uniqueness::Server),
    AttributeDef::string(
        "externalId",
        "An identifier for the resource as defined by the provisioning client.",
    )
    .exact(),
    AttributeDef::complex(
        "meta",
        META_SUBS,
        "A complex attribute containing resource metadata.",
    )
    .with_mutability(Mutability::ReadOnly),
];
