//! An S3-compatible object store on loopback for tests: moto's server
//! (`pip install 'moto[server]'`, which `.ci/run` installs), a real HTTP
//! server speaking the S3 protocol (buckets, signed requests, multipart
//! uploads), started per test on a free port and stopped when dropped.
//! Outside CI a machine without it skips the test that needs it; under
//! CI=true its absence fails.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::free_port;

pub struct S3 {
    child: Child,
    endpoint: String,
}

impl S3 {
    pub async fn start() -> Option<S3> {
        let port = free_port();
        let child = match Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => child,
            Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("moto_server (pip install 'moto[server]') is required under CI=true: {e}")
            }
            Err(e) => {
                eprintln!("skipped: no moto_server to serve S3 ({e})");
                return None;
            }
        };
        let s3 = S3 {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = reqwest::Client::new();
        while client.get(&s3.endpoint).send().await.is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer in 60 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Some(s3)
    }

    /// Creates a bucket (moto takes an unsigned request) and gives its name.
    pub async fn bucket(&self, name: &str) -> String {
        let r = reqwest::Client::new()
            .put(format!("{}/{name}", self.endpoint))
            .send()
            .await
            .expect("create bucket");
        assert!(r.status().is_success(), "create bucket: {}", r.status());
        name.to_string()
    }

    /// What `sepakat` needs to keep its files in `bucket` under `prefix`:
    /// the `s3://` URL and the usual AWS variables.
    pub fn settings(&self, bucket: &str, prefix: &str) -> Vec<(&'static str, String)> {
        vec![
            ("SEPAKAT_FILES", format!("s3://{bucket}/{prefix}")),
            ("AWS_ENDPOINT", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_REGION", "ap-southeast-3".into()),
            ("AWS_ACCESS_KEY_ID", "sepakat-uji".into()),
            ("AWS_SECRET_ACCESS_KEY", "rahasia-uji-s3".into()),
        ]
    }

    /// Every object of `bucket`: its key and size, in key order.
    pub async fn objects(&self, bucket: &str) -> Vec<(String, u64)> {
        let xml = reqwest::Client::new()
            .get(format!("{}/{bucket}?list-type=2", self.endpoint))
            .send()
            .await
            .expect("list bucket")
            .text()
            .await
            .expect("listing");
        let tag = |s: &str, name: &str| -> String {
            let open = format!("<{name}>");
            let start = s.find(&open).expect("tag") + open.len();
            let end = s[start..].find(&format!("</{name}>")).expect("closing tag");
            s[start..start + end].to_string()
        };
        let mut objects: Vec<(String, u64)> = xml
            .split("<Contents>")
            .skip(1)
            .map(|c| (tag(c, "Key"), tag(c, "Size").parse().expect("size")))
            .collect();
        objects.sort();
        objects
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A one-page PDF saying `text`, grown to `size` bytes or a little more by
/// an unreferenced stream of noise, as a scanned report's images grow one.
pub fn large_pdf(text: &str, size: usize) -> Vec<u8> {
    let small = crate::portal::pdf(text, None);
    let mut doc = lopdf::Document::load_mem(&small).expect("the small PDF");
    let mut state: u64 = 0x5E9A_04A7;
    let noise: Vec<u8> = (0..size)
        .map(|_| {
            // xorshift: bytes that no transport compresses away.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    doc.add_object(lopdf::Stream::new(lopdf::dictionary! {}, noise));
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}
