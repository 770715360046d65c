//! Listing users and groups of a connection (RFC 7644 §3.4.2): a stable order (sort key, then
//! id), 1-based `startIndex`, `count` capped to `scim.max_page_size`, `count=0` for totals only.
//! Sorting is over indexed columns.

use crate::entities::{scim_group, scim_group_member, scim_user};
use crate::error::{DomainError, Result};
use crate::ids::ConnectionCtx;
use crate::services::Services;
use crate::services::filter_sql::{Target, exact, pins_one, prefilter};
use crate::services::groups::GroupRecord;
use crate::services::groups::scim_group_resource;
use crate::services::users::scim_user_resource;
use crate::services::users::{UserRecord, groups_of_users};
use roster_scim::attr::AttrPath;
use roster_scim::filter::{Filter, matches};
use roster_scim::schema::ResourceSchema;
use sea_orm::sea_query::{Expr, Func, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use std::collections::HashMap;
use uuid::Uuid;

/// A list request after validation.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// The `filter` parameter, parsed.
    pub filter: Option<Filter>,
    /// 1-based index of the first result.
    pub start_index: u64,
    /// Results wanted; 0 asks for the total only.
    pub count: u64,
    pub sort_by: Option<AttrPath>,
    pub descending: bool,
    /// Whether to load computed multi-valued attributes (`groups`, `members`).
    pub with_related: bool,
}

/// One page and the total number of matches.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub total: u64,
    pub start_index: u64,
    pub items: Vec<T>,
}

/// Columns `sortBy` may name, per resource type; strings sort case-insensitively.
fn user_sort_column(path: &AttrPath) -> Option<SimpleExpr> {
    let col = |c: scim_user::Column| Expr::col((scim_user::Entity, c));
    let lower = |c: scim_user::Column| SimpleExpr::from(Func::lower(col(c)));
    if path
        .urn
        .as_deref()
        .is_some_and(|u| !u.eq_ignore_ascii_case(roster_scim::schemas::USER))
    {
        return None;
    }
    Some(
        match (
            path.name.to_ascii_lowercase().as_str(),
            path.sub.as_deref().map(str::to_ascii_lowercase).as_deref(),
        ) {
            ("id", None) => col(scim_user::Column::Id),
            ("username", None) => col(scim_user::Column::UserNameLower),
            ("externalid", None) => col(scim_user::Column::ExternalId),
            ("displayname", None) => lower(scim_user::Column::DisplayName),
            ("name", Some("givenname")) => lower(scim_user::Column::GivenName),
            ("name", Some("familyname")) => lower(scim_user::Column::FamilyName),
            ("emails", None | Some("value")) => col(scim_user::Column::EmailLower),
            ("active", None) => col(scim_user::Column::Active),
            ("meta", Some("created")) => col(scim_user::Column::CreatedAt),
            ("meta", Some("lastmodified")) => col(scim_user::Column::UpdatedAt),
            _ => return None,
        },
    )
}

fn group_sort_column(path: &AttrPath) -> Option<SimpleExpr> {
    let col = |c: scim_group::Column| Expr::col((scim_group::Entity, c));
    if path
        .urn
        .as_deref()
        .is_some_and(|u| !u.eq_ignore_ascii_case(roster_scim::schemas::GROUP))
    {
        return None;
    }
    Some(
        match (
            path.name.to_ascii_lowercase().as_str(),
            path.sub.as_deref().map(str::to_ascii_lowercase).as_deref(),
        ) {
            ("id", None) => col(scim_group::Column::Id),
            ("displayname", None) => col(scim_group::Column::DisplayNameLower),
            ("externalid", None) => col(scim_group::Column::ExternalId),
            ("meta", Some("created")) => col(scim_group::Column::CreatedAt),
            ("meta", Some("lastmodified")) => col(scim_group::Column::UpdatedAt),
            _ => return None,
        },
    )
}

fn unsortable(path: &AttrPath, allowed: &str) -> DomainError {
    DomainError::Scim(roster_scim::ScimError::bad_request(
        roster_scim::ScimType::InvalidValue,
        format!("sortBy `{path}` is not supported; sortable attributes: {allowed}"),
    ))
}

