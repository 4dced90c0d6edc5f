//! Where evidence files are kept: an `object_store` — a local directory (`data/files` by
//! default) or any S3-compatible store (MinIO on premises), so that several instances
//! share the files. Content-addressed: a file is stored under its SHA-256
//! (`ab/abcdef…`), so the same bytes are kept once and a changed file no longer matches
//! its key (`audit verify --files`).

use crate::EngineError;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;
use xiaohao_core::attachment::{FileKind, FileRules, sha256_hex};

/// `[files]`: which files are taken and where they are kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct FileSettings {
    /// The local directory (relative to the home directory) when no S3 bucket is set.
    pub dir: String,
    /// The largest file taken, in bytes.
    pub max_bytes: u64,
    /// The kinds taken: pdf, jpeg, png, gif, webp, docx, xlsx, doc, xls, wps, zip.
    pub types: Vec<String>,
    /// An S3-compatible store instead of the directory.
    pub s3: Option<S3Settings>,
}

impl Default for FileSettings {
    fn default() -> Self {
        Self {
            dir: "data/files".into(),
            max_bytes: xiaohao_core::attachment::DEFAULT_MAX_BYTES,
            types: FileKind::ALL
                .iter()
                .map(|k| k.as_str().to_owned())
                .collect(),
            s3: None,
        }
    }
}

/// `[files.s3]`. The secret never appears in logs (`Debug` redacts it).
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct S3Settings {
    /// `http://127.0.0.1:9000` for MinIO; empty for AWS itself.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Plain HTTP to the endpoint (a store on the same host or network).
    pub allow_http: bool,
    /// A prefix inside the bucket (several deployments in one bucket).
    pub prefix: String,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .field("allow_http", &self.allow_http)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl FileSettings {
    /// The rules these settings describe.
    ///
    /// # Errors
    /// `Config` naming `files.types` or `files.max_bytes`.
    pub fn rules(&self) -> Result<FileRules, EngineError> {
        FileRules::new(self.max_bytes, &self.types).map_err(EngineError::Config)
    }
}

/// What a stored file was found to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileState {
    Intact,
    Missing,
    /// The bytes hash to something else now.
    Changed {
        sha256: String,
    },
}

/// The file store and the rules of what it takes.
#[derive(Debug, Clone)]
pub struct Files {
    store: Arc<dyn ObjectStore>,
    prefix: ObjectPath,
    rules: FileRules,
    /// Where the files are, for logs and `audit verify --files`.
    pub place: String,
}

impl Files {
    /// Files under a local directory (created with the first file).
    ///
    /// # Errors
    /// `Config` when the path cannot name a directory.
    pub fn local(dir: &Path, rules: FileRules) -> Result<Files, EngineError> {
        let bad = |e: &dyn std::fmt::Display| {
            EngineError::Config(format!("files.dir {}: {e}", dir.display()))
        };
        let abs = std::path::absolute(dir).map_err(|e| bad(&e))?;
        let prefix = ObjectPath::from_absolute_path(&abs).map_err(|e| bad(&e))?;
        Ok(Files {
            store: Arc::new(LocalFileSystem::new()),
            prefix,
            rules,
            place: abs.display().to_string(),
        })
    }

    /// Files in an S3-compatible bucket.
    ///
    /// # Errors
    /// `Config` naming what is missing or malformed.
    pub fn s3(s: &S3Settings, rules: FileRules) -> Result<Files, EngineError> {
        if s.bucket.trim().is_empty() {
            return Err(EngineError::Config("files.s3.bucket is empty".into()));
        }
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(&s.bucket)
            .with_region(if s.region.is_empty() {
                "us-east-1"
            } else {
                &s.region
            })
            .with_allow_http(s.allow_http);
        if !s.endpoint.is_empty() {
            b = b.with_endpoint(&s.endpoint);
        }
        if !s.access_key_id.is_empty() {
            b = b
                .with_access_key_id(&s.access_key_id)
                .with_secret_access_key(&s.secret_access_key);
        }
        let store = b
            .build()
            .map_err(|e| EngineError::Config(format!("files.s3: {e}")))?;
        Ok(Files {
            store: Arc::new(store),
            prefix: ObjectPath::from(s.prefix.as_str()),
            rules,
            place: format!("s3://{}/{}", s.bucket, s.prefix),
        })
    }

