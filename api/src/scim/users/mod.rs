//! `/Users` of a connection, one file per operation.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod patch;
pub mod replace;

use crate::scim::ScimApiError;
use roster_domain::DomainError;
use roster_domain::ids::UserId;

/// A user id from the path; anything that is not one of ours is a 404.
pub(crate) fn user_id(raw: &str) -> Result<UserId, ScimApiError> {
    raw.parse()
        .map_err(|_| DomainError::NotFound("user").into())
}
