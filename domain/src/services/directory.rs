//! Directory data for the app: a connection's (or a whole tenant's) users and groups in the
//! normalized shape webhook events carry (`user_event_data`, `group_event_data`), paged by id.
//! Every read takes the caller's [`TenantScope`]; another tenant's object does not exist.

use crate::entities::{connection, scim_group, scim_group_member, scim_user};
use crate::error::{DomainError, Result};
use crate::ids::{ConnectionId, TenantId, TenantScope};
use crate::services::groups::group_event_data;
use crate::services::users::{groups_of_users, user_event_data};
use crate::services::{Services, contains};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

/// Whose directory: one connection, or every connection of a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directory {
    Connection(ConnectionId),
    Tenant(TenantId),
}

/// Which users to list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// `Some(true)`: active users only; `Some(false)`: deactivated only.
    pub active: Option<bool>,
    /// Only members of this group.
    pub group: Option<Uuid>,
    /// A case-insensitive part of the userName, the display name or the primary email.
    pub search: Option<String>,
}

impl Services {
    /// Checks that `scope` may see the directory; returns the connections it spans as a
    /// condition on `connection_id`.
    async fn directory_condition<C: ColumnTrait>(
        &self,
        scope: TenantScope,
        directory: Directory,
        column: C,
    ) -> Result<sea_orm::Condition> {
        Ok(match directory {
            Directory::Connection(id) => {
                self.get_connection_in(id, scope.restriction()).await?;
                sea_orm::Condition::all().add(column.eq(id.0))
            }
            Directory::Tenant(tenant) => {
                if !scope.allows(tenant) {
                    return Err(DomainError::NotFound("tenant"));
                }
                self.get_tenant(tenant).await?;
                let connections = Query::select()
                    .column(connection::Column::Id)
                    .from(connection::Entity)
                    .and_where(connection::Column::TenantId.eq(tenant.0))
                    .to_owned();
                sea_orm::Condition::all().add(column.in_subquery(connections))
            }
        })
    }

    /// Users of `directory` by id, after `after`, with their groups.
    pub async fn directory_users(
        &self,
        scope: TenantScope,
        directory: Directory,
        filter: &UserFilter,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<Value>> {
        let within = self
            .directory_condition(scope, directory, scim_user::Column::ConnectionId)
            .await?;
        let mut query = scim_user::Entity::find()
            .filter(within)
            .order_by_asc(scim_user::Column::Id)
            .limit(limit);
        if let Some(active) = filter.active {
            query = query.filter(scim_user::Column::Active.eq(active));
        }
        if let Some(group) = filter.group {
            let members = Query::select()
                .column(scim_group_member::Column::MemberId)
                .from(scim_group_member::Entity)
                .and_where(scim_group_member::Column::GroupId.eq(group))
                .to_owned();
            query = query.filter(scim_user::Column::Id.in_subquery(members));
        }
        if let Some(pattern) = contains(filter.search.as_deref()) {
            let display = Expr::expr(Func::lower(Expr::col(scim_user::Column::DisplayName)));
            query = query.filter(
                Condition::any()
                    .add(scim_user::Column::UserNameLower.like(pattern.clone()))
                    .add(scim_user::Column::EmailLower.like(pattern.clone()))
                    .add(display.like(pattern)),
            );
        }
        if let Some(after) = after {
            query = query.filter(scim_user::Column::Id.gt(after));
        }
        self.users_with_groups(query.all(&self.db).await?).await
    }

    async fn users_with_groups(&self, users: Vec<scim_user::Model>) -> Result<Vec<Value>> {
        let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
        let mut groups = groups_of_users(&self.db, &ids).await?;
        Ok(users
            .iter()
            .map(|u| user_event_data(u, &groups.remove(&u.id).unwrap_or_default()))
            .collect())
    }

    /// Groups of `directory` by id, after `after`; `search` matches a case-insensitive part of
    /// the display name.
    pub async fn directory_groups(
        &self,
        scope: TenantScope,
        directory: Directory,
        search: Option<&str>,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<Value>> {
        let within = self
            .directory_condition(scope, directory, scim_group::Column::ConnectionId)
            .await?;
        let mut query = scim_group::Entity::find()
            .filter(within)
            .order_by_asc(scim_group::Column::Id)
            .limit(limit);
        if let Some(pattern) = contains(search) {
            query = query.filter(scim_group::Column::DisplayNameLower.like(pattern));
        }
        if let Some(after) = after {
            query = query.filter(scim_group::Column::Id.gt(after));
        }
        Ok(query
            .all(&self.db)
            .await?
            .iter()
            .map(group_event_data)
            .collect())
    }

    async fn user_in(&self, scope: TenantScope, id: Uuid) -> Result<scim_user::Model> {
        let user = scim_user::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(DomainError::NotFound("user"))?;
        self.get_connection_in(user.connection_id.into(), scope.restriction())
            .await
            .map_err(|_| DomainError::NotFound("user"))?;
        Ok(user)
    }

    async fn group_in(&self, scope: TenantScope, id: Uuid) -> Result<scim_group::Model> {
        let group = scim_group::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(DomainError::NotFound("group"))?;
        self.get_connection_in(group.connection_id.into(), scope.restriction())
            .await
            .map_err(|_| DomainError::NotFound("group"))?;
        Ok(group)
    }

    /// One user, with its groups.
    pub async fn directory_user(&self, scope: TenantScope, id: Uuid) -> Result<Value> {
        let user = self.user_in(scope, id).await?;
        let mut users = self.users_with_groups(vec![user]).await?;
        Ok(users.remove(0))
    }

    /// The groups a user belongs to, by id.
    pub async fn user_groups(&self, scope: TenantScope, id: Uuid) -> Result<Vec<Value>> {
        let user = self.user_in(scope, id).await?;
        let memberships = Query::select()
            .column(scim_group_member::Column::GroupId)
            .from(scim_group_member::Entity)
            .and_where(scim_group_member::Column::MemberId.eq(user.id))
            .to_owned();
        Ok(scim_group::Entity::find()
            .filter(scim_group::Column::Id.in_subquery(memberships))
            .order_by_asc(scim_group::Column::Id)
            .all(&self.db)
            .await?
            .iter()
            .map(group_event_data)
            .collect())
    }

    /// One group (its members are paged by [`Services::group_members`]).
    pub async fn directory_group(&self, scope: TenantScope, id: Uuid) -> Result<Value> {
        Ok(group_event_data(&self.group_in(scope, id).await?))
    }

    /// A group's user members by id, after `after`, with their groups.
    pub async fn group_members(
        &self,
        scope: TenantScope,
        id: Uuid,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<Value>> {
        let group = self.group_in(scope, id).await?;
        let filter = UserFilter {
            group: Some(group.id),
            ..UserFilter::default()
        };
        let directory = Directory::Connection(group.connection_id.into());
        self.directory_users(scope, directory, &filter, after, limit)
            .await
    }
}