    /// The store the settings name: S3 when a bucket is set, else the directory (relative
    /// to `home`).
    ///
    /// # Errors
    /// `Config`.
    pub fn from_settings(s: &FileSettings, home: &Path) -> Result<Files, EngineError> {
        let rules = s.rules()?;
        match &s.s3 {
            Some(s3) if !s3.bucket.trim().is_empty() => Self::s3(s3, rules),
            _ => Self::local(&home.join(&s.dir), rules),
        }
    }

    pub fn rules(&self) -> &FileRules {
        &self.rules
    }

    fn key(&self, sha256: &str) -> ObjectPath {
        let shard = sha256.get(..2).unwrap_or("00");
        self.prefix.child(shard).child(sha256)
    }

    /// Keep `bytes` under their hash (the same bytes twice are kept once).
    ///
    /// # Errors
    /// `Config` when the store refuses (a full disk, a bucket not reachable).
    pub async fn put(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), EngineError> {
        let key = self.key(sha256);
        if self.store.head(&key).await.is_ok() {
            return Ok(());
        }
        self.store
            .put(&key, PutPayload::from(bytes))
            .await
            .map_err(|e| EngineError::Config(format!("file store {}: {e}", self.place)))?;
        Ok(())
    }

    /// The bytes stored under `sha256`.
    ///
    /// # Errors
    /// `Store(NotFound)` when missing; `Config` when the store fails.
    pub async fn get(&self, sha256: &str) -> Result<Vec<u8>, EngineError> {
        match self.store.get(&self.key(sha256)).await {
            Ok(r) => Ok(r
                .bytes()
                .await
                .map_err(|e| EngineError::Config(format!("file store {}: {e}", self.place)))?
                .to_vec()),
            Err(object_store::Error::NotFound { .. }) => Err(xiaohao_store::StoreError::NotFound {
                what: "file",
                key: sha256.to_owned(),
            }
            .into()),
            Err(e) => Err(EngineError::Config(format!(
                "file store {}: {e}",
                self.place
            ))),
        }
    }

    /// Whether the bytes under `sha256` still hash to it.
    ///
    /// # Errors
    /// `Config` when the store fails otherwise than by a missing file.
    pub async fn check(&self, sha256: &str) -> Result<FileState, EngineError> {
        match self.get(sha256).await {
            Ok(bytes) => {
                let now = sha256_hex(&bytes);
                Ok(if now == sha256 {
                    FileState::Intact
                } else {
                    FileState::Changed { sha256: now }
                })
            }
            Err(EngineError::Store(xiaohao_store::StoreError::NotFound { .. })) => {
                Ok(FileState::Missing)
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_chooses_s3_and_its_absence_the_directory() {
        let home = std::env::temp_dir();
        let local = Files::from_settings(&FileSettings::default(), &home).unwrap();
        assert!(local.place.ends_with("data/files"), "{}", local.place);
        let s3 = FileSettings {
            s3: Some(S3Settings {
                endpoint: "http://127.0.0.1:9000".into(),
                bucket: "xiaohao".into(),
                allow_http: true,
                secret_access_key: "not in logs".into(),
                ..S3Settings::default()
            }),
            ..FileSettings::default()
        };
        let files = Files::from_settings(&s3, &home).unwrap();
        assert_eq!(files.place, "s3://xiaohao/");
        assert!(!format!("{:?}", s3.s3).contains("not in logs"));
        let bad = FileSettings {
            types: vec!["exe".into()],
            ..FileSettings::default()
        };
        assert!(matches!(bad.rules(), Err(EngineError::Config(m)) if m.contains("exe")));
    }

    #[tokio::test]
    async fn stored_bytes_are_checked_against_their_hash() {
        let dir = std::env::temp_dir().join(format!("xiaohao-files-{}", uuid::Uuid::new_v4()));
        let files = Files::local(&dir, FileRules::default()).unwrap();
        let bytes = b"%PDF-1.4 evidence".to_vec();
        let sha = sha256_hex(&bytes);
        files.put(&sha, bytes.clone()).await.unwrap();
        files.put(&sha, bytes.clone()).await.unwrap();
        assert_eq!(files.get(&sha).await.unwrap(), bytes);
        assert_eq!(files.check(&sha).await.unwrap(), FileState::Intact);
        let on_disk = dir.join(&sha[..2]).join(&sha);
        std::fs::write(&on_disk, b"edited").unwrap();
        assert_eq!(
            files.check(&sha).await.unwrap(),
            FileState::Changed {
                sha256: sha256_hex(b"edited")
            }
        );
        std::fs::remove_file(&on_disk).unwrap();
        assert_eq!(files.check(&sha).await.unwrap(), FileState::Missing);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
