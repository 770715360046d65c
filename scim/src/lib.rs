//! SCIM 2.0 protocol core (RFC 7643 / RFC 7644): resource types, validation, error bodies and
//! list responses. Pure: no I/O, no web framework, no database.

pub mod attr;
pub mod bulk;
pub mod error;
pub mod filter;
pub mod group;
pub mod limits;
pub mod list;
pub mod patch;
pub mod schema;
pub mod schemas;
pub mod user;

pub use error::{ScimError, ScimType};
pub use group::{GroupInput, MemberInput, parse_group};
pub use list::ListResponse;
pub use user::{UserInput, parse_user};

/// Media type of every SCIM response body.
pub const CONTENT_TYPE: &str = "application/scim+json";
