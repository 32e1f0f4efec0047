//! Configuration from the environment (and CLI flags that override it).

pub const DEFAULT_DATABASE: &str = "sepakat.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Five years: the longest PKS term the consistency check accepts unless configured.
pub const DEFAULT_MAX_TERM_MONTHS: u32 = 60;

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    /// Database connections; unset: [`Config::pool_size`] picks by backend.
    pub pool_size: Option<u32>,
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// lettre SMTP URL; unset writes .eml files into `outbox_dir`.
    pub smtp_url: Option<String>,
    pub outbox_dir: std::path::PathBuf,
    pub mail_from: String,
    /// Hour (Asia/Jakarta) of the daily reminder run.
    pub remind_hour: u32,
    /// A folder whose `email/` and `documents/` templates replace the built-in ones.
    pub templates_dir: Option<std::path::PathBuf>,
    /// Longest PKS term in months before `check` warns.
    pub max_term_months: u32,
    /// Creates the first admin on a database without users.
    pub admin_password: Option<String>,
    /// Token signing secret; else read from (or created in) `secret_file`.
    pub jwt_secret: Option<String>,
    pub secret_file: std::path::PathBuf,
    /// Browser origins allowed to call the API (comma-separated); none by default.
    pub cors_origins: Vec<String>,
    /// Public address used in links (the calendar subscription); unset:
    /// taken from the request.
    pub public_url: Option<String>,
    /// Where evidence files are kept: a folder, or `s3://bucket/prefix`.
    pub files: String,
    /// The largest evidence file taken, in bytes.
    pub max_upload: u64,
}

/// The address links in e-mails start with: `SEPAKAT_PUBLIC_URL`, else the
/// address the server listens on (which `serve` prints, since links to it
/// work only on the machine itself or its network).
pub fn public_url(config: &Config) -> String {
    config
        .public_url
        .as_deref()
        .map(|u| u.trim().trim_end_matches('/').to_string())
        .unwrap_or_else(|| format!("http://{}", config.bind))
}

/// 20 MB: a scanned report of a few dozen pages.
pub const DEFAULT_MAX_UPLOAD: u64 = 20 * 1024 * 1024;

impl Config {
    /// The configured pool size, else one by backend. A request holds its
    /// connection only while it runs, so on SQLite more connections than
    /// twice the cores only add contention (2 cores, GET p99: 12 ms with 4,
    /// 15 ms with 8, 17 ms with 16). A PostgreSQL connection spends much of
    /// its time waiting on round trips, so it pays to have more (2 cores,
    /// GET: 1,047 req/s with 4, 1,235 with 8, 1,313 with 12).
    pub fn pool_size(&self) -> u32 {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
        self.pool_size.unwrap_or(
            match crate::store::db::DbTarget::parse(&self.database_url).backend {
                crate::store::db::Backend::Sqlite => (2 * cores).max(4),
                crate::store::db::Backend::Postgres => (6 * cores).max(12),
            },
        )
    }

    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE.to_string()),
            bind: var("SEPAKAT_BIND").unwrap_or_else(|| DEFAULT_BIND.to_string()),
            pool_size: var("SEPAKAT_POOL_SIZE")
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0),
            max_body: var("SEPAKAT_MAX_BODY")
                .and_then(|v| v.parse().ok())
                .unwrap_or(2 * 1024 * 1024),
            smtp_url: var("SMTP_URL"),
            outbox_dir: var("SEPAKAT_OUTBOX")
                .unwrap_or_else(|| "outbox".into())
                .into(),
            mail_from: var("SEPAKAT_MAIL_FROM")
                .unwrap_or_else(|| "Sepakat <sepakat@localhost>".into()),
            remind_hour: var("SEPAKAT_REMIND_HOUR")
                .and_then(|v| v.parse().ok())
                .filter(|h| *h < 24)
                .unwrap_or(7),
            templates_dir: var("SEPAKAT_TEMPLATES").map(Into::into),
            max_term_months: var("SEPAKAT_MAX_TERM_MONTHS")
                .and_then(|v| v.parse().ok())
                .filter(|m| *m > 0)
                .unwrap_or(DEFAULT_MAX_TERM_MONTHS),
            admin_password: var("SEPAKAT_ADMIN_PASSWORD"),
            jwt_secret: var("SEPAKAT_JWT_SECRET"),
            cors_origins: var("SEPAKAT_CORS_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().to_string())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            public_url: var("SEPAKAT_PUBLIC_URL"),
            secret_file: var("SEPAKAT_SECRET_FILE")
                .unwrap_or_else(|| "sepakat.secret".into())
                .into(),
            files: var("SEPAKAT_FILES").unwrap_or_else(|| "berkas".into()),
            max_upload: var("SEPAKAT_MAX_UPLOAD")
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(DEFAULT_MAX_UPLOAD),
        }
    }
}

/// Secrets stay out of any printed configuration.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field(
                "database_url",
                &crate::store::db::DbTarget::parse(&self.database_url).redacted(),
            )
            .field("bind", &self.bind)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "***"))
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| "***"),
            )
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field("secret_file", &self.secret_file)
            .finish_non_exhaustive()
    }
}
