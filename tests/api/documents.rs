//! Documents over HTTP and the CLI: every seed in every kind and both
//! formats, the PDF text extracted and its computed clauses asserted, golden
//! HTML for the default set, the consistency check, template overrides.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;

use crate::helpers::{
    example, example_numbered, on_both, read_json, root, seed, seed_files, sepakat, succeeded,
    TestApp,
};

on_both!(
    every_seed_in_every_kind_and_format,
    pks_clauses_are_computed_from_the_data,
    juknis_statements_and_letters_read_right,
    juknis_follows_the_purbalingga_juknis_word_for_word,
    default_set_html_matches_golden_files,
    bad_document_requests_are_refused_clearly,
    consistency_check_finds_what_a_legal_officer_would,
    issuing_office_picks_its_template_set,
);

const AS_OF: &str = "2026-11-25";
const KINDS: [&str; 6] = ["pks", "juknis", "sptjm", "nda", "renewal-letter", "adendum"];

/// Imports every seed; the id of each by its file stem.
async fn load_seeds(app: &TestApp) -> HashMap<String, i64> {
    let mut ids = HashMap::new();
    for f in seed_files() {
        let (status, body) = app.post("/api/v1/agreements", &read_json(&f)).await;
        assert_eq!(status, 201, "{}: {body}", f.display());
        ids.insert(
            f.file_stem().unwrap().to_string_lossy().to_string(),
            body["id"].as_i64().unwrap(),
        );
    }
    ids
}

/// (status, content type, body, content disposition) of a GET as the admin.
async fn fetch(app: &TestApp, path: &str) -> (u16, String, Vec<u8>, String) {
    let r = app.fetch(path).await;
    (r.status, r.content_type, r.body, r.disposition)
}

