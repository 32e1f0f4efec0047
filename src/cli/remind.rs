//! `sepakat remind [--once] [--as-of DATE] [--flush]`

use crate::config::Config;
use crate::reminders::Reminders;
use crate::store;

#[derive(clap::Args)]
pub struct Args {
    /// Plan and send once, then exit (default: keep running like the server's scheduler)
    #[arg(long)]
    once: bool,
    /// Plan as of this date (YYYY-MM-DD) instead of today in Asia/Jakarta
    #[arg(long, value_parser = super::parse_date)]
    as_of: Option<chrono::NaiveDate>,
    /// Retry every queued message now, ignoring its back-off
    #[arg(long)]
    flush: bool,
}

pub fn run(config: &Config, args: Args) -> anyhow::Result<()> {
    let pool = super::open(config)?;
    let reminders = Reminders::from_config(config).map_err(anyhow::Error::msg)?;
    let mut conn = pool.get()?;
    if args.flush {
        let n = store::outbox::flush(&mut conn, chrono::Utc::now().naive_utc())?;
        println!("{n} pesan dalam antrean dicoba kirim sekarang.");
    }
    if !args.once {
        drop(conn);
        println!(
            "Penjadwal pengingat berjalan ({}); jam harian {}:00 WIB.",
            reminders.mailer.describe(),
            config.remind_hour
        );
        let handle = reminders.spawn_scheduler(
            pool,
            config.remind_hour,
            std::time::Duration::from_secs(30),
            Default::default(),
        );
        return handle
            .join()
            .map_err(|_| anyhow::anyhow!("penjadwal berhenti"));
    }
    let cal = store::holidays::calendar(&mut conn)?;
    let day = args.as_of.unwrap_or_else(crate::today_jakarta);
    let plan = reminders.plan(&mut conn, day, &cal)?;
    let sent = reminders.send_due(&mut conn, day, &cal)?;
    println!(
        "{day}: {} perjanjian diperiksa, {} pesan baru ({} kepada Dinas karena PIHAK KEDUA tanpa alamat surel), \
         {} sudah pernah dijadwalkan, {} tidak dapat dikirim (tanpa alamat sama sekali), {} dikirim setelah alamat ditambahkan; \
         {} terkirim, {} dicoba lagi nanti, {} gagal, {} dibatalkan ({}).",
        plan.agreements, plan.queued, plan.to_office, plan.already_planned, plan.undeliverable, plan.revived,
        sent.sent, sent.retry_later, sent.failed, sent.cancelled, reminders.mailer.describe()
    );
    Ok(())
}
