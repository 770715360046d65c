//! Configuration: defaults → optional TOML file → `ROSTER_*` environment variables.
//!
//! Nested settings use a double underscore in the environment (`ROSTER_WEBHOOK__TIMEOUT_MS`).
//! With nothing configured Roster runs embedded: SQLite in `data_dir`, the in-process event bus
//! and an in-memory cache. Setting `database_url`, `amqp_url` and `redis_url` switches each
//! concern to Postgres, RabbitMQ and Redis.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: String,
    /// Public base URL (SCIM base URLs, `meta.location`). Default: `http://{listen}`.
    pub public_url: Option<String>,
    /// Where the embedded default keeps its SQLite file.
    pub data_dir: PathBuf,
    /// `postgres://…` or `sqlite://…`. Default: SQLite in `data_dir`.
    pub database_url: Option<String>,
    pub database_max_connections: u32,
    /// `amqp://…`: use RabbitMQ. Unset: the in-process event bus.
    pub amqp_url: Option<String>,
    /// Prefix of every exchange and queue name (one deployment, or one test, per prefix).
    pub queue_prefix: String,
    /// `redis://…`: use Redis for the cache and rate limits. Unset: in memory.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key.
    pub cache_prefix: String,
    /// The built admin UI served at `/admin`.
    pub admin_dir: PathBuf,
    /// Browser origins allowed to call the APIs cross-origin (CORS). Empty: none.
    pub cors_allowed_origins: Vec<String>,
    /// Reverse proxies / load balancers in front of Roster. A request from one of these
    /// networks is attributed to the address it names in `X-Forwarded-For` (for login
    /// throttling and the audit log); from anywhere else the header is ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `text` or `json`.
    pub log_format: String,
    /// A tracing filter, e.g. `info` or `roster=debug,info`.
    pub log_level: String,
    pub relay: RelayConfig,
    pub webhook: WebhookConfig,
    pub scim: ScimConfig,
    pub events: EventsConfig,
    pub auth: AuthConfig,
    pub limits: LimitsConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RelayConfig {
    /// How often the relay looks for unpublished events when no commit woke it.
    pub poll_interval_ms: u64,
    /// Events published per batch.
    pub batch_size: u64,
    /// After a commit wakes it, how long the relay waits for more before publishing: under a
    /// steady write load the commits of that moment share one pass (a handful of statements
    /// and one broker publish) instead of each paying for its own. Adds at most this much to
    /// a webhook's latency; 0 publishes at once.
    pub linger_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    pub connect_timeout_ms: u64,
    /// Total time allowed for one attempt, response included.
    pub timeout_ms: u64,
    /// Response bytes kept with an attempt.
    pub max_response_bytes: usize,
    /// Deliveries in flight per worker process.
    pub max_in_flight: usize,
    /// Seconds to wait before each retry after a failed attempt (the first attempt is
    /// immediate); after the last one the delivery is failed and kept for replay.
    pub retry_schedule_secs: Vec<u64>,
    /// Longest `Retry-After` honoured, in seconds (a longer one is capped).
    pub max_retry_after_secs: u64,
    /// Networks webhook targets may be in although they are private or loopback (CIDR, e.g.
    /// `127.0.0.1/32` for a local receiver). Empty: only public addresses.
    pub allowed_networks: Vec<ipnet::IpNet>,
    /// Concurrent requests to one endpoint per worker process, unless the endpoint sets its own;
    /// deliveries beyond it wait in the database, so a slow endpoint cannot starve the others.
    pub max_concurrency_per_endpoint: u32,
    /// An endpoint whose attempts have all failed for this many hours is disabled (0: never).
    pub disable_after_failing_hours: u32,
    /// Hours the previous secret keeps signing after a rotation (receivers switch meanwhile).
    pub secret_rotation_overlap_hours: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScimConfig {
    /// Largest accepted request body (advertised in `/ServiceProviderConfig`).
    pub max_body_bytes: usize,
    /// How long an authenticated token stays cached before it is looked up again.
    pub token_cache_secs: u64,
    /// The most resources one list response returns (`count` is capped to it).
    pub max_page_size: u64,
    /// Days the SCIM request log keeps an entry.
    pub request_log_retention_days: u32,
    /// Most resources a filter that SQL cannot express may evaluate row by row (beyond:
    /// 400 tooMany).
    pub max_filter_scan: u64,
    /// Most operations in one `/Bulk` request (advertised; 413 beyond).
    pub bulk_max_operations: usize,
    /// Largest `/Bulk` request body (advertised; 413 beyond).
    pub bulk_max_payload_bytes: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventsConfig {
    /// Days an event stays readable through the Events API. Older events are deleted by the
    /// worker once published and with no delivery still pending or retrying.
    pub retention_days: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Requests per second one SCIM token may make, counted across every api instance
    /// (0: unlimited). Over it: 429 with a SCIM error body and `Retry-After`. High by default:
    /// an initial sync of 100k users is ~200k requests and should take under a minute; the
    /// limit is there to stop a runaway client, not to pace an IdP.
    pub scim_requests_per_sec: u32,
    /// Requests per second one API key may make to the management API (0: unlimited).
    pub api_requests_per_sec: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            scim_requests_per_sec: 5000,
            api_requests_per_sec: 100,
        }
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// HMAC key (HS256) that signs session tokens, at least 32 characters. Unset: one is
    /// generated at first start and kept in the database (shared by every instance).
    pub jwt_signing_key: Option<String>,
    /// Former signing keys that still verify (never sign) after a rotation: keep one here for
    /// at least `access_token_ttl_secs`, then remove it.
    pub jwt_previous_keys: Vec<String>,
    /// Lifetime of a session's access token (a JWT).
    pub access_token_ttl_secs: u64,
    /// Lifetime of a session: its refresh token rotates on each use until then.
    pub session_ttl_hours: u64,
    /// Failed logins per account, and per client address, within `login_window_secs`
    /// before further attempts get 429.
    pub login_failures_per_account: u32,
    pub login_failures_per_ip: u32,
    pub login_window_secs: u64,
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field(
                "jwt_signing_key",
                &self.jwt_signing_key.as_ref().map(|_| "<redacted>"),
            )
            .field("jwt_previous_keys", &self.jwt_previous_keys.len())
            .field("access_token_ttl_secs", &self.access_token_ttl_secs)
            .field("session_ttl_hours", &self.session_ttl_hours)
            .finish_non_exhaustive()
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            jwt_signing_key: None,
            jwt_previous_keys: Vec::new(),
            access_token_ttl_secs: 900,
            session_ttl_hours: 720,
            login_failures_per_account: 5,
            login_failures_per_ip: 20,
            login_window_secs: 900,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            data_dir: PathBuf::from("data"),
            database_url: None,
            database_max_connections: 16,
            amqp_url: None,
            queue_prefix: "roster".into(),
            redis_url: None,
            cache_prefix: "roster".into(),
            admin_dir: PathBuf::from("web-admin/dist"),
            cors_allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            log_format: "text".into(),
            log_level: "info".into(),
            relay: RelayConfig::default(),
            webhook: WebhookConfig::default(),
            scim: ScimConfig::default(),
            events: EventsConfig::default(),
            auth: AuthConfig::default(),
            limits: LimitsConfig::default(),
        }
    }
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            poll_interval_ms: 1000,
            batch_size: 200,
            linger_ms: 2,
        }
    }
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            connect_timeout_ms: 5_000,
            timeout_ms: 15_000,
            max_response_bytes: 4096,
            max_in_flight: 64,
            retry_schedule_secs: vec![5, 300, 1800, 7200, 18_000, 36_000, 36_000],
            max_retry_after_secs: 3600,
            allowed_networks: Vec::new(),
            max_concurrency_per_endpoint: 16,
            disable_after_failing_hours: 120,
            secret_rotation_overlap_hours: 24,
        }
    }
}