/// The text of a PDF as `pdftotext` reads it, white space collapsed.
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    collapse(&String::from_utf8(out.stdout).unwrap())
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text as it flows, without what repeats on every page (footer, Paraf
/// boxes, the repeated table header), so a clause split by a page break
/// still reads whole.
fn flowing(text: &str) -> String {
    let mut out = text.replace("No. KRITERIA PETUNJUK ", "");
    for party in ["PIHAK KESATU", "PIHAK KEDUA", "Disdukcapil", "OPD"] {
        out = out.replace(&format!("Paraf {party}: "), "");
    }
    while let Some(start) = out.find("Halaman ") {
        let rest = &out[start..];
        let words: Vec<&str> = rest.splitn(5, ' ').collect();
        if words.len() >= 4
            && words[2] == "dari"
            && words[1].parse::<u32>().is_ok()
            && words[3].parse::<u32>().is_ok()
        {
            let len = words[..4].iter().map(|w| w.len() + 1).sum::<usize>();
            out.replace_range(start..(start + len).min(out.len()), "");
        } else {
            break;
        }
    }
    out
}

/// What `pdfinfo` says of a PDF.
fn pdfinfo(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdfinfo").arg(&path).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn pages(pdf: &[u8]) -> usize {
    pdfinfo(pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().parse().unwrap())
        .unwrap()
}

fn assert_has(text: &str, needle: &str) {
    assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
}

async fn pdf_of(app: &TestApp, id: i64, kind: &str) -> (String, usize) {
    let (status, ct, body, _) = fetch(
        app,
        &format!("/api/v1/agreements/{id}/documents/{kind}.pdf?as_of={AS_OF}"),
    )
    .await;
    assert_eq!(status, 200, "{kind}: {}", String::from_utf8_lossy(&body));
    assert_eq!(ct, "application/pdf");
    (pdf_text(&body), pages(&body))
}

async fn every_seed_in_every_kind_and_format(app: TestApp) {
    let ids = load_seeds(&app).await;
    for (stem, id) in &ids {
        for kind in KINDS {
            for format in ["pdf", "html"] {
                let (status, ct, body, cd) = fetch(
                    &app,
                    &format!("/api/v1/agreements/{id}/documents/{kind}.{format}?as_of={AS_OF}"),
                )
                .await;
                let has_juknis = seed(&format!("{stem}.json")).get("juknis").is_some();
                if kind == "juknis" && !has_juknis {
                    assert_eq!(status, 422, "{stem} has no Juknis");
                    assert!(String::from_utf8_lossy(&body).contains("Juknis"));
                    continue;
                }
                assert_eq!(
                    status,
                    200,
                    "{stem} {kind}.{format}: {}",
                    String::from_utf8_lossy(&body)
                );
                assert!(cd.contains(&format!(".{format}\"")), "file name in {cd}");
                if format == "pdf" {
                    assert!(body.starts_with(b"%PDF-"));
                    let n = pages(&body);
                    let text = pdf_text(&body);
                    assert_has(&text, &format!("Halaman 1 dari {n}"));
                    assert_has(&text, &format!("Halaman {n} dari {n}"));
                } else {
                    assert!(ct.starts_with("text/html"));
                    let html = String::from_utf8(body).unwrap();
                    assert!(html.starts_with("<!DOCTYPE html>"));
                    assert!(!html.contains("{{"), "no template syntax left");
                }
            }
        }
    }
}

async fn pks_clauses_are_computed_from_the_data(app: TestApp) {
    let ids = load_seeds(&app).await;
    let (text, n) = pdf_of(&app, ids["pks-purbalingga-dinkopukm-2025"], "pks").await;
    let text = flowing(&text);
    assert!(n >= 4, "a PKS runs over several pages, got {n}");
    for clause in [
        "NOMOR: 400.12/2432/2025",
        "NOMOR: 518/4180/IX/2025",
        "Pada hari ini Selasa tanggal Enam belas bulan September tahun Dua ribu dua puluh lima, bertempat di Purbalingga",
        "meliputi 8 (delapan) berupa NIK, nama lengkap, jenis kelamin, tempat lahir, tanggal/bulan/tahun lahir, status perkawinan, jenis pekerjaan, dan alamat sekarang kepada PIHAK KEDUA berdasarkan NIK melalui metode web portal dengan kuota 200 (dua ratus) akses per hari",
        "sebagai data balikan",
        "paling lambat 6 (enam) bulan sejak ditandatanganinya perjanjian kerja sama ini",
        "sampai dengan tanggal Enam belas bulan September tahun Dua ribu dua puluh tujuh",
        "paling lambat 2 (dua) bulan sebelum Perjanjian Kerja Sama ini berakhir",
        "bulan Juni untuk semester pertama dan bulan Desember untuk semester kedua",
        "paling lambat 10 (sepuluh) hari kerja",
        "7. Surat persetujuan Direktur Jenderal Kependudukan dan Pencatatan Sipil Kementerian Dalam Negeri Nomor 400.8.1.2/8765/Dukcapil tanggal 25 Juli 2025",
        "bahwa PIHAK KESATU adalah unsur pelaksana Urusan Pemerintahan bidang administrasi kependudukan",
        "Secure Access Module",
        "NIP. 19671007 199303 1 005",
        "NIP. 19670919 199003 1 010",
        "rangkap 2 (dua)",
    ] {
        assert_has(&text, clause);
    }
    // Bandung grants no card reader: none of its clauses appear, and its
    // nine elements are counted in words.
    let (bandung, _) = pdf_of(&app, ids["pks-bandung-dinsos-2023"], "pks").await;
    assert!(
        !bandung.contains("Secure Access Module") && !bandung.contains("pembaca KTP-el"),
        "{bandung}"
    );
    assert_has(&bandung, "meliputi 9 (sembilan) berupa");
    // BKN: two access methods, each with its own count.
    let (bkn, _) = pdf_of(&app, ids["pks-ditjen-dukcapil-bkn-2019"], "pks").await;
    assert_has(&bkn, "10 (sepuluh) berupa");
    assert_has(&bkn, "serta 5 (lima) berupa");
}

async fn juknis_statements_and_letters_read_right(app: TestApp) {
    let ids = load_seeds(&app).await;
    let purbalingga = ids["pks-purbalingga-dinkopukm-2025"];
    let (juknis, n) = pdf_of(&app, purbalingga, "juknis").await;
    let flow = flowing(&juknis);
    for clause in [
        "JUKNIS WEB PORTAL",
        "Nomor : 400.12/2441/2025",
        "KRITERIA",
        "PETUNJUK",
        "IP LAN: 10.10.0.72",
        "Besaran bandwidth yaitu 1 Mbps",
        "bersurat perihal permohonan perubahan bandwidth dengan melampirkan dokumen kajian teknis terhadap perubahan besaran bandwidth;",
        "dapat melakukan perubahan bandwidth kepada Provider.",
        "dengan server Ditjen Dukcapil melalui Dinas Dukcapil Kabupaten Purbalingga sebagaimana terlampir pada lampiran I.",
        "melalui Dinas Dukcapil Kabupaten Purbalingga sebanyak 200 Hit NIK per hari untuk Web Portal; dan",
        "tanpa dibatasi kuota untuk Web Portal, setelah dilakukan Proof of Concept (PoC)",
        "meliputi 8 (delapan) elemen data kependudukan berupa",
        "7. Jenis Pekerjaan; dan 8. Alamat Sekarang (alamat, Nama Provinsi",
        "a) Data Ditemukan, Meninggal Dunia;",
        "e) Data tidak ditemukan, NIK tidak sesuai format Dukcapil.",
        "a) Gagal Login; b) Kuota akses hari ini telah habis; c) Instansi tidak aktif; dan d) User ID non aktif, silahkan menghubungi Admin.",
        "Adapun prosedur untuk perubahan metode akses dan elemen data, sebagai berikut:",
        "akan melakukan Adendum Perjanjian Kerja Sama terkait dengan perubahan tersebut.",
        "paling lambat 6 (enam) bulan setelah PKS ditandatangani",
        "untuk keperluan menunjang verifikasi dan validasi data anggota koperasi",
        "a. NIK; b. Nomor keanggotaan koperasi;",
        "melalui metode Web Service dengan URL: https://172.16.160.189/data_balikan/public",
        "melalui aplikasi SIFILMA pada URL https://sifilma.kemendagri.go.id;",
        "mengacu pada kriteria 3;",
        "Adapun prosedur untuk penonaktifan configuration file kartu Secure Access Module (SAM), sebagai berikut:",
        "mengirimkan kartu SAM beserta BAST ke Dinas Dukcapil Kabupaten Purbalingga.",
        "dan melalui email: dinpendukcapil@purbalinggakab.go.id;",
        "paling lama 10 (sepuluh) hari kerja, baik semester 1 ataupun semester 2;",
        "dapat diperoleh melalui subdit MED.",
        "Dinas Dukcapil Kabupaten Purbalingga: Muhammad Akid Musyafa (087715480689)",
        "ARIS SATRIA",
        "Apabila diperlukan pertemuan teknis lanjutan terkait pemanfaatan data kependudukan",
        "paling lambat 2 (dua) bulan sebelum Perjanjian Kerja Sama berakhir",
        "Adapun prosedur untuk perpanjangan Kerja Sama, sebagai berikut:",
        "menerima draf adendum dari Dinas Dukcapil Kabupaten Purbalingga",
        "ke alamat kantor Jl. Letkol Isdiman No.17A, Purbalingga 53313, Dinas Dukcapil Kabupaten Purbalingga",
        "MENGETAHUI",
        "Purbalingga, 16 September 2025",
        "1. Drs. M. FATHURROHMAN, M.Si",
        "NIP. 19671007 199303 1 005",
        "1. ENDI ASTONO, S.Sos",
    ] {
        assert_has(&flow, clause);
    }
    // The Paraf boxes are on every page, as is the header row.
    assert_eq!(juknis.matches("Paraf Disdukcapil:").count(), n, "{juknis}");
    assert_eq!(juknis.matches("Paraf OPD:").count(), n, "{juknis}");
    assert!(juknis.matches("KRITERIA").count() >= n.min(2));
    // The default set for the other offices' agreements. Bandung grants no
    // card reader: no card-reader row, and the rows after it move up (IV is
    // the report, V the rest).
    let default_juknis = |stem: &str| {
        let path = format!(
            "/api/v1/agreements/{}/documents/juknis.pdf?as_of={AS_OF}&set=default",
            ids[stem]
        );
        let app = &app;
        async move {
            let (status, _, body, _) = fetch(app, &path).await;
            assert_eq!(status, 200, "{path}");
            flowing(&pdf_text(&body))
        }
    };
    let bandung = default_juknis("pks-bandung-dinsos-2023").await;
    assert!(
        !bandung.contains("kartu SAM") && !bandung.contains("SIFILMA"),
        "{bandung}"
    );
    assert_has(&bandung, "IV. Laporan Monitoring");
    assert_has(&bandung, "V. Lain-lain");
    // Karanganyar's quota is written with its thousands separator, and it
    // does not lift after a PoC.
    let karanganyar = default_juknis("pks-karanganyar-disdagnakerkop-2020").await;
    assert_has(
        &karanganyar,
        "sebanyak 1.000 Hit NIK per hari untuk Web Portal.",
    );
    assert!(!karanganyar.contains("setelah dilakukan Proof of Concept"));

    let (sptjm, _) = pdf_of(&app, purbalingga, "sptjm").await;
    assert_has(&sptjm, "SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK");
    assert_has(
        &sptjm,
        "Nomor 400.12/2432/2025 dan Nomor 518/4180/IX/2025 tanggal 16 September 2025",
    );
    assert_has(&sptjm, "ENDI ASTONO, S.Sos");
    assert_has(&sptjm, "Meterai");

    // Bandung has two operators with an NDA: one statement page each.
    let (nda, pages) = pdf_of(&app, ids["pks-bandung-dinsos-2023"], "nda").await;
    let bandung = seed("pks-bandung-dinsos-2023.json");
    let signers: Vec<&str> = bandung["statements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "nda")
        .map(|s| s["signer"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(signers.len(), 2);
    assert!(pages >= 2);
    for s in signers {
        assert_has(&nda, s);
    }
    assert_eq!(nda.matches("NON-DISCLOSURE AGREEMENT").count(), 2);

    // The renewal letter cites the request recorded for Bandung.
    let (letter, _) = pdf_of(&app, ids["pks-bandung-dinsos-2023"], "renewal-letter").await;
    assert_has(&letter, "Permohonan Perpanjangan Perjanjian Kerja Sama");
    assert_has(&letter, "berlaku sampai dengan tanggal 2 Januari 2027");
    // The adendum extends the term by the original term from expiry.
    let (adendum, _) = pdf_of(&app, purbalingga, "adendum").await;
    assert_has(&adendum, "ADENDUM PERJANJIAN KERJA SAMA");
    assert_has(&adendum, "berlaku sampai dengan tanggal Enam belas bulan September tahun Dua ribu dua puluh sembilan");
}

fn golden_dir() -> PathBuf {
    root().join("tests/golden/default")
}

async fn default_set_html_matches_golden_files(app: TestApp) {
    let ids = load_seeds(&app).await;
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    for (stem, id) in &ids {
        for kind in KINDS {
            let (status, _, body, _) = fetch(
                &app,
                &format!("/api/v1/agreements/{id}/documents/{kind}.html?as_of={AS_OF}&set=default"),
            )
            .await;
            let path = golden_dir().join(format!("{stem}-{kind}.html"));
            // A kind the agreement lacks data for (the BKN PKS has no Juknis)
            // has no golden file; any other 422 is a failure, not a skip.
            if status == 422 && !path.exists() {
                continue;
            }
            assert_eq!(
                status,
                200,
                "{stem} {kind}: {}",
                String::from_utf8_lossy(&body)
            );
            if update {
                std::fs::create_dir_all(golden_dir()).unwrap();
                std::fs::write(&path, &body).unwrap();
                continue;
            }
            let golden = std::fs::read(&path).unwrap_or_else(|_| {
                panic!("{} is missing: run with UPDATE_GOLDEN=1", path.display())
            });
            assert!(
                golden == body,
                "{} differs from the golden file; review the change and run with UPDATE_GOLDEN=1",
                path.display()
            );
        }
    }
}

async fn bad_document_requests_are_refused_clearly(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let id = a["id"].as_i64().unwrap();
    for (path, status, needle) in [
        (
            format!("/api/v1/agreements/{id}/documents/kontrak.pdf"),
            404,
            "tidak dikenal",
        ),
        (
            format!("/api/v1/agreements/{id}/documents/pks.docx"),
            404,
            "html atau .pdf",
        ),
        (
            format!("/api/v1/agreements/{id}/documents/pks"),
            404,
            "tidak dikenal",
        ),
        (
            format!("/api/v1/agreements/{id}/documents/pks.pdf?set=../../etc"),
            400,
            "tidak dikenal",
        ),
        (
            format!("/api/v1/agreements/{id}/documents/pks.pdf?set=jakarta"),
            400,
            "jakarta",
        ),
        (
            format!("/api/v1/agreements/{id}/documents/pks.pdf?as_of=2026-13-01"),
            400,
            "as_of",
        ),
        (
            format!("/api/v1/agreements/{}/documents/pks.pdf", id + 1000),
            404,
            "",
        ),
        (
            format!("/api/v1/agreements/{id}/check?as_of=kemarin"),
            400,
            "as_of",
        ),
    ] {
        let (s, ct, body, _) = fetch(&app, &path).await;
        assert_eq!(s, status, "{path}: {}", String::from_utf8_lossy(&body));
        assert_eq!(ct, "application/problem+json", "{path}");
        assert!(String::from_utf8_lossy(&body).contains(needle), "{path}");
    }
    // F4 paper is 215 × 330 mm.
    let (s, _, body, _) = fetch(
        &app,
        &format!("/api/v1/agreements/{id}/documents/pks.pdf?paper=f4"),
    )
    .await;
    assert_eq!(s, 200);
    let info = pdfinfo(&body);
    assert!(info.contains("609.449 x 935.433 pts"), "{info}");
    let (s, _, _, _) = fetch(
        &app,
        &format!("/api/v1/agreements/{id}/documents/pks.pdf?paper=letter"),
    )
    .await;
    assert_eq!(s, 400);
    // A draft prints what is not yet recorded as dots to fill: its signing
    // day and its end date.
    let mut draft = example_numbered("400.12/9999/2026", "518/9999/XI/2026");
    draft.as_object_mut().unwrap().remove("signed_on");
    draft.as_object_mut().unwrap().remove("juknis");
    draft.as_object_mut().unwrap().remove("expires_on");
    let (s, d) = app.post("/api/v1/agreements", &draft).await;
    assert_eq!(s, 201, "{d}");
    let (s, _, body, _) = fetch(
        &app,
        &format!("/api/v1/agreements/{}/documents/pks.pdf", d["id"]),
    )
    .await;
    assert_eq!(s, 200);
    let text = pdf_text(&body);
    assert!(text.contains("Pada hari ini ........"), "{text}");
    assert!(!text.contains("Enam belas bulan September"), "{text}");
    // What even a draft cannot print without, its scope, is named: 422.
    let mut bare = draft.clone();
    bare["access"] = json!([]);
    bare["applications"] = json!([]);
    bare["parties"][0]["number"] = json!("400.12/9998/2026");
    let (s, d) = app.post("/api/v1/agreements", &bare).await;
    assert_eq!(s, 201, "{d}");
    let (s, _, body, _) = fetch(
        &app,
        &format!("/api/v1/agreements/{}/documents/pks.pdf", d["id"]),
    )
    .await;
    assert_eq!(s, 422);
    assert!(String::from_utf8_lossy(&body).contains("ruang lingkup akses"));
}

async fn consistency_check_finds_what_a_legal_officer_would(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let id = a["id"].as_i64().unwrap();
    let (s, r) = app
        .get(&format!("/api/v1/agreements/{id}/check?as_of=2025-10-01"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(r["consistent"], true, "{r}");
    assert_eq!(r["findings"], json!([]));
    // Eight months after signing no ISO 27001 certificate is on record.
    let (_, r) = app
        .get(&format!("/api/v1/agreements/{id}/check?as_of=2026-05-20"))
        .await;
    assert_eq!(r["consistent"], false);
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "iso27001_missing"),
        "{r}"
    );
    // A later agreement signed by a new head of the same agency.
    let mut later = example_numbered("400.12/1111/2026", "518/1111/III/2026");
    later["signed_on"] = json!("2026-03-02");
    later["expires_on"] = json!("2028-03-02");
    later["juknis"]["date"] = json!("2026-03-02");
    later["parties"][1]["signatory"] = json!({"name": "RINI HANDAYANI, S.E.", "position": "Kepala Dinas Koperasi Usaha Kecil dan Menengah Kabupaten Purbalingga", "nip": "197502152000032004"});
    let (s, b) = app.post("/api/v1/agreements", &later).await;
    assert_eq!(s, 201, "{b}");
    let (_, r) = app
        .get(&format!("/api/v1/agreements/{id}/check?as_of=2026-03-10"))
        .await;
    let codes: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"signatory_replaced"), "{r}");
    assert!(codes.contains(&"sptjm_signer_replaced"), "{r}");
    let replaced = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "signatory_replaced")
        .unwrap();
    assert_eq!(replaced["pointer"], "/parties/1/signatory");
    assert!(replaced["message"]
        .as_str()
        .unwrap()
        .contains("RINI HANDAYANI"));
    // The newer agreement itself is signed by the current head.
    let (_, r) = app
        .get(&format!(
            "/api/v1/agreements/{}/check?as_of=2026-03-10",
            b["id"]
        ))
        .await;
    assert!(
        !r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "signatory_replaced"),
        "{r}"
    );
}

