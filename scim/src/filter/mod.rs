//! SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2): parsing into an AST,
//! printing the AST back as a canonical filter string, and evaluating a filter against a JSON
//! resource.
//!
//! The parser is a recursive-descent parser whose recursion is bounded by [`MAX_DEPTH`]
//! (parentheses, `not (…)` and value paths each add a level; `and`/`or` chains are built by
//! loops), and whose input is bounded by [`MAX_FILTER_LEN`], so hostile input can neither
//! overflow the stack nor take more than linear time.

mod ast;
mod datetime;
mod eval;
mod lexer;
mod parse;
mod path;

pub use ast::{CompValue, CompareOp, Filter, PatchPath};
pub use datetime::parse_date_time;
pub use eval::matches;
pub use parse::parse_filter;
pub use path::parse_path;

/// Longest filter or PATCH path accepted, in bytes.
pub const MAX_FILTER_LEN: usize = 8192;

/// Deepest nesting of parentheses, `not (…)` and value paths accepted.
pub const MAX_DEPTH: usize = 32;

#[cfg(test)]
mod eval_tests;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod path_tests;
#[cfg(test)]
mod prop_tests;
