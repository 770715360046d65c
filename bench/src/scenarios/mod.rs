//! The measured scenarios, one module each (A creates, B lookups, C paging, D large group;
//! the big connection E reuses B and adds the query plans).

pub mod creates;
pub mod group;
pub mod lookups;
pub mod paging;
pub mod plan;
