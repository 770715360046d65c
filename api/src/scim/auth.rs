//! `ScimAuth`: the bearer token of a SCIM request, resolved to the one connection it may see.

use super::error::ScimApiError;
use crate::ApiState;
use crate::bearer::bearer;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use roster_domain::ids::{ConnectionCtx, ConnectionId};
use roster_scim::ScimError;
use std::future::Future;
use std::pin::Pin;

/// Every SCIM handler takes this first; it cannot be built without a valid token whose
/// connection is the one in the path.
pub struct ScimAuth(pub ConnectionCtx);

impl FromRequest for ScimAuth {
    type Error = ScimApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<ApiState>>().cloned();
        let token = bearer(req);
        let connection = req
            .match_info()
            .get("connection_id")
            .and_then(|id| id.parse::<ConnectionId>().ok());
        Box::pin(async move {
            let state = state.expect("ApiState is registered");
            let token = token.ok_or_else(|| {
                ScimError::unauthorized("a bearer token is required (Authorization: Bearer …)")
            })?;
            let connection =
                connection.ok_or_else(|| ScimError::unauthorized("invalid bearer token"))?;
            let ctx = state.svc.authenticate_scim(connection, &token).await?;
            Ok(ScimAuth(ctx))
        })
    }
}
