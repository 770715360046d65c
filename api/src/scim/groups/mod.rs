//! `/Groups` of a connection, one file per operation.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod patch;
pub mod replace;

use crate::scim::ScimApiError;
use roster_domain::DomainError;
use roster_domain::ids::GroupId;

/// A group id from the path; anything that is not one of ours is a 404.
pub(crate) fn group_id(raw: &str) -> Result<GroupId, ScimApiError> {
    raw.parse()
        .map_err(|_| DomainError::NotFound("group").into())
}
