//! Drawing up documents in-process (issue 4): the Purbalingga PKS and its
//! Juknis as PDF, and the PKS as HTML, from the seed, no database.
//!
//!     cargo bench --bench documents                   # RUNS=50 by default
//!     RUNS=200 cargo bench --bench documents
//!
//! Prints one JSON line per scenario (median and p90 of RUNS renders after a
//! warm-up, pages, bytes), one per scenario with the time of each stage
//! (context, template, markup parse, layout, PDF/HTML write), and the peak
//! RSS of the process. Targets: PKS PDF ≤ 30 ms, Juknis PDF ≤ 50 ms median.

use std::time::Instant;

use sepakat::documents::{context, layout, markup, pdf, set_for, Format, Kind, Renderer};
use sepakat::domain::agreement::AgreementDoc;

const SEED: &str = "seeds/pks-purbalingga-dinkopukm-2025.json";
const WARMUP: usize = 5;

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// The value at quantile `q` (nearest rank) of sorted `xs`.
fn quantile(xs: &[f64], q: f64) -> f64 {
    let rank = ((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
    xs[rank - 1]
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    quantile(xs, 0.5)
}

fn vm_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50)
        .max(1);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(root.join(SEED)).expect("the Purbalingga seed");
    let doc: AgreementDoc = serde_json::from_slice(&bytes).expect("the seed parses");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();

    // Renderer::new registers every built-in template: once per process.
    let t = Instant::now();
    let renderer = Renderer::new(None).expect("built-in templates");
    let setup_ms = ms(t);
    // The first render also loads and parses the four embedded font faces.
    let t = Instant::now();
    renderer
        .draw_up(
            &doc,
            Kind::Pks,
            Format::Pdf,
            &sepakat::documents::DrawOptions::new(today),
        )
        .expect("PKS");
    let first_ms = ms(t);
    println!(
        "{{\"scenario\":\"setup\",\"renderer_new_ms\":{setup_ms:.3},\"first_pks_pdf_ms\":{first_ms:.3},\"runs\":{runs}}}"
    );

    let scenarios = [
        ("pks_pdf", Kind::Pks, Format::Pdf, 30.0),
        ("juknis_pdf", Kind::Juknis, Format::Pdf, 50.0),
        ("pks_html", Kind::Pks, Format::Html, f64::NAN),
    ];
    for (name, kind, format, target) in scenarios {
        for _ in 0..WARMUP {
            renderer
                .draw_up(
                    &doc,
                    kind,
                    format,
                    &sepakat::documents::DrawOptions::new(today),
                )
                .unwrap();
        }
        let mut times = Vec::with_capacity(runs);
        let mut out = vec![];
        for _ in 0..runs {
            let t = Instant::now();
            out = renderer
                .draw_up(
                    &doc,
                    kind,
                    format,
                    &sepakat::documents::DrawOptions::new(today),
                )
                .unwrap();
            times.push(ms(t));
        }
        let med = median(&mut times);
        let p90 = quantile(&times, 0.9);
        let pages = match format {
            Format::Pdf => count_pages(&out).to_string(),
            Format::Html => "null".into(),
        };
        let target = if target.is_nan() {
            "null".to_string()
        } else {
            format!("{target:.0},\"met\":{}", med <= target)
        };
        println!(
            "{{\"scenario\":\"{name}\",\"median_ms\":{med:.3},\"p90_ms\":{p90:.3},\"min_ms\":{:.3},\"pages\":{pages},\"bytes\":{},\"runs\":{runs},\"target_median_ms\":{target}}}",
            times[0],
            out.len()
        );
        stages(name, &renderer, &doc, kind, format, today, runs);
    }

    println!(
        "{{\"scenario\":\"memory\",\"peak_rss_kb\":{},\"rss_kb\":{}}}",
        vm_kb("VmHWM:").map_or("null".into(), |v| v.to_string()),
        vm_kb("VmRSS:").map_or("null".into(), |v| v.to_string()),
    );
}

/// The same render cut into its stages, each timed on its own (medians), to
/// see where the time goes.
fn stages(
    name: &str,
    renderer: &Renderer,
    doc: &AgreementDoc,
    kind: Kind,
    format: Format,
    today: chrono::NaiveDate,
    runs: usize,
) {
    let set = set_for(doc, None);
    let ctx = context::build(doc, today).unwrap();
    let text = renderer.markup(set, kind, &ctx).unwrap();
    let model = markup::parse(&text).unwrap();
    let (mut c, mut tpl, mut parse, mut lay, mut write) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(context::build(doc, today).unwrap());
        c.push(ms(t));
        let t = Instant::now();
        std::hint::black_box(renderer.markup(set, kind, &ctx).unwrap());
        tpl.push(ms(t));
        let t = Instant::now();
        std::hint::black_box(markup::parse(&text).unwrap());
        parse.push(ms(t));
        match format {
            Format::Pdf => {
                let t = Instant::now();
                std::hint::black_box(layout::layout(&model));
                lay.push(ms(t));
                // pdf::render lays out again: its own time less the layout's
                // is the writing (printpdf ops, font subsetting, save).
                let t = Instant::now();
                std::hint::black_box(pdf::render(&model));
                write.push(ms(t));
            }
            Format::Html => {
                let t = Instant::now();
                std::hint::black_box(sepakat::documents::html::render(&model, &text).unwrap());
                write.push(ms(t));
            }
        }
    }
    let lay_ms = if lay.is_empty() {
        0.0
    } else {
        median(&mut lay)
    };
    let write_ms = median(&mut write) - lay_ms;
    println!(
        "{{\"scenario\":\"{name}_stages\",\"context_ms\":{:.3},\"template_ms\":{:.3},\"parse_ms\":{:.3},\"layout_ms\":{lay_ms:.3},\"{}_ms\":{write_ms:.3},\"markup_bytes\":{}}}",
        median(&mut c),
        median(&mut tpl),
        median(&mut parse),
        if format == Format::Pdf { "pdf_write" } else { "html_write" },
        text.len()
    );
}

/// Page objects in the file ("/Type /Page", not "/Pages"); printpdf writes
/// them uncompressed.
fn count_pages(pdf: &[u8]) -> usize {
    let mut n = 0;
    for pat in [&b"/Type /Page"[..], &b"/Type/Page"[..]] {
        n += pdf
            .windows(pat.len() + 1)
            .filter(|w| w.starts_with(pat) && w[pat.len()] != b's')
            .count();
    }
    n
}
