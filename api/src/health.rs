//! `/healthz` (the process answers) and `/readyz` (every backing service answers).

use crate::ApiState;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    status: &'static str,
    version: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct CheckStatus {
    /// `ok` or `error`.
    status: &'static str,
    /// Which implementation backs this concern (`postgres`, `sqlite`, `rabbitmq`, …).
    backend: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ok` when every check passes, otherwise `unavailable`.
    status: &'static str,
    version: &'static str,
    checks: BTreeMap<&'static str, CheckStatus>,
}

/// Liveness: the process is up.
#[utoipa::path(tag = "Health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok",
        version: VERSION,
    })
}

/// Readiness: the database, cache and (in a worker process) event bus answer.
#[utoipa::path(tag = "Health", responses(
    (status = 200, body = Readiness, description = "Every check passed"),
    (status = 503, body = Readiness, description = "At least one check failed"),
))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<ApiState>) -> HttpResponse {
    let results = futures_util::future::join_all(state.checks.iter().map(|c| async move {
        let result = tokio::time::timeout(std::time::Duration::from_secs(3), c.check())
            .await
            .unwrap_or_else(|_| Err("timed out after 3 s".into()));
        (c.name(), c.backend(), result)
    }))
    .await;
    let mut checks = BTreeMap::new();
    for (name, backend, result) in results {
        checks.insert(
            name,
            CheckStatus {
                status: if result.is_ok() { "ok" } else { "error" },
                backend,
                error: result.err(),
            },
        );
    }
    let ready = checks.values().all(|c| c.status == "ok");
    let body = Readiness {
        status: if ready { "ok" } else { "unavailable" },
        version: VERSION,
        checks,
    };
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
