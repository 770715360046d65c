//! `POST /Bulk` (RFC 7644 §3.7): many operations in one request, each in its own transaction,
//! `bulkId` references resolved (operations wait for the ones they refer to), `failOnErrors`
//! honoured, limits advertised in `/ServiceProviderConfig` (413 beyond them).

use crate::ApiState;
use crate::scim::schema::ScimErrors;
use crate::scim::{ScimApiError, ScimAuth, body, etag};
use actix_web::{HttpRequest, HttpResponse, post, web};
use roster_domain::DomainError;
use roster_domain::ids::{ConnectionCtx, GroupId, UserId};
use roster_scim::bulk::{
    BULK_RESPONSE, BulkMethod, BulkOperation, parse_bulk, resolve, result_entry, schedule,
};
use roster_scim::{ScimError, ScimType, parse_group, parse_user, patch::parse_patch};
use serde_json::{Value, json};
use std::collections::HashMap;

/// What a successful operation produced.
struct Done {
    status: u16,
    id: String,
    location: Option<String>,
    version: Option<String>,
}

/// Run several operations in one request. Each operation commits on its own; the response
/// lists every processed operation with its status.
#[utoipa::path(
    tag = "SCIM Bulk",
    params(("connection_id" = uuid::Uuid, Path, description = "The connection")),
    request_body(content = serde_json::Value, content_type = "application/scim+json"),
    responses(
        (status = 200, description = "BulkResponse: one entry per processed operation", content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[post("/Bulk")]
pub async fn bulk(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ScimApiError> {
    let scim = &state.svc.config.scim;
    let json = body::read_json(&req, payload, scim.bulk_max_payload_bytes).await?;
    let request = parse_bulk(&json, scim.bulk_max_operations)?;
    let ops = &request.operations;
    let (order, stuck) = schedule(ops);
    let mut results: Vec<Option<Value>> = vec![None; ops.len()];
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut errors = 0u64;
    let limit_hit = |errors: u64| request.fail_on_errors.is_some_and(|max| errors >= max);
    for i in order {
        if limit_hit(errors) {
            break;
        }
        let op = resolve(&ops[i], &ids);
        results[i] = Some(match run(&state, &ctx, &op).await {
            Ok(done) => {
                if let Some(bulk_id) = &op.bulk_id {
                    ids.insert(bulk_id.clone(), done.id);
                }
                result_entry(&op, done.status, done.location, done.version, None)
            }
            Err(err) => {
                errors += 1;
                result_entry(&op, err.status, None, None, Some(&err))
            }
        });
    }
    for i in stuck {
        if limit_hit(errors) {
            break;
        }
        errors += 1;
        let err = ScimError::new(
            409,
            Some(ScimType::InvalidValue),
            "a bulkId this operation refers to is unknown, failed, or circular",
        );
        results[i] = Some(result_entry(&ops[i], 409, None, None, Some(&err)));
    }
    let body = json!({
        "schemas": [BULK_RESPONSE],
        "Operations": results.into_iter().flatten().collect::<Vec<_>>(),
    });
    Ok(HttpResponse::Ok()
        .content_type(roster_scim::CONTENT_TYPE)
        .body(body.to_string()))
}

fn invalid_path(path: &str) -> ScimError {
    ScimError::bad_request(
        ScimType::InvalidPath,
        format!("`{path}` is not /Users, /Users/{{id}}, /Groups or /Groups/{{id}}"),
    )
}

/// Runs one operation against the services, exactly as the single-resource endpoints do.
async fn run(state: &ApiState, ctx: &ConnectionCtx, op: &BulkOperation) -> Result<Done, ScimError> {
    let svc = &state.svc;
    let base = svc.scim_base_url(ctx.connection_id);
    let expected = match op.version.as_deref().and_then(etag::parse_tags) {
        Some(Ok(list)) => Some(list),
        Some(Err(())) => {
            return Err(ScimError::new(
                412,
                None,
                "version is not a version of this resource",
            ));
        }
        None => None,
    };
    let expected = expected.as_deref();
    let mut parts = op.path.trim_matches('/').splitn(2, '/');
    let (kind, id) = (
        parts.next().unwrap_or_default().to_ascii_lowercase(),
        parts.next(),
    );
    let data = op.data.clone().unwrap_or(Value::Null);
    let domain = |e: DomainError| ScimApiError::from(e).0;
    let user = |m: &roster_domain::entities::scim_user::Model, status| Done {
        status,
        id: m.id.to_string(),
        location: Some(format!("{base}/Users/{}", m.id)),
        version: Some(format!("W/\"{}\"", m.version)),
    };
    let group = |m: &roster_domain::entities::scim_group::Model, status| Done {
        status,
        id: m.id.to_string(),
        location: Some(format!("{base}/Groups/{}", m.id)),
        version: Some(format!("W/\"{}\"", m.version)),
    };
    let user_id = |id: &str| {
        id.parse::<UserId>()
            .map_err(|_| ScimError::not_found("user not found"))
    };
    let group_id = |id: &str| {
        id.parse::<GroupId>()
            .map_err(|_| ScimError::not_found("group not found"))
    };
    match (op.method, kind.as_str(), id) {
        (BulkMethod::Post, "users", None) => {
            let r = svc
                .create_user(ctx, parse_user(&data)?)
                .await
                .map_err(domain)?;
            Ok(user(&r.user, 201))
        }
        (BulkMethod::Put, "users", Some(id)) => {
            let r = svc
                .replace_user(ctx, user_id(id)?, parse_user(&data)?, expected)
                .await
                .map_err(domain)?;
            Ok(user(&r.user, 200))
        }
        (BulkMethod::Patch, "users", Some(id)) => {
            let r = svc
                .patch_user(ctx, user_id(id)?, &parse_patch(&data)?, expected)
                .await
                .map_err(domain)?;
            Ok(user(&r.user, 200))
        }
        (BulkMethod::Delete, "users", Some(id)) => {
            svc.delete_user(ctx, user_id(id)?, expected)
                .await
                .map_err(domain)?;
            Ok(Done {
                status: 204,
                id: id.to_string(),
                location: Some(format!("{base}/Users/{id}")),
                version: None,
            })
        }
        (BulkMethod::Post, "groups", None) => {
            let r = svc
                .create_group(ctx, parse_group(&data)?)
                .await
                .map_err(domain)?;
            Ok(group(&r.group, 201))
        }
        (BulkMethod::Put, "groups", Some(id)) => {
            let r = svc
                .replace_group(ctx, group_id(id)?, parse_group(&data)?, expected, false)
                .await
                .map_err(domain)?;
            Ok(group(&r.group, 200))
        }
        (BulkMethod::Patch, "groups", Some(id)) => {
            let r = svc
                .patch_group(ctx, group_id(id)?, parse_patch(&data)?, expected, false)
                .await
                .map_err(domain)?;
            Ok(group(&r.group, 200))
        }
        (BulkMethod::Delete, "groups", Some(id)) => {
            svc.delete_group(ctx, group_id(id)?, expected)
                .await
                .map_err(domain)?;
            Ok(Done {
                status: 204,
                id: id.to_string(),
                location: Some(format!("{base}/Groups/{id}")),
                version: None,
            })
        }
        _ => Err(invalid_path(&op.path)),
    }
}