async fn issuing_office_picks_its_template_set(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let id = a["id"].as_i64().unwrap();
    let office = a["parties"][0]["institution"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/agreements/{id}/documents/juknis.html?as_of={AS_OF}");
    let (_, _, default_html, _) = fetch(&app, &path).await;
    let (s, b) = app
        .patch(
            &format!("/api/v1/institutions/{office}"),
            &json!({"document_set": "karanganyar"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["document_set"], "karanganyar");
    let (_, _, karanganyar_html, _) = fetch(&app, &path).await;
    let (_, _, asked, _) = fetch(&app, &format!("{path}&set=karanganyar")).await;
    assert_eq!(karanganyar_html, asked, "the office's set is the one used");
    let (_, _, back_to_default, _) = fetch(&app, &format!("{path}&set=default")).await;
    assert_eq!(back_to_default, default_html);
    // A set that does not exist cannot be chosen for an office.
    let (s, b) = app
        .patch(
            &format!("/api/v1/institutions/{office}"),
            &json!({"document_set": "jakarta"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert!(
        b["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("document_set")
            || b.to_string().contains("document_set"),
        "{b}"
    );
}

/// The words a reader of the HTML sees: the body's text, plus the list
/// markers the stylesheet draws ("1.", "a)", "A."), which the reference has
/// as words too. Tags and entities are separators.
fn visible_words(html: &str) -> String {
    let body = html.split_once("<body>").map_or(html, |(_, b)| b);
    let mut out = String::new();
    let mut lists: Vec<(String, u32)> = vec![];
    let mut rest = body;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        let gt = rest[lt..].find('>').map_or(rest.len(), |g| lt + g + 1);
        let tag = &rest[lt..gt];
        let name: String = tag
            .trim_start_matches('<')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .collect();
        let attr = |key: &str| {
            let k = format!("{key}=\"");
            tag.find(&k).map(|i| {
                let v = &tag[i + k.len()..];
                v[..v.find('"').unwrap_or(v.len())].to_string()
            })
        };
        match name.as_str() {
            "ol" => lists.push((
                attr("marker").unwrap_or_else(|| "1.".into()),
                attr("start")
                    .and_then(|s| s.parse::<u32>().ok())
                    .unwrap_or(1)
                    - 1,
            )),
            "/ol" => {
                lists.pop();
            }
            "li" => {
                if let Some((marker, n)) = lists.last_mut() {
                    *n += 1;
                    let letter = (b'a' + ((*n - 1) % 26) as u8) as char;
                    let word = match marker.as_str() {
                        "a." | "a)" | "A." => letter.to_string(),
                        "I." => sepakat::domain::words::roman(*n),
                        "-" => String::new(),
                        _ => n.to_string(),
                    };
                    out.push_str(&format!(" {word} "));
                }
            }
            _ => {}
        }
        rest = &rest[gt..];
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#160;", " ")
}

/// Lowercase runs of letters and digits, as bench/juknis_recall.py counts them.
fn word_counts(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for w in text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *counts.entry(w.to_string()).or_insert(0) += 1;
    }
    counts
}

/// Word recall of `rendered` against `reference`: the share of the
/// reference's words (with their counts) that the rendered text has.
fn word_recall(reference: &str, rendered: &str) -> (f64, Vec<(String, usize)>) {
    let (want, got) = (word_counts(reference), word_counts(rendered));
    let total: usize = want.values().sum();
    let hit: usize = want
        .iter()
        .map(|(w, n)| (*n).min(got.get(w).copied().unwrap_or(0)))
        .sum();
    let mut missed: Vec<(String, usize)> = want
        .iter()
        .filter_map(|(w, n)| {
            let have = got.get(w).copied().unwrap_or(0);
            (have < *n).then(|| (w.clone(), n - have))
        })
        .collect();
    missed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    (hit as f64 / total.max(1) as f64, missed)
}

async fn juknis_follows_the_purbalingga_juknis_word_for_word(app: TestApp) {
    let ids = load_seeds(&app).await;
    let (status, _, body, _) = fetch(
        &app,
        &format!(
            "/api/v1/agreements/{}/documents/juknis.html?as_of={AS_OF}&set=default",
            ids["pks-purbalingga-dinkopukm-2025"]
        ),
    )
    .await;
    assert_eq!(status, 200);
    let reference =
        std::fs::read_to_string(root().join("bench/fixtures/juknis-purbalingga-2025.txt")).unwrap();
    let (recall, missed) = word_recall(
        &reference,
        &visible_words(&String::from_utf8(body).unwrap()),
    );
    assert!(
        recall >= 0.95,
        "word recall {recall:.4} < 0.95 against the Purbalingga Juknis; most missed: {:?}",
        &missed[..missed.len().min(30)]
    );

    // Ditjen Dukcapil as PIHAK KESATU: access is not granted "through"
    // itself, and it reports to nobody above it.
    let mut bkn = seed("pks-ditjen-dukcapil-bkn-2019.json");
    bkn["parties"][0]["number"] = json!("470/9001/Dukcapil");
    bkn["parties"][1]["number"] = json!("9001/KS/IX/2019");
    bkn["juknis"] = json!({"number": "470/9002/Dukcapil", "date": "2019-09-20"});
    let (s, b) = app.post("/api/v1/agreements", &bkn).await;
    assert_eq!(s, 201, "{b}");
    let (s, _, html, _) = fetch(
        &app,
        &format!(
            "/api/v1/agreements/{}/documents/juknis.html?as_of={AS_OF}",
            b["id"]
        ),
    )
    .await;
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&html));
    let text = collapse(&visible_words(&String::from_utf8(html).unwrap()));
    assert_has(&text, "JUKNIS WEB SERVICE DAN CARD READER");
    assert_has(&text, "dengan server Ditjen Dukcapil sebagaimana terlampir");
    assert_has(&text, "tanpa dibatasi kuota untuk Web Service");
    assert_has(&text, "kepada Dirjen Dukcapil, paling lambat");
    assert!(!text.contains("melalui Ditjen Dukcapil"), "{text}");
    assert!(!text.contains("melalui alamat email subdit"), "{text}");
}

#[test]
fn word_recall_counts_words_with_their_counts() {
    let (r, missed) = word_recall("Data data, NIK 200", "data NIK; 200 lain");
    assert!((r - 0.75).abs() < 1e-9, "{r}");
    assert_eq!(missed, vec![("data".to_string(), 1)]);
    let seen = visible_words(
        "<html><head><title>x</title></head><body><ol marker=\"a)\"><li>Gagal Login;</li><li>Kuota</li></ol><ol marker=\"I.\" start=\"4\"><li>x</li></ol></body></html>",
    );
    assert_eq!(collapse(&seen), "a Gagal Login; b Kuota IV x");
}

// ---- CLI -------------------------------------------------------------------

/// `sepakat args` on `db`, with `templates` as the override folder or none.
fn cli(db: &str, args: &[&str], templates: Option<&Path>) -> Output {
    let mut cmd = sepakat(db);
    cmd.args(args);
    if let Some(t) = templates {
        cmd.env("SEPAKAT_TEMPLATES", t);
    }
    cmd.output().expect("run sepakat")
}

#[test]
fn cli_renders_one_document_all_of_them_and_honours_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("docs.db").display().to_string();
    let seeds = root().join("seeds").display().to_string();
    assert!(cli(&db, &["import", &seeds], None).status.success());
    // The first agreement's document of `kind` in `format`, written to `out`.
    let render_one = |kind: &str, format: &str, out: &Path, templates: Option<&Path>| {
        let out = out.to_str().unwrap();
        let args = [
            "render",
            "--agreement",
            "1",
            "--kind",
            kind,
            "--format",
            format,
            "-o",
            out,
        ];
        cli(&db, &args, templates)
    };

    let pdf = dir.path().join("pks.pdf");
    succeeded(&render_one("pks", "pdf", &pdf, None));
    assert_has(
        &pdf_text(&std::fs::read(&pdf).unwrap()),
        "PERJANJIAN KERJA SAMA",
    );

    let all = dir.path().join("all");
    let out = cli(
        &db,
        &[
            "render",
            "--all",
            "--format",
            "html",
            "--out",
            all.to_str().unwrap(),
            "--as-of",
            AS_OF,
        ],
        None,
    );
    succeeded(&out);
    let written = std::fs::read_dir(&all).unwrap().count();
    // Four seeds × six kinds, less the Juknis the BKN agreement does not have.
    assert_eq!(
        written,
        4 * 6 - 1,
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // An override folder replaces a template at run time, without a rebuild.
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(templates.join("documents/default")).unwrap();
    std::fs::write(
        templates.join("documents/default/sptjm.hbs"),
        "<doc title=\"x\"><p>SPTJM KHUSUS untuk {{second.name}}</p></doc>",
    )
    .unwrap();
    let html = dir.path().join("sptjm.html");
    succeeded(&render_one("sptjm", "html", &html, Some(&templates)));
    assert!(std::fs::read_to_string(&html)
        .unwrap()
        .contains("SPTJM KHUSUS untuk Dinas"));
    // Strict mode: a value the data does not have is an error, not a blank.
    std::fs::write(
        templates.join("documents/default/sptjm.hbs"),
        "<doc><p>{{second.nama_kepala}}</p></doc>",
    )
    .unwrap();
    let out = render_one("sptjm", "pdf", &html, Some(&templates));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nama_kepala") && err.lines().count() == 1,
        "{err}"
    );
    // Markup outside the subset names the element.
    std::fs::write(
        templates.join("documents/default/sptjm.hbs"),
        "<doc><marquee>x</marquee></doc>",
    )
    .unwrap();
    let out = render_one("sptjm", "pdf", &html, Some(&templates));
    assert!(String::from_utf8_lossy(&out.stderr).contains("<marquee>"));

    // Bad arguments: one line, nothing written.
    let out = cli(
        &db,
        &[
            "render",
            "--agreement",
            "1",
            "--kind",
            "kontrak",
            "-o",
            "x.pdf",
        ],
        None,
    );
    assert!(!out.status.success());
    let out = cli(
        &db,
        &[
            "render",
            "--agreement",
            "99",
            "--kind",
            "pks",
            "-o",
            dir.path().join("none.pdf").to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(!dir.path().join("none.pdf").exists());

    let out = cli(&db, &["check", "--as-of", "2025-10-01"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("temuan"), "{stdout}");
}
