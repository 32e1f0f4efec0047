//! The `sepakat` binary: import from files, refusals, concurrent imports.

use std::process::Stdio;

use serde_json::json;

use crate::helpers::{
    example, example_numbered, on_both, root, run, seed_files, sepakat, succeeded, Db, TestDb,
};

/// (agreements, institutions) in the database.
fn count(db: &TestDb) -> (i64, i64) {
    let pool = db.pool();
    let mut conn = pool.get().unwrap();
    let (total, _) = sepakat::store::agreements::list(
        &mut conn,
        &sepakat::store::agreements::ListFilter {
            limit: 1,
            as_of: sepakat::today_jakarta(),
            ..Default::default()
        },
    )
    .unwrap();
    let (inst, _) = sepakat::store::institutions::list(
        &mut conn,
        &sepakat::store::institutions::ListFilter {
            q: None,
            kind: None,
            limit: 1,
            offset: 0,
            only: None,
            agencies_only: false,
        },
    )
    .unwrap();
    (total, inst)
}

fn import_refuses_bad_file_with_one_line(kind: Db) {
    let Some(db) = TestDb::new(kind) else { return };
    let mut bad = example();
    bad["parties"][1]["signatory"]["nik"] = json!("3303051909670000");
    let path = db.dir().join("bad.json");
    std::fs::write(&path, serde_json::to_vec(&bad).unwrap()).unwrap();
    let out = run(&db.url, &["import", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].contains("bad.json") && lines[0].contains("/parties/1/signatory/nik"),
        "{stderr}"
    );
    assert!(lines[0].contains("nomor urut"), "{stderr}");
    assert_eq!(count(&db), (0, 0), "nothing written");

    let missing = run(&db.url, &["import", "/no/such/file.json"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("tidak ditemukan"));
}

/// A `.jsonl` file as an office has it: saved with a byte order mark, one
/// line not UTF-8 in the middle. Each line stands alone.
fn jsonl_lines_stand_alone(kind: Db) {
    let Some(db) = TestDb::new(kind) else { return };
    let numbered =
        |first: &str, second: &str| serde_json::to_vec(&example_numbered(first, second)).unwrap();
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend(numbered("400.12/1/2025", "518/1/IX/2025"));
    file.push(b'\n');
    let mut latin1 = numbered("400.12/2/2025", "518/2/IX/2025");
    let at = latin1.windows(5).position(|w| w == b"Dinas").unwrap();
    latin1[at + 1] = 0xED; // "D\xEDnas": a Latin-1 byte, not UTF-8
    file.extend(latin1);
    file.extend(b"\r\n\n");
    file.extend(numbered("400.12/3/2025", "518/3/IX/2025"));
    file.push(b'\n');
    let path = db.dir().join("kantor.jsonl");
    std::fs::write(&path, &file).unwrap();
    let out = run(&db.url, &["import", path.to_str().unwrap()]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!out.status.success(), "one line was refused");
    assert!(
        format!("{stdout}{stderr}").contains("2 perjanjian diimpor, 1 gagal"),
        "{stdout}{stderr}"
    );
    assert!(
        stderr.contains("kantor.jsonl:2") && stderr.contains("UTF-8"),
        "{stderr}"
    );
    assert_eq!(count(&db).0, 2, "the lines before and after the bad one");

    // A whole .json file with a byte order mark is read as well.
    let bom = db.dir().join("bom.json");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(numbered("400.12/4/2025", "518/4/IX/2025"));
    std::fs::write(&bom, bytes).unwrap();
    succeeded(&run(&db.url, &["import", bom.to_str().unwrap()]));
    assert_eq!(count(&db).0, 3);
}

fn eight_parallel_imports(kind: Db) {
    let Some(db) = TestDb::new(kind) else { return };
    succeeded(&run(&db.url, &["migrate"]));
    let files: Vec<String> = (0..8)
        .map(|n| {
            let doc = example_numbered(
                &format!("400.12/{}/2025", 7000 + n),
                &format!("518/{}/IX/2025", 8000 + n),
            );
            let p = db.dir().join(format!("a{n}.json"));
            std::fs::write(&p, serde_json::to_vec(&doc).unwrap()).unwrap();
            p.display().to_string()
        })
        .collect();
    let children: Vec<_> = files
        .iter()
        .map(|f| {
            sepakat(&db.url)
                .args(["import", f])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("locked"), "{stderr}");
    }
    assert_eq!(
        count(&db),
        (8, 2),
        "eight agreements over the same two institutions"
    );
}

fn import_folder_of_seeds(kind: Db) {
    let Some(db) = TestDb::new(kind) else { return };
    let seeds = root().join("seeds");
    succeeded(&run(&db.url, &["import", seeds.to_str().unwrap()]));
    let n = seed_files().len();
    assert_eq!(count(&db).0, n as i64);
    // Importing the same files again refuses each, and adds nothing.
    let again = run(&db.url, &["import", seeds.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("sudah terdaftar"));
    assert_eq!(count(&db).0, n as i64);
}

on_both!(
    by_kind:
    import_refuses_bad_file_with_one_line,
    jsonl_lines_stand_alone,
    eight_parallel_imports,
    import_folder_of_seeds
);

/// A wrong argument is one Indonesian line naming it (and the choices of a
/// closed one), with exit code 2; nothing is opened or written.
#[test]
fn wrong_arguments_get_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("never.db");
    for (args, expected) in [
        (
            vec!["user", "add", "x", "--role", "kepala"],
            "nilai 'kepala' untuk --role <ROLE> tidak dikenal; pilihan: admin, legal, opd, viewer",
        ),
        (
            vec![
                "render",
                "--agreement",
                "1",
                "--kind",
                "pks",
                "--paper",
                "letter",
                "-o",
                "x.pdf",
            ],
            "pilihan: a4, f4",
        ),
        (
            vec!["check", "--as-of", "2026-02-30"],
            "bukan tanggal YYYY-MM-DD",
        ),
        (vec!["frobnicate"], "perintah 'frobnicate' tidak dikenal"),
    ] {
        // The default logging, as a user has it.
        let out = sepakat(&db)
            .env_remove("RUST_LOG")
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("sepakat: ") && stderr.contains(expected),
            "{args:?}: {stderr}"
        );
    }
    assert!(!db.exists(), "nothing was opened");
}