/// Applies order and window; returns the page query and the total. `order` is the sort key and
/// the tie-break (`id`), `None` when the filter pins at most one row ([`pins_one`]).
async fn window<E, C>(
    conn: &C,
    mut select: Select<E>,
    condition: Option<Condition>,
    query: &ListQuery,
    order: Option<(SimpleExpr, SimpleExpr)>,
) -> Result<(u64, Vec<E::Model>)>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: ConnectionTrait,
{
    if let Some(condition) = condition {
        select = select.filter(condition);
    }
    if query.count == 0 {
        return Ok((select.count(conn).await?, Vec::new()));
    }
    let direction = if query.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let counter = select.clone();
    if let Some((key, id)) = order {
        select = select
            .order_by(key, direction.clone())
            .order_by(id, direction);
    }
    let rows = select
        .offset(query.start_index - 1)
        .limit(query.count)
        .all(conn)
        .await?;
    // A short, non-empty page ends the list: its total is known without counting (this saves
    // a query on every lookup that finds its one match, and on every last page).
    let short = (rows.len() as u64) < query.count;
    let total = if short && (!rows.is_empty() || query.start_index == 1) {
        query.start_index - 1 + rows.len() as u64
    } else {
        counter.count(conn).await?
    };
    Ok((total, rows))
}

/// The order of a list: `sort` (or creation) then `id`, except when the filter pins at most one
/// row. Such a lookup (`userName eq "…"`, the one every IdP sends before a create) needs no
/// order, and leaving the `ORDER BY` out keeps the planner on the key's index whatever the
/// statistics say: with `ORDER BY created_at, id LIMIT n`, a plan made while the table was
/// nearly empty (and cached by the connection) walked the connection's rows in creation order
/// instead, so each lookup of a growing connection read all of it.
fn list_order(
    query: &ListQuery,
    target: Target,
    sort: Option<SimpleExpr>,
    created_and_id: impl FnOnce() -> (SimpleExpr, SimpleExpr),
) -> Option<(SimpleExpr, SimpleExpr)> {
    if query.filter.as_ref().is_some_and(|f| pins_one(f, target)) {
        return None;
    }
    let (created, id) = created_and_id();
    Some((sort.unwrap_or(created), id))
}

impl Services {
    pub async fn list_users(
        &self,
        ctx: &ConnectionCtx,
        query: &ListQuery,
    ) -> Result<Page<UserRecord>> {
        let sort = match &query.sort_by {
            None => None,
            Some(p) => Some(user_sort_column(p).ok_or_else(|| {
                unsortable(p, "id, userName, externalId, displayName, name.givenName, name.familyName, emails.value, active, meta.created, meta.lastModified")
            })?),
        };
        let select = scim_user::Entity::find()
            .filter(scim_user::Column::ConnectionId.eq(ctx.connection_id.0));
        let condition = match &query.filter {
            None => None,
            Some(f) => match exact(f, Target::Users) {
                Some(c) => Some(c),
                None => return self.scan_users(ctx, select, f, query, sort).await,
            },
        };
        let (total, users) = window(
            &self.db,
            select,
            condition,
            query,
            list_order(query, Target::Users, sort, || {
                (
                    Expr::col((scim_user::Entity, scim_user::Column::CreatedAt)),
                    Expr::col((scim_user::Entity, scim_user::Column::Id)),
                )
            }),
        )
        .await?;
        let mut groups = match query.with_related {
            true => {
                groups_of_users(&self.db, &users.iter().map(|u| u.id).collect::<Vec<_>>()).await?
            }
            false => HashMap::new(),
        };
        let items = users
            .into_iter()
            .map(|user| UserRecord {
                groups: groups.remove(&user.id).unwrap_or_default(),
                user,
            })
            .collect();
        Ok(Page {
            total,
            start_index: query.start_index,
            items,
        })
    }

    pub async fn list_groups(
        &self,
        ctx: &ConnectionCtx,
        query: &ListQuery,
    ) -> Result<Page<GroupRecord>> {
        let sort = match &query.sort_by {
            None => None,
            Some(p) => Some(group_sort_column(p).ok_or_else(|| {
                unsortable(
                    p,
                    "id, displayName, externalId, meta.created, meta.lastModified",
                )
            })?),
        };
        let select = scim_group::Entity::find()
            .filter(scim_group::Column::ConnectionId.eq(ctx.connection_id.0));
        let condition = match &query.filter {
            None => None,
            Some(f) => match exact(f, Target::Groups) {
                Some(c) => Some(c),
                None => return self.scan_groups(ctx, select, f, query, sort).await,
            },
        };
        let (total, groups) = window(
            &self.db,
            select,
            condition,
            query,
            list_order(query, Target::Groups, sort, || {
                (
                    Expr::col((scim_group::Entity, scim_group::Column::CreatedAt)),
                    Expr::col((scim_group::Entity, scim_group::Column::Id)),
                )
            }),
        )
        .await?;
        let items = self.with_members(groups, query.with_related).await?;
        Ok(Page {
            total,
            start_index: query.start_index,
            items,
        })
    }

