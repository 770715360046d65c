//! Roster as a real subprocess (`target/release/roster run`), its isolated backing resources,
//! and the operator CLI (`roster --json tenant create …`) run with the same environment.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// PostgreSQL + RabbitMQ + Redis.
    Services,
    /// SQLite + in-process bus + memory cache.
    Embedded,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Services => "services",
            Backend::Embedded => "embedded",
        }
    }
}

/// URLs of the shared services (from the command line).
#[derive(Debug, Clone)]
pub struct ServiceUrls {
    pub postgres_admin: String,
    /// Query string appended to Roster's database URL (`sslmode=disable`), if any.
    pub postgres_params: Option<String>,
    pub amqp: String,
    pub redis: String,
    /// Extra Roster settings (`--set`), applied after the benchmark's own.
    pub settings: Vec<(String, String)>,
}

/// Where one benchmark's Roster keeps its data, and the environment that points at it.
pub struct Deployment {
    pub backend: Backend,
    pub binary: PathBuf,
    pub env: Vec<(String, String)>,
    pub base_url: String,
    /// Services: the bench database and its URL.
    pub database: Option<(String, String)>,
    pub queue_prefix: String,
    /// Scratch directory: SQLite data (embedded) and the server's log.
    pub scratch: PathBuf,
}

/// A free local port (bound, read, released).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

