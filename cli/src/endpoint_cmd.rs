//! `roster endpoint …`: webhook endpoints and their deliveries, through the same services as
//! the HTTP API.

use crate::manage::services;
use crate::output::print;
use clap::Subcommand;
use roster_domain::Config;
use roster_domain::ids::{DeliveryId, EndpointId, TenantId};
use roster_domain::services::{DeliveryStatus, EndpointUpdate, NewEndpoint};
use serde_json::json;

#[derive(Subcommand)]
pub enum EndpointCmd {
    /// Subscribe a webhook endpoint (prints its whsec_ signing secret).
    Create {
        #[arg(long)]
        url: String,
        /// Event type or pattern; repeat for several (default: every event).
        #[arg(long = "event-type", default_values_t = vec!["*".to_string()])]
        event_types: Vec<String>,
        /// Only this tenant's events.
        #[arg(long)]
        tenant: Option<TenantId>,
        #[arg(long, default_value = "")]
        description: String,
        /// Deliver each connection's events strictly in sequence order.
        #[arg(long)]
        ordered: bool,
        /// Concurrent requests per worker (default: webhook.max_concurrency_per_endpoint).
        #[arg(long)]
        max_concurrency: Option<u32>,
        /// Requests per second across all workers (default: unlimited).
        #[arg(long)]
        rate_limit: Option<u32>,
    },
    /// List endpoints.
    List,
    /// Show one endpoint.
    Show { id: EndpointId },
    /// Change an endpoint's URL, event types, ordering or limits.
    Update {
        id: EndpointId,
        #[arg(long)]
        url: Option<String>,
        #[arg(long = "event-type")]
        event_types: Vec<String>,
        #[arg(long)]
        ordered: Option<bool>,
        #[arg(long)]
        max_concurrency: Option<u32>,
        #[arg(long)]
        rate_limit: Option<u32>,
    },
    /// Enable an endpoint again (after a 410, continuous failures, or a disable).
    Enable { id: EndpointId },
    /// Stop delivering to an endpoint.
    Disable {
        id: EndpointId,
        #[arg(long, default_value = "disabled by an operator")]
        reason: String,
    },
    /// Show the signing secrets (current, and previous ones still signing).
    Secret { id: EndpointId },
    /// Rotate the signing secret; the previous one keeps signing for the overlap.
    RotateSecret {
        id: EndpointId,
        /// Hours the previous secret keeps signing (default: webhook.secret_rotation_overlap_hours).
        #[arg(long)]
        overlap_hours: Option<u32>,
    },
    /// Send a sample `webhook.test` event now and show the result.
    Test { id: EndpointId },
    /// List an endpoint's deliveries, newest first.
    Deliveries {
        id: EndpointId,
        /// pending, retrying, succeeded or failed.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Show one delivery with its payload and every attempt.
    Delivery { id: DeliveryId },
    /// Send one delivery again.
    Replay { id: DeliveryId },
    /// Queue every failed delivery of the endpoint since a time (RFC 3339) for another attempt.
    Recover {
        id: EndpointId,
        #[arg(long)]
        since: chrono::DateTime<chrono::Utc>,
    },
}

pub async fn run(cmd: EndpointCmd, config: Config, json: bool) -> anyhow::Result<()> {
    let svc = services(config).await?;
    match cmd {
        EndpointCmd::Create {
            url,
            event_types,
            tenant,
            description,
            ordered,
            max_concurrency,
            rate_limit,
        } => {
            let (endpoint, secret) = svc
                .create_endpoint(NewEndpoint {
                    url,
                    description,
                    event_types,
                    tenant_id: tenant,
                    ordered,
                    max_concurrency,
                    rate_limit_per_sec: rate_limit,
                })
                .await?;
            let mut value = serde_json::to_value(&endpoint)?;
            value["secret"] = json!(secret);
            let note = "Verify deliveries with this secret (any Standard Webhooks library).";
            print(json, &value, Some(note))
        }
        EndpointCmd::List => print(json, &svc.list_endpoints(None).await?, None),
        EndpointCmd::Show { id } => print(json, &svc.get_endpoint(id, None).await?, None),
        EndpointCmd::Update {
            id,
            url,
            event_types,
            ordered,
            max_concurrency,
            rate_limit,
        } => {
            let update = EndpointUpdate {
                url,
                event_types: (!event_types.is_empty()).then_some(event_types),
                ordered,
                max_concurrency: max_concurrency.map(Some),
                rate_limit_per_sec: rate_limit.map(Some),
                ..Default::default()
            };
            print(json, &svc.update_endpoint(id, None, update).await?, None)
        }
        EndpointCmd::Enable { id } => print(json, &svc.enable_endpoint(id, None).await?, None),
        EndpointCmd::Disable { id, reason } => {
            print(json, &svc.disable_endpoint(id, None, &reason).await?, None)
        }
        EndpointCmd::Secret { id } => print(json, &svc.endpoint_secrets(id, None).await?, None),
        EndpointCmd::RotateSecret { id, overlap_hours } => {
            let secret = svc.rotate_endpoint_secret(id, None, overlap_hours).await?;
            let note = "Configure the new secret in your receiver; the previous one keeps \
                        signing until the overlap ends.";
            print(json, &json!({ "secret": secret }), Some(note))
        }
        EndpointCmd::Test { id } => print(json, &svc.send_test_event(id, None).await?, None),
        EndpointCmd::Deliveries { id, status, limit } => {
            let status = match status.as_deref() {
                None => None,
                Some(s) => Some(DeliveryStatus::parse(s).ok_or_else(|| {
                    anyhow::anyhow!("--status must be pending, retrying, succeeded or failed")
                })?),
            };
            let page = svc.list_deliveries(id, None, status, None, limit).await?;
            print(json, &page, None)
        }
        EndpointCmd::Delivery { id } => print(json, &svc.get_delivery(id, None).await?, None),
        EndpointCmd::Replay { id } => print(json, &svc.replay_delivery(id, None).await?, None),
        EndpointCmd::Recover { id, since } => {
            let queued = svc.recover_deliveries(id, None, since).await?;
            print(json, &json!({ "queued": queued }), None)
        }
    }
}
