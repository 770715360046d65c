//! Scenario D: one large group. Members are added with `PATCH add members` in batches of 1,000
//! (as IdPs push a large group), then single-member add/remove PATCHes alternate on the full
//! group, then the whole group is read once.

use crate::client::{Scim, print_errors, run_pool};
use crate::stats::Summary;
use crate::users::okta_group;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::{Value, json};
use std::time::Instant;

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Clone, Serialize)]
pub struct Batch {
    pub members_after: usize,
    pub ms: f64,
    pub response_bytes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupResult {
    pub members: usize,
    pub batch_size: usize,
    /// Batch PATCHes, sent as Okta sends them (no `excludedAttributes`: the answer carries
    /// every member).
    pub batches: Vec<Batch>,
    /// Single-member add/remove alternating, `?excludedAttributes=members`, one at a time.
    pub single: Summary,
    /// The same without `excludedAttributes` (the answer lists every member).
    pub single_full_response: Summary,
    pub single_full_response_bytes: usize,
    pub get_ms: f64,
    pub get_bytes: usize,
    pub get_members: usize,
}

/// `PATCH` body adding `ids` as members, in one operation (as Okta sends it).
pub fn add(ids: &[String]) -> Value {
    let value: Vec<Value> = ids.iter().map(|id| json!({ "value": id })).collect();
    json!({
        "schemas": [PATCH_OP],
        "Operations": [{"op": "add", "path": "members", "value": value}],
    })
}

fn remove(id: &str) -> Value {
    json!({
        "schemas": [PATCH_OP],
        "Operations": [{"op": "remove", "path": format!("members[value eq \"{id}\"]")}],
    })
}

/// Alternating add (even `i`) and remove (odd `i`) of `extra[i / 2]`, sequentially.
async fn singles(scim: &Scim, path: String, extra: Vec<String>) -> (Summary, usize) {
    let client = scim.clone();
    let extra = std::sync::Arc::new(extra);
    let n = extra.len() * 2;
    let run = run_pool(0..n, 1, move |i| {
        let client = client.clone();
        let extra = extra.clone();
        let path = path.clone();
        async move {
            let id = &extra[i / 2];
            let body = if i % 2 == 0 {
                add(std::slice::from_ref(id))
            } else {
                remove(id)
            };
            let reply = client
                .patch(&path, &body)
                .await?
                .expect(200, "PATCH /Groups (single member)")?;
            Ok(reply.bytes)
        }
    })
    .await;
    print_errors("single-member PATCH", &run.errors);
    let bytes = run.outputs.iter().map(|(_, b)| *b).max().unwrap_or(0);
    (run.summary(), bytes)
}

/// `members` users are `ids[..members]`; the single-member PATCHes use users after those.
pub async fn run(
    scim: &Scim,
    ids: &[String],
    members: usize,
    batch_size: usize,
    singles_count: usize,
    full_singles_count: usize,
) -> Result<GroupResult> {
    let members = members.min(ids.len().saturating_sub(singles_count / 2));
    let created = scim
        .post("/Groups", &okta_group(&format!("Bench {members} members")))
        .await?
        .expect(201, "POST /Groups")?;
    let group = created.json["id"]
        .as_str()
        .context("no id in the created group")?
        .to_string();
    let path = format!("/Groups/{group}");
    let mut batches = Vec::new();
    for chunk in ids[..members].chunks(batch_size) {
        let t = Instant::now();
        let reply = scim
            .patch(&path, &add(chunk))
            .await?
            .expect(200, "PATCH /Groups (batch add)")?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let members_after = batches.len() * batch_size + chunk.len();
        eprintln!("   batch to {members_after} members: {ms:.0} ms");
        batches.push(Batch {
            members_after,
            ms,
            response_bytes: reply.bytes,
        });
    }
    let extra: Vec<String> = ids[members..]
        .iter()
        .take(singles_count / 2)
        .cloned()
        .collect();
    let (single, _) = singles(scim, format!("{path}?excludedAttributes=members"), extra).await;
    let extra_full: Vec<String> = ids[members..]
        .iter()
        .take(full_singles_count / 2)
        .cloned()
        .collect();
    let (single_full_response, single_full_response_bytes) =
        singles(scim, path.clone(), extra_full).await;
    let t = Instant::now();
    let reply = scim.get(&path).await?.expect(200, "GET /Groups/{id}")?;
    let get_ms = t.elapsed().as_secs_f64() * 1000.0;
    let get_members = reply.json["members"].as_array().map_or(0, Vec::len);
    if get_members != members {
        bail!("the group has {get_members} members, expected {members}");
    }
    Ok(GroupResult {
        members,
        batch_size,
        batches,
        single,
        single_full_response,
        single_full_response_bytes,
        get_ms,
        get_bytes: reply.bytes,
        get_members,
    })
}