impl Deployment {
    /// `stamp` makes the database name, prefixes and scratch directory unique.
    pub fn new(
        backend: Backend,
        binary: PathBuf,
        urls: &ServiceUrls,
        stamp: &str,
    ) -> Result<Deployment> {
        let port = free_port()?;
        let listen = format!("127.0.0.1:{port}");
        let scratch = std::env::temp_dir().join(format!("roster-bench-{stamp}"));
        std::fs::create_dir_all(&scratch)
            .with_context(|| format!("creating {}", scratch.display()))?;
        let prefix = format!("rbench{stamp}");
        let mut env = vec![
            ("ROSTER_LISTEN".to_string(), listen.clone()),
            ("ROSTER_LOG_LEVEL".into(), "warn".into()),
            // The load generator is one client per connection at rates far above what a
            // production IdP sends: measure Roster, not its per-token request limit.
            ("ROSTER_LIMITS__SCIM_REQUESTS_PER_SEC".into(), "0".into()),
        ];
        let mut database = None;
        match backend {
            Backend::Services => {
                let name = format!("roster_bench_{stamp}");
                let base = urls
                    .postgres_admin
                    .rsplit_once('/')
                    .context("--postgres-url must end with /<database>")?
                    .0;
                let url = match &urls.postgres_params {
                    Some(params) => format!("{base}/{name}?{params}"),
                    None => format!("{base}/{name}"),
                };
                env.push(("ROSTER_DATABASE_URL".into(), url.clone()));
                env.push(("ROSTER_AMQP_URL".into(), urls.amqp.clone()));
                env.push(("ROSTER_REDIS_URL".into(), urls.redis.clone()));
                env.push(("ROSTER_QUEUE_PREFIX".into(), prefix.clone()));
                env.push(("ROSTER_CACHE_PREFIX".into(), prefix.clone()));
                database = Some((name, url));
            }
            Backend::Embedded => {
                let data = scratch.join("data");
                env.push(("ROSTER_DATA_DIR".into(), data.display().to_string()));
            }
        }
        env.extend(urls.settings.iter().cloned());
        Ok(Deployment {
            backend,
            binary,
            env,
            base_url: format!("http://{listen}"),
            database,
            queue_prefix: prefix,
            scratch,
        })
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.binary);
        // Only the benchmark's settings: no ROSTER_* from the caller's shell.
        for (key, _) in std::env::vars() {
            if key.starts_with("ROSTER_") {
                cmd.env_remove(key);
            }
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Runs the operator CLI with `--json` and returns its output.
    pub fn cli(&self, args: &[&str]) -> Result<Value> {
        let out = self
            .command()
            .arg("--json")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running roster {}", args.join(" ")))?;
        if !out.status.success() {
            bail!(
                "roster {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        serde_json::from_slice(&out.stdout)
            .with_context(|| format!("the JSON output of roster {}", args.join(" ")))
    }

    /// A tenant, an Okta connection and a token: `(connection id, SCIM base URL, token)`.
    pub fn provision(&self, tenant_name: &str) -> Result<(String, String, String)> {
        let tenant_id = self.tenant(tenant_name)?;
        self.connection(&tenant_id)
    }

    /// A new tenant; returns its id.
    pub fn tenant(&self, name: &str) -> Result<String> {
        cli_field(&self.cli(&["tenant", "create", "--name", name])?, "id")
    }

    /// An Okta connection of `tenant_id` and a token: `(connection id, SCIM base URL, token)`.
    pub fn connection(&self, tenant_id: &str) -> Result<(String, String, String)> {
        let conn = self.cli(&[
            "connection",
            "create",
            "--tenant",
            tenant_id,
            "--provider",
            "okta",
        ])?;
        let conn_id = cli_field(&conn, "id")?;
        let token = self.cli(&["token", "issue", "--connection", &conn_id])?;
        Ok((
            conn_id,
            cli_field(&token, "scim_base_url")?,
            cli_field(&token, "token")?,
        ))
    }

    /// Starts `roster run` and waits until `/readyz` answers 200.
    pub async fn start(&self, http: &reqwest::Client) -> Result<Roster> {
        self.start_role(http, "run").await
    }

    /// Starts `roster <role>` (`run`, or `serve` for the api alone) and waits until `/readyz`
    /// answers 200.
    pub async fn start_role(&self, http: &reqwest::Client, role: &str) -> Result<Roster> {
        let mut roster = self.spawn(role)?;
        roster.wait_ready(http, &self.base_url).await?;
        Ok(roster)
    }

    /// Starts `roster <role>` (`serve` for another api, or `run`) of this deployment listening
    /// on `listen` (`127.0.0.1:<port>`), and waits until it is ready.
    pub async fn start_role_at(
        &self,
        http: &reqwest::Client,
        role: &str,
        listen: &str,
    ) -> Result<Roster> {
        let mut roster = self.spawn_with(role, &[("ROSTER_LISTEN", listen)])?;
        roster.wait_ready(http, &format!("http://{listen}")).await?;
        Ok(roster)
    }

    /// Starts `roster <role>` without waiting (a `worker` serves no HTTP), logging to the
    /// scratch directory's `roster.log`.
    pub fn spawn(&self, role: &str) -> Result<Roster> {
        self.spawn_with(role, &[])
    }

    fn spawn_with(&self, role: &str, env: &[(&str, &str)]) -> Result<Roster> {
        let log_path = self.scratch.join("roster.log");
        let log = File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("opening {}", log_path.display()))?;
        let child = self
            .command()
            .envs(env.iter().copied())
            .arg(role)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {} {role}", self.binary.display()))?;
        Ok(Roster {
            child,
            log: log_path,
            spawned: Instant::now(),
            ready_after: None,
        })
    }

    /// Removes the scratch directory.
    pub fn remove_scratch(&self) {
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// A string field of the CLI's JSON output.
fn cli_field(v: &Value, k: &str) -> Result<String> {
    v[k].as_str()
        .map(str::to_string)
        .with_context(|| format!("`{k}` in the CLI output {v}"))
}

/// A running `roster run`.
pub struct Roster {
    child: Child,
    pub log: PathBuf,
    spawned: Instant,
    /// From the spawn to the first `/readyz` 200 (start-up time; `None` until then).
    pub ready_after: Option<Duration>,
}

impl Roster {
    /// The server's process id (for `/proc/<pid>` figures and `perf`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn wait_ready(&mut self, http: &reqwest::Client, base: &str) -> Result<()> {
        let until = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "roster run exited ({status}) before it was ready; see {}",
                    self.log.display()
                );
            }
            if let Ok(res) = http.get(format!("{base}/readyz")).send().await
                && res.status().as_u16() == 200
            {
                self.ready_after = Some(self.spawned.elapsed());
                return Ok(());
            }
            if Instant::now() > until {
                bail!(
                    "roster was not ready after 90 s; see {}",
                    self.log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// `Some(exit status)` when the server is no longer running.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(err) => Some(format!("unknown ({err})")),
        }
    }

    /// SIGKILL: the process ends at once, whatever it was doing.
    pub fn kill(mut self) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// SIGTERM, then SIGKILL after 20 s.
    pub async fn stop(mut self) -> Result<()> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let until = Instant::now() + Duration::from_secs(20);
        while Instant::now() < until {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

/// `target/release/roster` next to the workspace, built by `cargo build --release -p roster`
/// unless `--no-build`.
pub fn roster_binary(build: bool) -> Result<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the workspace root")?;
    if build {
        eprintln!("== cargo build --release -p roster");
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "-p", "roster"])
            .current_dir(root)
            .status()
            .context("running cargo build --release -p roster")?;
        if !status.success() {
            bail!("cargo build --release -p roster failed");
        }
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let binary = target.join("release").join("roster");
    if !binary.exists() {
        bail!(
            "{} does not exist: run `cargo build --release -p roster` first",
            binary.display()
        );
    }
    Ok(binary)
}

/// `roster --version`.
pub fn roster_version(binary: &Path) -> String {
    Command::new(binary)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}
