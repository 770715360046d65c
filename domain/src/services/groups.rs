//! SCIM Groups of a connection and their memberships. Members are rows: adding or removing
//! members costs O(changed members), whatever the size of the group.

use crate::entities::{scim_group, scim_group_member, scim_user};
use crate::error::{DomainError, Result};
use crate::events;
use crate::ids::{ConnectionCtx, GroupId};
use crate::services::Services;
use crate::services::users::{check_version, member_event_data};
use chrono::{SecondsFormat, Utc};
use roster_scim::{GroupInput, MemberInput};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

/// Ids per `IN (…)` list, well under every backend's bind-parameter limit.
pub(crate) const CHUNK: usize = 500;

/// A group with its members (when they were asked for).
#[derive(Debug, Clone)]
pub struct GroupRecord {
    pub group: scim_group::Model,
    pub members: Option<Vec<scim_group_member::Model>>,
}

/// The SCIM representation: stored resource + `id`, `members` (if loaded) and `meta`.
pub fn scim_group_resource(record: &GroupRecord, scim_base_url: &str) -> Value {
    let g = &record.group;
    let mut resource = g.resource.clone();
    if let Value::Object(map) = &mut resource {
        map.insert("id".into(), Value::from(g.id.to_string()));
        if let Some(members) = &record.members {
            let list: Vec<Value> = members
                .iter()
                .map(|m| {
                    let kind = if m.member_type == "Group" {
                        "Groups"
                    } else {
                        "Users"
                    };
                    json!({
                        "value": m.member_id.to_string(),
                        "$ref": format!("{scim_base_url}/{kind}/{}", m.member_id),
                        "type": m.member_type,
                    })
                })
                .collect();
            map.insert("members".into(), Value::from(list));
        }
        map.insert(
            "meta".into(),
            json!({
                "resourceType": "Group",
                "created": g.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
                "lastModified": g.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
                "location": format!("{scim_base_url}/Groups/{}", g.id),
                "version": format!("W/\"{}\"", g.version),
            }),
        );
    }
    resource
}

/// The normalized group carried by `group.*` events (members travel as `group.user_added`).
pub(crate) fn group_event_data(g: &scim_group::Model) -> Value {
    json!({
        "object": "group",
        "id": g.id,
        "display_name": g.display_name,
        "external_id": g.external_id,
        "raw": events::raw_resource(&g.resource, g.id),
    })
}

