//! Roster's domain: configuration, persistence (sea-orm entities), the services that own every
//! transaction, the outbox of events, and the primitives shared by the api and the worker
//! (secrets, webhook signing, the cache). Knows nothing of HTTP or of the message broker.

pub mod cache;
pub mod clock;
pub mod config;
pub mod db;
pub mod entities;
pub mod error;
pub mod events;
pub mod health;
pub mod ids;
pub mod secrets;
pub mod sender;
pub mod services;
pub mod signing;
pub mod ssrf;

pub use config::Config;
pub use error::DomainError;
pub use services::Services;