impl Default for ScimConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            token_cache_secs: 30,
            max_page_size: 1000,
            request_log_retention_days: 14,
            max_filter_scan: 20_000,
            bulk_max_operations: 1000,
            bulk_max_payload_bytes: 4 * 1024 * 1024,
        }
    }
}

impl Default for EventsConfig {
    fn default() -> Self {
        Self { retention_days: 30 }
    }
}

/// A configuration error naming the setting at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.setting.is_empty() {
            return write!(f, "invalid configuration: {}", self.message);
        }
        let env = format!("ROSTER_{}", self.setting.to_uppercase().replace('.', "__"));
        write!(
            f,
            "invalid configuration: `{}` (environment {env}): {}",
            self.setting, self.message
        )
    }
}

impl std::error::Error for ConfigError {}

fn invalid(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.into(),
        message: message.into(),
    }
}

/// Which database a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Postgres,
    Sqlite,
}

impl Config {
    /// Loads defaults, then `file` (if given; it must exist), then the `ROSTER_*` environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(invalid(
                    "",
                    format!("config file {} does not exist", path.display()),
                ));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let env = Env::prefixed("ROSTER_")
            .split("__")
            .filter(|key| !is_command_variable(key.as_str()));
        let config: Config = figment.merge(env).extract().map_err(|err| {
            let message = match &err.kind {
                figment::error::Kind::UnknownField(..) => {
                    "is not a known setting (see roster.example.toml)".to_string()
                }
                kind => kind.to_string(),
            };
            invalid(&err.path.join("."), message)
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks every setting; the first problem is reported with the setting's name.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.listen.parse::<SocketAddr>().map_err(|_| {
            invalid(
                "listen",
                format!("`{}` is not an address like 127.0.0.1:8080", self.listen),
            )
        })?;
        if let Some(url) = &self.public_url {
            let parsed = url::Url::parse(url)
                .map_err(|e| invalid("public_url", format!("not a URL: {e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(invalid("public_url", "must be an http:// or https:// URL"));
            }
        }
        if let Some(url) = &self.database_url {
            database_kind(url)?;
        }
        check_scheme("amqp_url", self.amqp_url.as_deref(), &["amqp", "amqps"])?;
        check_scheme("redis_url", self.redis_url.as_deref(), &["redis", "rediss"])?;
        for origin in &self.cors_allowed_origins {
            let parsed = url::Url::parse(origin).map_err(|e| {
                invalid(
                    "cors_allowed_origins",
                    format!("`{origin}` is not an origin: {e}"),
                )
            })?;
            if parsed.origin().ascii_serialization() != origin.trim_end_matches('/') {
                return Err(invalid(
                    "cors_allowed_origins",
                    format!("`{origin}` must be an origin like https://app.example.com (no path)"),
                ));
            }
        }
        check_name("queue_prefix", &self.queue_prefix)?;
        check_name("cache_prefix", &self.cache_prefix)?;
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err(invalid("log_format", "must be `text` or `json`"));
        }
        if self.database_max_connections == 0 {
            return Err(invalid("database_max_connections", "must be at least 1"));
        }
        if self.relay.poll_interval_ms == 0 || self.relay.batch_size == 0 {
            return Err(invalid(
                "relay",
                "poll_interval_ms and batch_size must be > 0",
            ));
        }
        if self.webhook.timeout_ms == 0
            || self.webhook.max_in_flight == 0
            || self.webhook.max_concurrency_per_endpoint == 0
        {
            return Err(invalid(
                "webhook",
                "timeout_ms, max_in_flight and max_concurrency_per_endpoint must be > 0",
            ));
        }
        if self.scim.max_page_size == 0 || self.scim.max_page_size > 10_000 {
            return Err(invalid("scim.max_page_size", "must be between 1 and 10000"));
        }
        if self.scim.request_log_retention_days == 0 {
            return Err(invalid(
                "scim.request_log_retention_days",
                "must be at least 1",
            ));
        }
        if self.scim.max_body_bytes < 1024 {
            return Err(invalid("scim.max_body_bytes", "must be at least 1024"));
        }
        let keys = self.auth.jwt_signing_key.iter();
        if keys
            .chain(&self.auth.jwt_previous_keys)
            .any(|k| k.len() < 32)
        {
            return Err(invalid(
                "auth.jwt_signing_key",
                "session signing keys must be at least 32 characters",
            ));
        }
        if !(30..=86_400).contains(&self.auth.access_token_ttl_secs) {
            return Err(invalid(
                "auth.access_token_ttl_secs",
                "must be between 30 and 86400",
            ));
        }
        if self.auth.session_ttl_hours == 0
            || self.auth.login_failures_per_account == 0
            || self.auth.login_failures_per_ip == 0
            || self.auth.login_window_secs == 0
        {
            return Err(invalid(
                "auth",
                "session_ttl_hours, login_failures_per_account, login_failures_per_ip and \
                 login_window_secs must be > 0",
            ));
        }
        if !(1..=3650).contains(&self.events.retention_days) {
            return Err(invalid(
                "events.retention_days",
                "must be between 1 and 3650",
            ));
        }
        Ok(())
    }

    /// The database URL in effect (the embedded SQLite file when none is set).
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("roster.sqlite").display()
            ),
        }
    }

    pub fn database_kind(&self) -> DatabaseKind {
        database_kind(&self.database_url()).unwrap_or(DatabaseKind::Sqlite)
    }

    /// The base URL clients reach this deployment at, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }

    /// One line per setting, for start-up logs: passwords in URLs are masked.
    pub fn redacted_summary(&self) -> String {
        format!(
            "listen={} database={} event_bus={} cache={} queue_prefix={} admin_dir={}",
            self.listen,
            redact_url(&self.database_url()),
            self.amqp_url
                .as_deref()
                .map(redact_url)
                .unwrap_or_else(|| "in-process".into()),
            self.redis_url
                .as_deref()
                .map(redact_url)
                .unwrap_or_else(|| "memory".into()),
            self.queue_prefix,
            self.admin_dir.display(),
        )
    }
}