impl Services {
    /// Creates a group, its members and the events (`group.created`, then one
    /// `group.user_added` per user member) in one transaction. Member ids that are not users or
    /// groups of this connection are skipped (IdPs race deletes against group pushes).
    pub async fn create_group(
        &self,
        ctx: &ConnectionCtx,
        input: GroupInput,
    ) -> Result<GroupRecord> {
        let now = Utc::now();
        let txn = self.begin_write().await?;
        let group = scim_group::ActiveModel {
            id: Set(GroupId::new().0),
            connection_id: Set(ctx.connection_id.0),
            display_name_lower: Set(input.display_name.to_lowercase()),
            display_name: Set(input.display_name),
            external_id: Set(input.external_id),
            resource: Set(input.resource),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        events::append(&txn, ctx, "group.created", group_event_data(&group), None).await?;
        self.add_members(&txn, ctx, &group, &input.members).await?;
        let members = load_members(&txn, group.id).await?;
        txn.commit().await?;
        self.events_committed();
        Ok(GroupRecord {
            group,
            members: Some(members),
        })
    }

    pub async fn get_group(
        &self,
        ctx: &ConnectionCtx,
        id: GroupId,
        with_members: bool,
    ) -> Result<GroupRecord> {
        let group = scim_group::Entity::find_by_id(id.0)
            .filter(scim_group::Column::ConnectionId.eq(ctx.connection_id.0))
            .one(&self.db)
            .await?
            .ok_or(DomainError::NotFound("group"))?;
        let members = match with_members {
            true => Some(load_members(&self.db, group.id).await?),
            false => None,
        };
        Ok(GroupRecord { group, members })
    }

    /// Deletes a group (its membership rows cascade) and emits `group.deleted`.
    pub async fn delete_group(
        &self,
        ctx: &ConnectionCtx,
        id: GroupId,
        expected_version: Option<&[i64]>,
    ) -> Result<()> {
        let txn = self.begin_write().await?;
        let group = scim_group::Entity::find_by_id(id.0)
            .filter(scim_group::Column::ConnectionId.eq(ctx.connection_id.0))
            .one(&txn)
            .await?
            .ok_or(DomainError::NotFound("group"))?;
        check_version(expected_version, group.version)?;
        scim_group::Entity::delete_by_id(group.id)
            .exec(&txn)
            .await?;
        events::append(&txn, ctx, "group.deleted", group_event_data(&group), None).await?;
        txn.commit().await?;
        self.events_committed();
        Ok(())
    }

    /// Adds members that exist in the connection and are not members yet; emits
    /// `group.user_added` for each user added. Returns how many rows were added.
    pub(crate) async fn add_members<C: ConnectionTrait>(
        &self,
        txn: &C,
        ctx: &ConnectionCtx,
        group: &scim_group::Model,
        members: &[MemberInput],
    ) -> Result<usize> {
        let wanted: Vec<Uuid> = members
            .iter()
            .filter_map(|m| Uuid::parse_str(&m.value).ok())
            .collect();
        let mut added = 0;
        for chunk in wanted.chunks(CHUNK) {
            let existing: HashSet<Uuid> = scim_group_member::Entity::find()
                .select_only()
                .column(scim_group_member::Column::MemberId)
                .filter(scim_group_member::Column::GroupId.eq(group.id))
                .filter(scim_group_member::Column::MemberId.is_in(chunk.iter().copied()))
                .into_tuple::<Uuid>()
                .all(txn)
                .await?
                .into_iter()
                .collect();
            let fresh: Vec<Uuid> = chunk
                .iter()
                .copied()
                .filter(|id| !existing.contains(id))
                .collect();
            if fresh.is_empty() {
                continue;
            }
            let users = scim_user::Entity::find()
                .filter(scim_user::Column::ConnectionId.eq(ctx.connection_id.0))
                .filter(scim_user::Column::Id.is_in(fresh.iter().copied()))
                .all(txn)
                .await?;
            let groups: HashSet<Uuid> = scim_group::Entity::find()
                .select_only()
                .column(scim_group::Column::Id)
                .filter(scim_group::Column::ConnectionId.eq(ctx.connection_id.0))
                .filter(scim_group::Column::Id.is_in(fresh.iter().copied()))
                .into_tuple::<Uuid>()
                .all(txn)
                .await?
                .into_iter()
                .filter(|id| *id != group.id)
                .collect();
            let now = Utc::now();
            let rows: Vec<scim_group_member::ActiveModel> = users
                .iter()
                .map(|u| (u.id, "User"))
                .chain(groups.iter().map(|g| (*g, "Group")))
                .map(|(member_id, kind)| scim_group_member::ActiveModel {
                    group_id: Set(group.id),
                    member_id: Set(member_id),
                    connection_id: Set(ctx.connection_id.0),
                    member_type: Set(kind.to_string()),
                    created_at: Set(now),
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            added += rows.len();
            scim_group_member::Entity::insert_many(rows)
                .exec(txn)
                .await?;
            let data = member_events(group, &users);
            events::append_all(txn, ctx, "group.user_added", data).await?;
        }
        Ok(added)
    }

    /// Removes the given members (ids that are not members are ignored: Okta removes members
    /// that are already gone); emits `group.user_removed` for each user removed.
    pub(crate) async fn remove_members<C: ConnectionTrait>(
        &self,
        txn: &C,
        ctx: &ConnectionCtx,
        group: &scim_group::Model,
        member_ids: &[Uuid],
    ) -> Result<usize> {
        let mut removed = 0;
        for chunk in member_ids.chunks(CHUNK) {
            let present: Vec<scim_group_member::Model> = scim_group_member::Entity::find()
                .filter(scim_group_member::Column::GroupId.eq(group.id))
                .filter(scim_group_member::Column::MemberId.is_in(chunk.iter().copied()))
                .all(txn)
                .await?;
            if present.is_empty() {
                continue;
            }
            let ids: Vec<Uuid> = present.iter().map(|m| m.member_id).collect();
            removed += scim_group_member::Entity::delete_many()
                .filter(scim_group_member::Column::GroupId.eq(group.id))
                .filter(scim_group_member::Column::MemberId.is_in(ids.iter().copied()))
                .exec(txn)
                .await?
                .rows_affected as usize;
            let users = scim_user::Entity::find()
                .filter(scim_user::Column::Id.is_in(ids))
                .all(txn)
                .await?;
            let data = member_events(group, &users);
            events::append_all(txn, ctx, "group.user_removed", data).await?;
        }
        Ok(removed)
    }
}

/// The `data` of a membership event per user.
fn member_events(group: &scim_group::Model, users: &[scim_user::Model]) -> Vec<Value> {
    let group = group_event_data(group);
    users
        .iter()
        .map(|user| json!({"group": group, "user": member_event_data(user)}))
        .collect()
}

pub(crate) async fn load_members<C: ConnectionTrait>(
    conn: &C,
    group_id: Uuid,
) -> Result<Vec<scim_group_member::Model>> {
    Ok(scim_group_member::Entity::find()
        .filter(scim_group_member::Column::GroupId.eq(group_id))
        .order_by_asc(scim_group_member::Column::CreatedAt)
        .order_by_asc(scim_group_member::Column::MemberId)
        .all(conn)
        .await?)
}
