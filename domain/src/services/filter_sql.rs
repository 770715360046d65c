//! Compiling SCIM filters to SQL over the stored columns (RFC 7644 §3.4.2.2 semantics).
//!
//! [`exact`] translates a filter whose every comparison is on a stored, indexed column
//! (`userName` case-insensitively via `user_name_lower`, `externalId`, `id`, `active`,
//! `meta.created`, group membership, …); paging then happens in the database. Anything else
//! (extension attributes, non-primary emails, …) is evaluated in memory over the rows selected
//! by [`prefilter`], a necessary condition built from the compilable parts.

use crate::entities::{scim_group, scim_group_member, scim_user};
use roster_scim::attr::AttrPath;
use roster_scim::filter::{CompValue, CompareOp, Filter};
use roster_scim::schemas;
use sea_orm::Condition;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query, SimpleExpr};
use uuid::Uuid;

/// Which resource type a filter is compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Users,
    Groups,
}

/// How a stored column compares.
#[derive(Clone, Copy)]
enum Kind {
    /// Stored lower-cased (`*_lower`): compare with the lower-cased value.
    Lowered,
    /// Case-insensitive text without a lower-cased copy: `LOWER(col)`.
    Insensitive,
    /// Case-sensitive text (`caseExact`).
    Exact,
    Uuid,
    Bool,
    Timestamp,
}

fn column(target: Target, path: &AttrPath) -> Option<(SimpleExpr, Kind)> {
    let core = match target {
        Target::Users => schemas::USER,
        Target::Groups => schemas::GROUP,
    };
    if path
        .urn
        .as_deref()
        .is_some_and(|u| !u.eq_ignore_ascii_case(core))
    {
        return None;
    }
    let name = path.name.to_ascii_lowercase();
    let sub = path.sub.as_deref().map(str::to_ascii_lowercase);
    let user = |c: scim_user::Column| Expr::col((scim_user::Entity, c));
    let group = |c: scim_group::Column| Expr::col((scim_group::Entity, c));
    use Kind::*;
    Some(match (target, name.as_str(), sub.as_deref()) {
        (Target::Users, "id", None) => (user(scim_user::Column::Id), Uuid),
        (Target::Users, "username", None) => (user(scim_user::Column::UserNameLower), Lowered),
        (Target::Users, "externalid", None) => (user(scim_user::Column::ExternalId), Exact),
        (Target::Users, "displayname", None) => (user(scim_user::Column::DisplayName), Insensitive),
        (Target::Users, "name", Some("givenname")) => {
            (user(scim_user::Column::GivenName), Insensitive)
        }
        (Target::Users, "name", Some("familyname")) => {
            (user(scim_user::Column::FamilyName), Insensitive)
        }
        (Target::Users, "active", None) => (user(scim_user::Column::Active), Bool),
        (Target::Users, "meta", Some("created")) => (user(scim_user::Column::CreatedAt), Timestamp),
        (Target::Users, "meta", Some("lastmodified")) => {
            (user(scim_user::Column::UpdatedAt), Timestamp)
        }
        (Target::Groups, "id", None) => (group(scim_group::Column::Id), Uuid),
        (Target::Groups, "displayname", None) => {
            (group(scim_group::Column::DisplayNameLower), Lowered)
        }
        (Target::Groups, "externalid", None) => (group(scim_group::Column::ExternalId), Exact),
        (Target::Groups, "meta", Some("created")) => {
            (group(scim_group::Column::CreatedAt), Timestamp)
        }
        (Target::Groups, "meta", Some("lastmodified")) => {
            (group(scim_group::Column::UpdatedAt), Timestamp)
        }
        _ => return None,
    })
}

fn always(yes: bool) -> SimpleExpr {
    Expr::cust(if yes { "1 = 1" } else { "1 = 0" })
}

fn like_escaped(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `col op value` for one stored column, or `None` when SQL cannot express it exactly.
fn comparison(col: SimpleExpr, kind: Kind, op: CompareOp, value: &CompValue) -> Option<SimpleExpr> {
    use CompareOp::*;
    if let CompValue::Null = value {
        return match op {
            Eq => Some(col.is_null()),
            Ne => Some(col.is_not_null()),
            _ => None,
        };
    }
    match (kind, value) {
        (Kind::Uuid, CompValue::String(s)) => match (op, Uuid::parse_str(s)) {
            (Eq, Ok(id)) => Some(col.eq(id)),
            (Ne, Ok(id)) => Some(col.ne(id)),
            (Eq, Err(_)) => Some(always(false)),
            (Ne, Err(_)) => Some(always(true)),
            _ => None,
        },
        (Kind::Bool, CompValue::Bool(b)) => match op {
            Eq => Some(col.eq(*b)),
            Ne => Some(col.ne(*b)),
            _ => None,
        },
        (Kind::Timestamp, CompValue::String(s)) => {
            let at = chrono::DateTime::parse_from_rfc3339(s)
                .ok()?
                .with_timezone(&chrono::Utc);
            Some(match op {
                Eq => col.eq(at),
                Ne => col.ne(at),
                Gt => col.gt(at),
                Ge => col.gte(at),
                Lt => col.lt(at),
                Le => col.lte(at),
                _ => return None,
            })
        }
        (Kind::Lowered | Kind::Insensitive | Kind::Exact, CompValue::String(s)) => {
            let (col, v) = match kind {
                Kind::Lowered => (col, s.to_lowercase()),
                Kind::Insensitive => (
                    SimpleExpr::from(sea_orm::sea_query::Func::lower(col)),
                    s.to_lowercase(),
                ),
                _ => (col, s.clone()),
            };
            // SQLite's LIKE ignores ASCII case, so substring matches are only exact on
            // lower-cased operands.
            let like = |pattern: String| match kind {
                Kind::Exact => None,
                _ => Some(col.clone().like(LikeExpr::new(pattern).escape('\\'))),
            };
            match op {
                Eq => Some(col.eq(v)),
                Ne => Some(col.ne(v)),
                Co => like(format!("%{}%", like_escaped(&v))),
                Sw => like(format!("{}%", like_escaped(&v))),
                Ew => like(format!("%{}", like_escaped(&v))),
                Gt => Some(col.gt(v)),
                Ge => Some(col.gte(v)),
                Lt => Some(col.lt(v)),
                Le => Some(col.lte(v)),
            }
        }
        _ => None,
    }
}

/// `EXISTS (membership row of this group for member id)`.
fn has_member(id: &str) -> SimpleExpr {
    let Ok(id) = Uuid::parse_str(id) else {
        return always(false);
    };
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(scim_group_member::Entity)
            .and_where(
                Expr::col((
                    scim_group_member::Entity,
                    scim_group_member::Column::GroupId,
                ))
                .equals((scim_group::Entity, scim_group::Column::Id)),
            )
            .and_where(
                Expr::col((
                    scim_group_member::Entity,
                    scim_group_member::Column::MemberId,
                ))
                .eq(id),
            )
            .to_owned(),
    )
}

