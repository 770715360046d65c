//! sea-orm entities, one per table of `roster-migrations`. Only services use them directly.

pub mod account;
pub mod api_key;
pub mod audit_entry;
pub mod connection;
pub mod connection_sequence;
pub mod delivery;
pub mod delivery_attempt;
pub mod event;
pub mod event_feed;
pub mod idempotency_key;
pub mod ordered_stream;
pub mod scim_group;
pub mod scim_group_member;
pub mod scim_request;
pub mod scim_token;
pub mod scim_user;
pub mod session;
pub mod setting;
pub mod setup_link;
pub mod tenant;
pub mod webhook_endpoint;
