//! The measured scenarios, one module each. SCIM: A creates, B lookups, C paging, D large
//! group (the big connection E reuses B and adds the query plans). Delivery: 1 steady-rate
//! latency, 2–3 fan-out throughput and isolation, the SQL statements per delivery, and an
//! Okta-style initial sync with its webhooks.

pub mod creates;
pub mod fanout;
pub mod group;
pub mod lookups;
pub mod paging;
pub mod plan;
pub mod statements;
pub mod steady;
pub mod sync;
