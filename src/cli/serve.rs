//! `sepakat serve`: the HTTP server, with the reminder scheduler.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use crate::app::{self, Actor};
use crate::config::Config;
use crate::domain::account::{NewPassword, Username};
use crate::domain::catalog::Role;
use crate::reminders::{Reminders, SchedulerHealth};
use crate::store::{self, agreements, DbConnection};

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on
    #[arg(long, env = "SEPAKAT_BIND")]
    bind: Option<String>,
    /// Folder of seed agreements loaded when the database holds none
    #[arg(long, env = "SEPAKAT_SEEDS", default_value = "seeds")]
    seeds: PathBuf,
    /// Do not load seed agreements
    #[arg(long)]
    no_seed: bool,
    /// HTTP worker threads (default: number of cores)
    #[arg(long)]
    workers: Option<usize>,
    /// Do not run the reminder scheduler in this process
    #[arg(long)]
    no_remind: bool,
}

/// The first admin, from SEPAKAT_ADMIN_PASSWORD, when no account exists yet.
fn first_admin(config: &Config, conn: &mut DbConnection) -> anyhow::Result<()> {
    if store::users::count(conn)? > 0 {
        return Ok(());
    }
    let Some(raw) = &config.admin_password else {
        eprintln!("Belum ada akun: setel SEPAKAT_ADMIN_PASSWORD atau jalankan `sepakat user add NAMA --role admin`.");
        return Ok(());
    };
    let password =
        NewPassword::parse(raw).map_err(|e| anyhow::anyhow!("SEPAKAT_ADMIN_PASSWORD: {e}"))?;
    let new = app::users::NewAccount {
        username: Username::parse("admin").map_err(anyhow::Error::msg)?,
        password_hash: crate::auth::password::hash(password.expose())
            .map_err(anyhow::Error::msg)?,
        role: Role::Admin,
        institution_id: None,
    };
    let by = Actor {
        name: "sistem:SEPAKAT_ADMIN_PASSWORD".into(),
        ..Actor::system()
    };
    match app::users::create(conn, &by, &new) {
        Ok(_) => println!("Akun admin pertama dibuat (nama pengguna: admin)."),
        // Another process (`sepakat user add`) made an account meanwhile:
        // the database has its first account, which is all this is for.
        Err(app::AppError::Store(
            store::StoreError::Conflict(_)
            | store::StoreError::Db(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )),
        )) if store::users::count(conn)? > 0 => {}
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// What the first start of a database does: the seed agreements into an
/// empty registry, and the first admin.
fn first_start(config: &Config, args: &Args, conn: &mut DbConnection) -> anyhow::Result<()> {
    let empty = agreements::count(conn, &agreements::ListFilter::default())? == 0;
    if empty && !args.no_seed && args.seeds.is_dir() {
        let seeds = std::slice::from_ref(&args.seeds);
        let imported = super::import::import(conn, seeds, "sistem:seeds", true);
        // The connection returns to the pool and serves requests next.
        store::db::end_bulk_session(conn)?;
        let (ok, failed) = imported?;
        println!(
            "Basis data kosong: {ok} perjanjian contoh dimuat dari {}{}",
            args.seeds.display(),
            if failed > 0 {
                format!(" ({failed} gagal)")
            } else {
                String::new()
            }
        );
    }
    first_admin(config, conn)
}

pub fn run(mut config: Config, args: Args) -> anyhow::Result<()> {
    let pool = super::open(&config)?;
    let mut conn = pool.get()?;
    // Several instances may start together on a new database: the check
    // and the load happen under the startup lock, so one of them loads the
    // seeds and creates the admin, and the others find both done.
    store::db::exclusively(&mut conn, |c| Ok(first_start(&config, &args, c)))??;
    if let Err(e) = store::db::refresh_statistics(&mut conn) {
        tracing::warn!(error = %e, "planner statistics not refreshed");
    }
    drop(conn);
    let bind = args.bind.unwrap_or(config.bind.clone());
    // What links in e-mails fall back to is where this server listens.
    config.bind = bind.clone();
    let listener =
        TcpListener::bind(&bind).with_context(|| format!("tidak dapat membuka {bind}"))?;
    let workers = args.workers.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let keys = crate::auth::Keys::load(config.jwt_secret.as_deref(), &config.secret_file)
        .map_err(anyhow::Error::msg)?;
    let scheduler = Arc::new(SchedulerHealth::default());
    let state = crate::http::AppState::new(pool, config.max_body)?
        .with_documents(config.templates_dir.as_deref(), config.max_term_months)
        .map_err(anyhow::Error::msg)?
        .with_keys(keys)
        .with_cors(config.cors_origins.clone())
        .with_public_url(config.public_url.as_deref())
        .map_err(anyhow::Error::msg)?;
    let letters = crate::reminders::Letters {
        templates: crate::reminders::templates::Templates::load(config.templates_dir.as_deref())
            .map_err(anyhow::Error::msg)?,
        public_url: crate::config::public_url(&config),
    };
    let postman = crate::reminders::Reminders::from_config(&config).map_err(anyhow::Error::msg)?;
    let postman = crate::reminders::Reminders {
        worker: format!("{}-langsung", postman.worker),
        ..postman
    };
    let files = crate::files::FileStore::open(&config.files).map_err(anyhow::Error::msg)?;
    println!(
        "Berkas bukti: {} (paling besar {} MB per berkas).",
        files.describe(),
        config.max_upload.div_ceil(1024 * 1024)
    );
    if config.public_url.is_none() {
        println!(
            "SEPAKAT_PUBLIC_URL belum diatur: tautan dalam e-mail memakai {}.",
            letters.public_url
        );
    }
    let state = state
        .with_mail(letters, Some(Arc::new(postman)))
        .with_files(files, config.max_upload);
    println!(
        "Sepakat berjalan di http://{bind}  (basis data: {})",
        store::db::DbTarget::parse(&config.database_url).redacted()
    );
    let open_at = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{bind}"));
    println!("Buka {open_at}/ di peramban dan masuk (akun pertama: admin).");
    if !args.no_remind {
        let reminders = Reminders::from_config(&config).map_err(anyhow::Error::msg)?;
        println!(
            "Pengingat: {}, dijadwalkan setiap hari pukul {}:00 WIB.",
            reminders.mailer.describe(),
            config.remind_hour
        );
        reminders.spawn_scheduler(
            state.pool.clone(),
            config.remind_hour,
            std::time::Duration::from_secs(30),
            scheduler.clone(),
        );
    }
    let state = state.with_scheduler((!args.no_remind).then_some(scheduler));
    let server = crate::http::serve(listener, state, workers)?;
    actix_web::rt::System::new().block_on(server)?;
    Ok(())
}