/// `ROSTER_*` variables read by commands rather than settings: the config file's path, the
/// CLI's secret inputs, and the test suite's switches. Any other unknown `ROSTER_*` variable is
/// reported (a typo would otherwise be silently ignored).
const COMMAND_VARIABLES: &[&str] = &["config", "account_password", "webhook_secret"];

fn is_command_variable(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    COMMAND_VARIABLES.contains(&key.as_str()) || key.starts_with("test_")
}

fn database_kind(url: &str) -> Result<DatabaseKind, ConfigError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(DatabaseKind::Postgres)
    } else if url.starts_with("sqlite:") {
        Ok(DatabaseKind::Sqlite)
    } else {
        Err(invalid(
            "database_url",
            "must start with postgres:// or sqlite: (leave unset for the embedded SQLite file)",
        ))
    }
}

fn check_scheme(setting: &str, url: Option<&str>, schemes: &[&str]) -> Result<(), ConfigError> {
    let Some(url) = url else { return Ok(()) };
    let parsed = url::Url::parse(url).map_err(|e| invalid(setting, format!("not a URL: {e}")))?;
    if !schemes.contains(&parsed.scheme()) {
        return Err(invalid(
            setting,
            format!("must use one of the schemes {}", schemes.join(", ")),
        ));
    }
    Ok(())
}

