//! Changing a group: PUT and PATCH share one path, so that both write O(changed members),
//! announce each membership change, and emit `group.updated` only when an attribute changed.

use crate::entities::scim_group;
use crate::error::{DomainError, Result};
use crate::events;
use crate::ids::{ConnectionCtx, GroupId};
use crate::services::Services;
use crate::services::groups::{GroupRecord, group_event_data, load_members};
use crate::services::users::check_version;
use chrono::Utc;
use roster_scim::patch::{MemberChange, PatchOp, apply_ops, split_member_ops};
use roster_scim::schema::ResourceSchema;
use roster_scim::{GroupInput, parse_group};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashSet;
use uuid::Uuid;

/// What happens to the group's own attributes.
enum AttrChange {
    Replace(GroupInput),
    Patch(Vec<PatchOp>),
}

impl Services {
    /// Replaces a group (PUT): attributes and the whole member list (diffed).
    pub async fn replace_group(
        &self,
        ctx: &ConnectionCtx,
        id: GroupId,
        mut input: GroupInput,
        expected_version: Option<&[i64]>,
        with_members: bool,
    ) -> Result<GroupRecord> {
        let members = std::mem::take(&mut input.members);
        let changes = vec![MemberChange::Replace(members)];
        self.change_group(
            ctx,
            id,
            AttrChange::Replace(input),
            changes,
            expected_version,
            with_members,
        )
        .await
    }

    /// Patches a group (PATCH). Member operations become row changes; the others are applied
    /// to the stored resource, which must still be a valid group.
    pub async fn patch_group(
        &self,
        ctx: &ConnectionCtx,
        id: GroupId,
        ops: Vec<PatchOp>,
        expected_version: Option<&[i64]>,
        with_members: bool,
    ) -> Result<GroupRecord> {
        let (changes, rest) = split_member_ops(ops)?;
        self.change_group(
            ctx,
            id,
            AttrChange::Patch(rest),
            changes,
            expected_version,
            with_members,
        )
        .await
    }

    async fn change_group(
        &self,
        ctx: &ConnectionCtx,
        id: GroupId,
        attrs: AttrChange,
        changes: Vec<MemberChange>,
        expected_version: Option<&[i64]>,
        with_members: bool,
    ) -> Result<GroupRecord> {
        let txn = self.begin_write().await?;
        let old = scim_group::Entity::find_by_id(id.0)
            .filter(scim_group::Column::ConnectionId.eq(ctx.connection_id.0))
            .one(&txn)
            .await?
            .ok_or(DomainError::NotFound("group"))?;
        check_version(expected_version, old.version)?;
        let input = match attrs {
            AttrChange::Replace(input) => Some(input),
            AttrChange::Patch(ops) if ops.is_empty() => None,
            AttrChange::Patch(ops) => {
                let patched = apply_ops(&old.resource, &ops, ResourceSchema::group())?;
                Some(parse_group(&patched)?)
            }
        };
        let mut group = old.clone();
        if let Some(input) = input {
            group.display_name_lower = input.display_name.to_lowercase();
            group.display_name = input.display_name;
            group.external_id = input.external_id;
            group.resource = input.resource;
        }
        let previous =
            events::previous_attributes(&group_event_data(&old), &group_event_data(&group));
        let mut changed = 0;
        for change in changes {
            changed += self.apply_member_change(&txn, ctx, &old, change).await?;
        }
        if previous.is_some() || changed > 0 {
            group.version = old.version + 1;
            group.updated_at = Utc::now();
            let active: scim_group::ActiveModel = group.clone().into();
            group = active.reset_all().update(&txn).await?;
        }
        if let Some(previous) = previous {
            let data = group_event_data(&group);
            events::append(&txn, ctx, "group.updated", data, Some(previous)).await?;
        }
        let members = match with_members {
            true => Some(load_members(&txn, group.id).await?),
            false => None,
        };
        txn.commit().await?;
        self.events_committed();
        Ok(GroupRecord { group, members })
    }

    /// Applies one membership change; returns how many rows changed.
    async fn apply_member_change<C: ConnectionTrait>(
        &self,
        txn: &C,
        ctx: &ConnectionCtx,
        group: &scim_group::Model,
        change: MemberChange,
    ) -> Result<usize> {
        let ids = |list: &[String]| -> Vec<Uuid> {
            list.iter()
                .filter_map(|id| Uuid::parse_str(id).ok())
                .collect()
        };
        Ok(match change {
            MemberChange::Add(list) => self.add_members(txn, ctx, group, &list).await?,
            MemberChange::Remove(list) => self.remove_members(txn, ctx, group, &ids(&list)).await?,
            MemberChange::RemoveAll => {
                let all: Vec<Uuid> = load_members(txn, group.id)
                    .await?
                    .into_iter()
                    .map(|m| m.member_id)
                    .collect();
                self.remove_members(txn, ctx, group, &all).await?
            }
            MemberChange::Replace(list) => {
                let wanted: HashSet<Uuid> = list
                    .iter()
                    .filter_map(|m| Uuid::parse_str(&m.value).ok())
                    .collect();
                let gone: Vec<Uuid> = load_members(txn, group.id)
                    .await?
                    .into_iter()
                    .map(|m| m.member_id)
                    .filter(|id| !wanted.contains(id))
                    .collect();
                self.remove_members(txn, ctx, group, &gone).await?
                    + self.add_members(txn, ctx, group, &list).await?
            }
        })
    }
}
