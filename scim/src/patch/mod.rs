//! PATCH (RFC 7644 §3.5.2): parse a PatchOp request, apply it to a resource all-or-nothing.
//!
//! Group `members` never go through the JSON engine: [`split_member_ops`] turns them into
//! [`MemberChange`]s that the store applies as row changes, so a group of any size is patched
//! in O(changed members).

mod apply;
mod budget;
mod members;
mod parse;
#[cfg(test)]
mod tests;

pub use apply::apply_ops;
pub use members::{MemberChange, split_member_ops};
pub use parse::{MAX_OPERATIONS, OpKind, PatchOp, parse_patch};