fn check_name(setting: &str, value: &str) -> Result<(), ConfigError> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            setting,
            "must be 1-64 characters of letters, digits, '-', '_' or '.'",
        ))
    }
}

/// Masks the password of a URL (`postgres://u:***@host/db`).
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        Ok(_) => raw.to_string(),
        Err(_) => "<unparseable url>".into(),
    }
}

#[cfg(test)]
// figment's `Jail` closures return figment's own (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_are_the_embedded_mode() {
        Jail::expect_with(|_| {
            let c = Config::load(None).unwrap();
            assert_eq!(c.database_kind(), DatabaseKind::Sqlite);
            assert!(c.database_url().ends_with("roster.sqlite?mode=rwc"));
            assert!(c.amqp_url.is_none() && c.redis_url.is_none());
            assert_eq!(c.public_url(), "http://127.0.0.1:8080");
            Ok(())
        });
    }

    #[test]
    fn file_then_environment_override_defaults() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "roster.toml",
                "listen = \"0.0.0.0:9000\"\nqueue_prefix = \"file\"\n[webhook]\ntimeout_ms = 1000\n",
            )?;
            jail.set_env("ROSTER_QUEUE_PREFIX", "env");
            jail.set_env("ROSTER_WEBHOOK__MAX_IN_FLIGHT", "7");
            jail.set_env("ROSTER_EVENTS__RETENTION_DAYS", "90");
            jail.set_env("ROSTER_DATABASE_URL", "postgres://u:pw@localhost/db");
            jail.set_env("ROSTER_WEBHOOK_SECRET", "whsec_x");
            jail.set_env("ROSTER_TEST_BACKEND", "services");
            jail.set_env("ROSTER_CONFIG", "ignored.toml");
            let c = Config::load(Some(Path::new("roster.toml"))).unwrap();
            assert_eq!(c.listen, "0.0.0.0:9000");
            assert_eq!(c.queue_prefix, "env");
            assert_eq!(c.webhook.timeout_ms, 1000);
            assert_eq!(c.webhook.max_in_flight, 7);
            assert_eq!(c.events.retention_days, 90);
            assert_eq!(c.database_kind(), DatabaseKind::Postgres);
            assert!(!c.redacted_summary().contains("pw"));
            Ok(())
        });
    }

    #[test]
    fn invalid_settings_are_named() {
        let cases = [
            ("ROSTER_DATABASE_URL", "mysql://x", "database_url"),
            ("ROSTER_AMQP_URL", "http://x", "amqp_url"),
            ("ROSTER_LISTEN", "nowhere", "listen"),
            ("ROSTER_WEBHOOK__TIMEOUT_MS", "soon", "webhook.timeout_ms"),
            ("ROSTER_QUEUE_PREFIX", "a b", "queue_prefix"),
            ("ROSTER_DATABSE_URL", "postgres://x", "databse_url"),
            (
                "ROSTER_EVENTS__RETENTION_DAYS",
                "0",
                "events.retention_days",
            ),
            (
                "ROSTER_EVENTS__RETENTION_DAYS",
                "soon",
                "events.retention_days",
            ),
        ];
        for (var, value, setting) in cases {
            Jail::expect_with(|jail| {
                jail.set_env(var, value);
                let err = Config::load(None).unwrap_err();
                assert_eq!(err.setting, setting, "{var}: {err}");
                assert!(err.to_string().contains(setting));
                Ok(())
            });
        }
    }

    #[test]
    fn the_example_file_is_valid_and_states_the_defaults() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../roster.example.toml");
        Jail::expect_with(|_| {
            let c = Config::load(Some(&example)).unwrap();
            assert_eq!(c.events.retention_days, 30);
            assert_eq!(c.scim.token_cache_secs, 30);
            Ok(())
        });
    }

    #[test]
    fn missing_config_file_is_an_error() {
        Jail::expect_with(|_| {
            let err = Config::load(Some(Path::new("nope.toml"))).unwrap_err();
            assert!(err.to_string().contains("nope.toml"));
            Ok(())
        });
    }
}
