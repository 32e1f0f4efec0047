//! The obligation engine over a whole registry (issue 3): loading the facts
//! in batches, and running the rules, as of one date.
//!
//!     cargo bench --bench engine                      # bench/out/bench.db (bench/run.sh makes it)
//!     DATABASE_URL=postgres://… cargo bench --bench engine

use std::time::Instant;

use sepakat::domain::obligations::{obligations, Rules};
use sepakat::store::{self, holidays, obligations as facts};

fn main() {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "bench/out/bench.db".into());
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let pool = match store::connect(&url, 1) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("engine bench: {e} (run bench/run.sh first to build bench/out/bench.db)");
            return;
        }
    };
    let mut conn = pool.get().unwrap();
    let cal = holidays::calendar(&mut conn).unwrap();
    let mut runs = vec![];
    for _ in 0..5 {
        let t = Instant::now();
        let mut n_agreements = 0usize;
        let mut n_obligations = 0usize;
        facts::evaluate_each(
            &mut conn,
            None,
            &sepakat::store::access::Visibility::All,
            as_of,
            &cal,
            |e| {
                n_agreements += 1;
                n_obligations += e.obligations.len();
            },
        )
        .unwrap();
        runs.push((t.elapsed().as_secs_f64(), n_agreements, n_obligations));
    }
    // The rules alone, on facts already in memory.
    let all = facts::all_facts(
        &mut conn,
        None,
        &sepakat::store::access::Visibility::All,
        None,
    )
    .unwrap();
    let t = Instant::now();
    let mut n = 0usize;
    for a in &all {
        n += obligations(&a.facts, &cal, as_of, Rules::default()).len();
    }
    let rules_only = t.elapsed().as_secs_f64();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (median, agreements, obls) = runs[runs.len() / 2];
    println!(
        "{{\"bench\":\"engine\",\"agreements\":{agreements},\"obligations\":{obls},\"median_s\":{median:.3},\"best_s\":{:.3},\"rules_only_s\":{rules_only:.3},\"rules_only_obligations\":{n}}}",
        runs[0].0
    );
}
