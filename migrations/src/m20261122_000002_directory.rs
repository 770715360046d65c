//! SCIM users, groups and group memberships of a connection.
//!
//! The full resource is kept as JSON (`resource`, extensions and unknown attributes included); the
//! attributes that lookups and filters use are columns with indexes. Memberships are rows so that
//! changing one member of a large group touches one row.

use crate::util::{create_indexes, drop_tables, fk_cascade};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("scim_users")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(uuid("connection_id"))
                    .col(string("user_name"))
                    .col(string("user_name_lower"))
                    .col(string_null("external_id"))
                    .col(string_null("display_name"))
                    .col(string_null("given_name"))
                    .col(string_null("family_name"))
                    .col(string_null("email_lower"))
                    .col(boolean("active").default(true))
                    .col(json_binary("resource"))
                    .col(big_integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk_cascade(
                        "scim_users",
                        "connection_id",
                        "connections",
                    ))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "scim_users",
            &[
                (&["connection_id", "user_name_lower"], true),
                (&["connection_id", "external_id"], false),
                (&["connection_id", "email_lower"], false),
                (&["connection_id", "display_name"], false),
                (&["connection_id", "active"], false),
                (&["connection_id", "created_at", "id"], false),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("scim_groups")
                    .if_not_exists()
                    .col(pk_uuid("id"))
                    .col(uuid("connection_id"))
                    .col(string("display_name"))
                    .col(string("display_name_lower"))
                    .col(string_null("external_id"))
                    .col(json_binary("resource"))
                    .col(big_integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk_cascade(
                        "scim_groups",
                        "connection_id",
                        "connections",
                    ))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "scim_groups",
            &[
                (&["connection_id", "display_name_lower"], false),
                (&["connection_id", "external_id"], false),
                (&["connection_id", "created_at", "id"], false),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("scim_group_members")
                    .if_not_exists()
                    .col(uuid("group_id"))
                    .col(uuid("member_id"))
                    .col(uuid("connection_id"))
                    // "User" or "Group" (SCIM allows nested groups).
                    .col(string("member_type"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("group_id").col("member_id"))
                    .foreign_key(&mut fk_cascade(
                        "scim_group_members",
                        "group_id",
                        "scim_groups",
                    ))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            "scim_group_members",
            &[(&["member_id"], false), (&["connection_id"], false)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &["scim_group_members", "scim_groups", "scim_users"],
        )
        .await
    }
}
