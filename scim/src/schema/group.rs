//! The core Group schema (RFC 7643 §4.2, representation §8.7.1).

use super::def::{AttributeDef, Mutability, SchemaDef};
use crate::schemas;

const MEMBER_SUBS: &[AttributeDef] = &[
    AttributeDef::string("value", "Identifier of the member of this Group.")
        .with_mutability(Mutability::Immutable),
    AttributeDef::reference(
        "$ref",
        &["User", "Group"],
        "The URI corresponding to a SCIM resource that is a member of this Group.",
    )
    .with_mutability(Mutability::Immutable),
    AttributeDef::string(
        "type",
        "A label indicating the type of resource, e.g., 'User' or 'Group'.",
    )
    .with_canonical(&["User", "Group"])
    .with_mutability(Mutability::Immutable),
    AttributeDef::string(
        "display",
        "A human-readable name for the member, primarily used for display purposes.",
    )
    .with_mutability(Mutability::ReadOnly),
];

const GROUP_ATTRIBUTES: &[AttributeDef] = &[
    AttributeDef::string(
        "displayName",
        "A human-readable name for the Group. REQUIRED.",
    )
    .req(),
    AttributeDef::complex("members", MEMBER_SUBS, "A list of members of the Group.").multi(),
];

/// `urn:ietf:params:scim:schemas:core:2.0:Group`.
pub static GROUP_SCHEMA: SchemaDef = SchemaDef {
    id: schemas::GROUP,
    name: "Group",
    description: "Group",
    attributes: GROUP_ATTRIBUTES,
};
