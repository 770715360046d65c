//! `/Users` of a connection, one file per operation.

pub mod create;
pub mod get;
