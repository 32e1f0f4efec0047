//! Where evidence files live: an object store (a local folder by default,
//! an S3-compatible bucket by URL, so several instances share them), each
//! file under its SHA-256. An upload is first spooled to a temporary file
//! while it is hashed and counted, so a large scan is never held in memory;
//! it is checked by its content there, and only then stored.

use std::io::{Read, Write};
use std::path::Path as FsPath;
use std::sync::Arc;

use actix_web::web::Bytes;
use futures_util::stream::BoxStream;
use object_store::path::Path;
use object_store::{ObjectStore, WriteMultipart};
use sha2::{Digest, Sha256};

use crate::domain::evidence::{self, FileKind};

pub struct FileStore {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    describe: String,
}

impl FileStore {
    /// `target` is a folder, or an `s3://bucket/prefix` URL (credentials,
    /// region and endpoint from the usual `AWS_*` variables).
    pub fn open(target: &str) -> Result<FileStore, String> {
        if target.starts_with("s3://") {
            let url = url::Url::parse(target)
                .map_err(|e| format!("SEPAKAT_FILES bukan URL yang valid: {e}"))?;
            let store = object_store::aws::AmazonS3Builder::from_env()
                .with_url(target)
                .build()
                .map_err(|e| format!("penyimpanan S3 tidak dapat dibuka: {e}"))?;
            let prefix = Path::parse(url.path().trim_matches('/'))
                .map_err(|e| format!("awalan S3 tidak valid: {e}"))?;
            return Ok(FileStore {
                store: Arc::new(store),
                prefix,
                describe: target.to_string(),
            });
        }
        std::fs::create_dir_all(target)
            .map_err(|e| format!("folder berkas {target} tidak dapat dibuat: {e}"))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(target)
            .map_err(|e| format!("folder berkas {target} tidak dapat dibuka: {e}"))?;
        Ok(FileStore {
            store: Arc::new(store),
            prefix: Path::default(),
            describe: target.to_string(),
        })
    }

    pub fn describe(&self) -> &str {
        &self.describe
    }

    fn path(&self, sha256: &str) -> Path {
        // Two levels of fan-out keep a folder of many thousands browsable.
        let name = format!("{}/{}/{}", &sha256[..2], &sha256[2..4], sha256);
        if self.prefix.as_ref().is_empty() {
            Path::from(name)
        } else {
            Path::from(format!("{}/{name}", self.prefix))
        }
    }

    /// Stores a spooled file under its hash (content already there is kept
    /// as it is), reading it in parts.
    pub async fn put(&self, spooled: &Spooled) -> Result<(), String> {
        let path = self.path(&spooled.sha256);
        if self.store.head(&path).await.is_ok() {
            return Ok(());
        }
        let upload = self
            .store
            .put_multipart(&path)
            .await
            .map_err(|e| format!("berkas tidak dapat disimpan: {e}"))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, 5 * 1024 * 1024);
        let mut file = std::fs::File::open(spooled.file.path())
            .map_err(|e| format!("berkas sementara tidak terbaca: {e}"))?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file
                .read(&mut buf)
                .map_err(|e| format!("berkas sementara tidak terbaca: {e}"))?;
            if n == 0 {
                break;
            }
            writer
                .wait_for_capacity(2)
                .await
                .map_err(|e| format!("berkas tidak dapat disimpan: {e}"))?;
            writer.write(&buf[..n]);
        }
        writer
            .finish()
            .await
            .map_err(|e| format!("berkas tidak dapat disimpan: {e}"))?;
        Ok(())
    }

    /// The stored file's bytes, as a stream.
    pub async fn get(
        &self,
        sha256: &str,
    ) -> Result<BoxStream<'static, Result<Bytes, object_store::Error>>, String> {
        let got = self
            .store
            .get(&self.path(sha256))
            .await
            .map_err(|e| format!("berkas {sha256} tidak dapat dibaca: {e}"))?;
        Ok(got.into_stream())
    }
}

/// An upload being received: written to a temporary file as it arrives,
/// hashed and counted on the way, refused the moment it passes the limit.
pub struct Spool {
    file: tempfile::NamedTempFile,
    hasher: Sha256,
    size: u64,
    limit: u64,
    head: Vec<u8>,
}

/// A received upload, checked: its kind, hash and size.
pub struct Spooled {
    file: tempfile::NamedTempFile,
    pub sha256: String,
    pub size: u64,
    pub kind: FileKind,
}

impl Spool {
    pub fn new(limit: u64) -> Result<Spool, String> {
        Ok(Spool {
            file: tempfile::NamedTempFile::new()
                .map_err(|e| format!("berkas sementara tidak dapat dibuat: {e}"))?,
            hasher: Sha256::new(),
            size: 0,
            limit,
            head: Vec::with_capacity(1024),
        })
    }

    /// Appends a part; `Err` with the user's message once past the limit.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), String> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(evidence::too_large(self.limit));
        }
        if self.head.len() < 1024 {
            let take = (1024 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        self.file
            .write_all(chunk)
            .map_err(|e| format!("berkas sementara tidak dapat ditulis: {e}"))
    }

    /// Checks what arrived by its content: a PDF must parse and must not be
    /// encrypted; JPEG and PNG are known by their signature; nothing else is
    /// taken. Reads the file (blocking): run off the request workers.
    pub fn finish(mut self) -> Result<Spooled, String> {
        if self.size == 0 {
            return Err(evidence::EMPTY.into());
        }
        self.file
            .flush()
            .map_err(|e| format!("berkas sementara tidak dapat ditulis: {e}"))?;
        let kind = FileKind::sniff(&self.head).ok_or(evidence::NOT_ACCEPTED)?;
        if kind == FileKind::Pdf {
            check_pdf(self.file.path())?;
        }
        let sha256 = self
            .hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Spooled {
            file: self.file,
            sha256,
            size: self.size,
            kind,
        })
    }
}

/// The PDF's cross-reference table and trailer parse, its pages can be
/// counted, and it declares no encryption.
fn check_pdf(path: &FsPath) -> Result<(), String> {
    match lopdf::Document::load_metadata(path) {
        Ok(m) if m.encrypted => Err(evidence::ENCRYPTED.into()),
        Ok(m) if m.page_count == 0 => Err(evidence::UNREADABLE_PDF.into()),
        Ok(_) => Ok(()),
        Err(_) => Err(evidence::UNREADABLE_PDF.into()),
    }
}

/// Whether `s` is a SHA-256 in lowercase hex (anything else is not looked up).
pub fn well_formed_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