fn is_members_value(path: &AttrPath, inner: Option<&AttrPath>) -> bool {
    path.name.eq_ignore_ascii_case("members")
        && path.urn.is_none()
        && match (path.sub.as_deref(), inner) {
            (Some(sub), None) => sub.eq_ignore_ascii_case("value"),
            (None, Some(inner)) => inner.is("value", None),
            _ => false,
        }
}

/// The whole filter as SQL, when every part of it can be expressed exactly.
pub fn exact(filter: &Filter, target: Target) -> Option<Condition> {
    expr(filter, target).map(|e| Condition::all().add(e))
}

fn expr(filter: &Filter, target: Target) -> Option<SimpleExpr> {
    match filter {
        Filter::And(a, b) => Some(expr(a, target)?.and(expr(b, target)?)),
        Filter::Or(a, b) => Some(expr(a, target)?.or(expr(b, target)?)),
        Filter::Not(inner) => Some(expr(inner, target)?.not()),
        Filter::Present(path) => {
            let (col, kind) = column(target, path)?;
            Some(match kind {
                Kind::Uuid | Kind::Bool | Kind::Timestamp => always(true),
                _ => col.clone().is_not_null().and(col.ne("")),
            })
        }
        Filter::Compare(path, CompareOp::Eq, CompValue::String(id))
            if target == Target::Groups && is_members_value(path, None) =>
        {
            Some(has_member(id))
        }
        Filter::Compare(path, op, value) => {
            let (col, kind) = column(target, path)?;
            comparison(col, kind, *op, value)
        }
        Filter::ValuePath(path, inner) if target == Target::Groups => match inner.as_ref() {
            Filter::Compare(p, CompareOp::Eq, CompValue::String(id))
                if is_members_value(path, Some(p)) =>
            {
                Some(has_member(id))
            }
            _ => None,
        },
        Filter::ValuePath(..) => None,
    }
}

/// Whether `filter` matches at most one resource of a connection: an equality on a key that is
/// unique there (`id`; a user's `userName`, compared case-insensitively like its index), alone
/// or in an `and`.
pub fn pins_one(filter: &Filter, target: Target) -> bool {
    match filter {
        Filter::Compare(path, CompareOp::Eq, CompValue::String(_)) => {
            let key = path.sub.is_none()
                && (path.name.eq_ignore_ascii_case("id")
                    || (target == Target::Users && path.name.eq_ignore_ascii_case("userName")));
            key && column(target, path).is_some()
        }
        Filter::And(a, b) => pins_one(a, target) || pins_one(b, target),
        _ => false,
    }
}

/// A condition every match satisfies (maybe more rows): the compilable parts of an `and`.
pub fn prefilter(filter: &Filter, target: Target) -> Option<Condition> {
    if let Some(e) = expr(filter, target) {
        return Some(Condition::all().add(e));
    }
    match filter {
        Filter::And(a, b) => match (prefilter(a, target), prefilter(b, target)) {
            (Some(x), Some(y)) => Some(Condition::all().add(x).add(y)),
            (x, y) => x.or(y),
        },
        Filter::Or(a, b) => Some(
            Condition::any()
                .add(prefilter(a, target)?)
                .add(prefilter(b, target)?),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Target, pins_one};
    use roster_scim::filter::parse_filter;

    fn pins(filter: &str, target: Target) -> bool {
        pins_one(&parse_filter(filter).unwrap(), target)
    }

    #[test]
    fn only_equalities_on_unique_keys_pin_one_row() {
        assert!(pins(r#"userName eq "a@x.test""#, Target::Users));
        assert!(pins(r#"USERNAME eq "a@x.test""#, Target::Users));
        assert!(pins(
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a""#,
            Target::Users
        ));
        assert!(pins(r#"id eq "x" and active eq true"#, Target::Users));
        assert!(pins(r#"id eq "x""#, Target::Groups));
        assert!(!pins(r#"userName eq "a""#, Target::Groups));
        assert!(!pins(r#"userName co "a""#, Target::Users));
        assert!(!pins(
            r#"userName eq "a" or userName eq "b""#,
            Target::Users
        ));
        assert!(!pins(r#"externalId eq "a""#, Target::Users));
        assert!(!pins(r#"emails[value eq "a"]"#, Target::Users));
        assert!(!pins(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName eq "a""#,
            Target::Users
        ));
    }
}