    async fn with_members(
        &self,
        groups: Vec<scim_group::Model>,
        load: bool,
    ) -> Result<Vec<GroupRecord>> {
        let mut members: HashMap<Uuid, Vec<scim_group_member::Model>> = HashMap::new();
        if load && !groups.is_empty() {
            let rows = scim_group_member::Entity::find()
                .filter(scim_group_member::Column::GroupId.is_in(groups.iter().map(|g| g.id)))
                .order_by_asc(scim_group_member::Column::CreatedAt)
                .order_by_asc(scim_group_member::Column::MemberId)
                .all(&self.db)
                .await?;
            for row in rows {
                members.entry(row.group_id).or_default().push(row);
            }
        }
        Ok(groups
            .into_iter()
            .map(|group| GroupRecord {
                members: load.then(|| members.remove(&group.id).unwrap_or_default()),
                group,
            })
            .collect())
    }
}

/// Too many rows to evaluate a filter that SQL cannot express.
fn too_many(scan: u64, target: &str) -> DomainError {
    DomainError::Scim(roster_scim::ScimError::bad_request(
        roster_scim::ScimType::TooMany,
        format!(
            "this filter is evaluated row by row and would scan more than {scan} {target}; \
             add a condition on an indexed attribute (id, userName, externalId, displayName, active, meta.created)"
        ),
    ))
}

/// Orders `select` like a page would be ordered.
fn ordered<E: EntityTrait>(
    select: Select<E>,
    query: &ListQuery,
    sort: Option<SimpleExpr>,
    created: SimpleExpr,
    id: SimpleExpr,
) -> Select<E> {
    let order = if query.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    select
        .order_by(sort.unwrap_or(created), order.clone())
        .order_by(id, order)
}

fn page_of<T>(matched: Vec<T>, query: &ListQuery) -> Page<T> {
    let total = matched.len() as u64;
    let items = matched
        .into_iter()
        .skip((query.start_index - 1) as usize)
        .take(query.count as usize)
        .collect();
    Page {
        total,
        start_index: query.start_index,
        items,
    }
}

impl Services {
    /// Row-by-row evaluation of a filter SQL cannot express, over the rows its compilable parts
    /// select, up to `scim.max_filter_scan` rows.
    async fn scan_users(
        &self,
        ctx: &ConnectionCtx,
        mut select: Select<scim_user::Entity>,
        filter: &Filter,
        query: &ListQuery,
        sort: Option<SimpleExpr>,
    ) -> Result<Page<UserRecord>> {
        if let Some(pre) = prefilter(filter, Target::Users) {
            select = select.filter(pre);
        }
        let cap = self.config.scim.max_filter_scan;
        if select.clone().count(&self.db).await? > cap {
            return Err(too_many(cap, "users"));
        }
        let users = ordered(
            select,
            query,
            sort,
            Expr::col((scim_user::Entity, scim_user::Column::CreatedAt)),
            Expr::col((scim_user::Entity, scim_user::Column::Id)),
        )
        .all(&self.db)
        .await?;
        let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
        let mut groups = groups_of_users(&self.db, &ids).await?;
        let base = self.scim_base_url(ctx.connection_id);
        let schema = ResourceSchema::user();
        let matched: Vec<UserRecord> = users
            .into_iter()
            .map(|user| UserRecord {
                groups: groups.remove(&user.id).unwrap_or_default(),
                user,
            })
            .filter(|r| matches(filter, &scim_user_resource(r, &base), schema))
            .collect();
        Ok(page_of(matched, query))
    }

    async fn scan_groups(
        &self,
        ctx: &ConnectionCtx,
        mut select: Select<scim_group::Entity>,
        filter: &Filter,
        query: &ListQuery,
        sort: Option<SimpleExpr>,
    ) -> Result<Page<GroupRecord>> {
        if let Some(pre) = prefilter(filter, Target::Groups) {
            select = select.filter(pre);
        }
        let cap = self.config.scim.max_filter_scan;
        if select.clone().count(&self.db).await? > cap {
            return Err(too_many(cap, "groups"));
        }
        let groups = ordered(
            select,
            query,
            sort,
            Expr::col((scim_group::Entity, scim_group::Column::CreatedAt)),
            Expr::col((scim_group::Entity, scim_group::Column::Id)),
        )
        .all(&self.db)
        .await?;
        let base = self.scim_base_url(ctx.connection_id);
        let schema = ResourceSchema::group();
        // Members are not evaluated row by row (value filters on members compile to SQL).
        let matched: Vec<scim_group::Model> = groups
            .into_iter()
            .filter(|g| {
                let record = GroupRecord {
                    group: g.clone(),
                    members: None,
                };
                matches(filter, &scim_group_resource(&record, &base), schema)
            })
            .collect();
        let mut page = page_of(matched, query);
        let items = self
            .with_members(std::mem::take(&mut page.items), query.with_related)
            .await?;
        Ok(Page {
            total: page.total,
            start_index: page.start_index,
            items,
        })
    }
}
