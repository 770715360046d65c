//! List responses (RFC 7644 §3.4.2).

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListResponse {
    pub schemas: [&'static str; 1],
    pub total_results: u64,
    pub start_index: u64,
    pub items_per_page: u64,
    #[serde(rename = "Resources")]
    pub resources: Vec<Value>,
}

impl ListResponse {
    pub fn new(total_results: u64, start_index: u64, resources: Vec<Value>) -> Self {
        Self {
            schemas: [crate::schemas::LIST_RESPONSE],
            total_results,
            start_index,
            items_per_page: resources.len() as u64,
            resources,
        }
    }
}
