//! Readiness checks: each backing service reports whether it answers.

use crate::Services;
use async_trait::async_trait;
use sea_orm::DbBackend;

#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// `database`, `cache`, `event_bus`, …
    fn name(&self) -> &'static str;
    /// `postgres`, `sqlite`, `redis`, `memory`, `rabbitmq`, `in-process`.
    fn backend(&self) -> &'static str;
    async fn check(&self) -> Result<(), String>;
}

pub struct DatabaseCheck(pub Services);

#[async_trait]
impl HealthCheck for DatabaseCheck {
    fn name(&self) -> &'static str {
        "database"
    }
    fn backend(&self) -> &'static str {
        match self.0.db.get_database_backend() {
            DbBackend::Postgres => "postgres",
            DbBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }
    async fn check(&self) -> Result<(), String> {
        self.0.db.ping().await.map_err(|e| e.to_string())
    }
}

pub struct CacheCheck(pub Services);

#[async_trait]
impl HealthCheck for CacheCheck {
    fn name(&self) -> &'static str {
        "cache"
    }
    fn backend(&self) -> &'static str {
        self.0.cache.backend()
    }
    async fn check(&self) -> Result<(), String> {
        self.0.cache.ping().await.map_err(|e| e.to_string())
    }
}
