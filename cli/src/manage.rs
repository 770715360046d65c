//! Operator commands. They call the same services as the HTTP API (never raw SQL), against the
//! configured database, applying migrations first so they work on a fresh install.

use crate::output::{print, print_list};
use clap::Subcommand;
use roster_domain::ids::{ApiKeyId, ConnectionId, TenantId, TenantScope};
use roster_domain::services::{ApiKeyScope, NewAccount};
use roster_domain::{Config, Services};

pub(crate) async fn services(config: Config) -> anyhow::Result<Services> {
    Services::start(config, true).await
}

#[derive(Subcommand)]
pub enum TenantCmd {
    /// Create a tenant (one customer organisation of your app).
    Create {
        #[arg(long)]
        name: String,
        /// Your app's own id for this organisation, echoed in every event.
        #[arg(long)]
        external_id: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ConnectionCmd {
    /// Create a directory connection for a tenant.
    Create {
        #[arg(long)]
        tenant: TenantId,
        /// okta, entra, onelogin, jumpcloud, google or generic.
        #[arg(long, default_value = "generic")]
        provider: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Refuse the connection's SCIM requests from now on (emits connection.deactivated).
    Deactivate { id: ConnectionId },
    /// Accept the connection's SCIM requests again (emits connection.activated).
    Activate { id: ConnectionId },
    /// Delete the connection with its users, groups and tokens (emits connection.deleted).
    Delete { id: ConnectionId },
}

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Issue a SCIM bearer token for a connection (printed once).
    Issue {
        #[arg(long)]
        connection: ConnectionId,
        /// Expire the token after this many days (default: never).
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
}

#[derive(Subcommand)]
pub enum AccountCmd {
    /// Create an operator (or tenant-admin) account. The password is read from the
    /// ROSTER_ACCOUNT_PASSWORD environment variable, or from standard input.
    Create {
        #[arg(long)]
        email: String,
        /// operator or tenant_admin.
        #[arg(long, default_value = "operator")]
        role: String,
        /// Required for tenant_admin.
        #[arg(long)]
        tenant: Option<TenantId>,
    },
}

#[derive(Subcommand)]
pub enum ApiKeyCmd {
    /// Create an API key for your app's backend (printed once).
    Create {
        #[arg(long)]
        name: String,
        /// full or read-only.
        #[arg(long, default_value = "full")]
        scope: String,
        /// Restrict the key to one tenant.
        #[arg(long)]
        tenant: Option<TenantId>,
    },
    /// List API keys (never their secrets), revoked ones included.
    List {
        /// Only the keys restricted to this tenant.
        #[arg(long)]
        tenant: Option<TenantId>,
    },
    /// Revoke an API key: every instance refuses it from now on.
    Revoke {
        /// The key's id (see `api-key list`).
        id: ApiKeyId,
    },
}

pub async fn tenant(cmd: TenantCmd, config: Config, json: bool) -> anyhow::Result<()> {
    let TenantCmd::Create { name, external_id } = cmd;
    let svc = services(config).await?;
    let tenant = svc.create_tenant(&name, external_id.as_deref()).await?;
    print(json, &tenant, None)
}

pub async fn connection(cmd: ConnectionCmd, config: Config, json: bool) -> anyhow::Result<()> {
    let svc = services(config).await?;
    match cmd {
        ConnectionCmd::Create {
            tenant,
            provider,
            name,
        } => {
            let conn = svc.create_connection(tenant, &name, &provider).await?;
            print(json, &conn, None)
        }
        ConnectionCmd::Deactivate { id } => print(
            json,
            &svc.set_connection_active(id, None, false).await?,
            None,
        ),
        ConnectionCmd::Activate { id } => print(
            json,
            &svc.set_connection_active(id, None, true).await?,
            None,
        ),
        ConnectionCmd::Delete { id } => {
            svc.delete_connection(id, None).await?;
            print(json, &serde_json::json!({ "deleted": id }), None)
        }
    }
}

pub async fn token(cmd: TokenCmd, config: Config, json: bool) -> anyhow::Result<()> {
    let TokenCmd::Issue {
        connection,
        expires_in_days,
    } = cmd;
    let svc = services(config).await?;
    let valid_for = expires_in_days.map(|d| chrono::Duration::days(i64::from(d)));
    let issued = svc.issue_scim_token(connection, valid_for).await?;
    print(
        json,
        &issued,
        Some("Copy the token now: it is not shown again (only its hash is stored)."),
    )
}

pub async fn account(cmd: AccountCmd, config: Config, json: bool) -> anyhow::Result<()> {
    let AccountCmd::Create {
        email,
        role,
        tenant,
    } = cmd;
    let password = match std::env::var("ROSTER_ACCOUNT_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let svc = services(config).await?;
    let account = svc
        .create_account(NewAccount {
            email,
            password,
            role,
            tenant_id: tenant,
        })
        .await?;
    print(json, &account, None)
}

pub async fn api_key(cmd: ApiKeyCmd, config: Config, json: bool) -> anyhow::Result<()> {
    let svc = services(config).await?;
    match cmd {
        ApiKeyCmd::Create {
            name,
            scope,
            tenant,
        } => {
            let scope = ApiKeyScope::parse(&scope)
                .ok_or_else(|| anyhow::anyhow!("--scope must be `full` or `read-only`"))?;
            let key = svc.create_api_key(&name, scope, tenant).await?;
            print(
                json,
                &key,
                Some("Copy the secret now: it is not shown again (only its hash is stored)."),
            )
        }
        ApiKeyCmd::List { tenant } => {
            let scope = tenant.map_or(TenantScope::All, TenantScope::Tenant);
            print_list(json, &svc.list_api_keys(scope).await?)
        }
        ApiKeyCmd::Revoke { id } => {
            print(json, &svc.revoke_api_key(id, None).await?, Some("Revoked."))
        }
    }
}

pub async fn dead_letters(config: Config, requeue: bool, json: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.amqp_url.is_some(),
        "the in-process bus keeps its dead letters inside the running process and offers their \
         events again at the next start; this command needs amqp_url (RabbitMQ)"
    );
    let bus = roster_worker::connect_bus(&config).await?;
    let count = bus.dead_letters(requeue).await?;
    let value = if requeue {
        serde_json::json!({ "requeued": count })
    } else {
        serde_json::json!({ "dead_letters": count })
    };
    print(json, &value, None)
}
