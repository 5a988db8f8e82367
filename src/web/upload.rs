//! File uploads: a multipart form with the CSRF token and one file, capped in
//! size, and a short-lived store that keeps an upload between its preview and
//! the confirming click (so the file is sent once and checked again on confirm).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_multipart::Multipart;
use futures_util::StreamExt;

use super::{csrf::token_matches, AppError, CurrentUser};
use crate::domain::ids::UserId;
use crate::import::workbook::MAX_BYTES;

/// A posted upload form: its text fields and the file's bytes.
pub struct Upload {
    pub file: Vec<u8>,
    fields: Vec<(String, String)>,
}

impl Upload {
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

const SMALL_FIELD: usize = 4096;

/// Reads the form; refuses a file over the cap or a wrong CSRF token.
pub async fn read(user: &CurrentUser, mut form: Multipart) -> Result<Upload, AppError> {
    let too_large = || {
        AppError::BadRequest(format!(
            "ファイルが大きすぎます（{} MB まで）",
            MAX_BYTES / 1024 / 1024
        ))
    };
    let unreadable = |_| AppError::BadRequest("送信されたファイルを読めませんでした".into());
    let mut upload = Upload {
        file: Vec::new(),
        fields: Vec::new(),
    };
    let mut parts = 0;
    while let Some(field) = form.next().await {
        parts += 1;
        if parts > 10 {
            return Err(AppError::BadRequest(
                "送信された項目の数が多すぎます".into(),
            ));
        }
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or("").to_string();
        let is_file = field
            .content_disposition()
            .is_some_and(|d| d.get_filename().is_some());
        let limit = if is_file { MAX_BYTES } else { SMALL_FIELD };
        let bytes = field
            .bytes(limit)
            .await
            .map_err(|_| too_large())?
            .map_err(unreadable)?;
        if is_file {
            upload.file = bytes.to_vec();
        } else {
            let value = String::from_utf8(bytes.to_vec())
                .map_err(|_| AppError::BadRequest(super::form::BAD_ENCODING.into()))?;
            upload.fields.push((name, value));
        }
    }
    if !token_matches(&user.csrf, upload.get("csrf_token")) {
        return Err(AppError::Csrf);
    }
    if upload.file.is_empty() {
        return Err(AppError::BadRequest(
            "ファイルが選ばれていないか、空のファイルです".into(),
        ));
    }
    Ok(upload)
}

/// Uploads waiting for their confirming click, per user, for half an hour.
#[derive(Default)]
pub struct Pending(Mutex<HashMap<String, Held>>);

struct Held {
    owner: UserId,
    at: Instant,
    bytes: Vec<u8>,
}

const KEEP: Duration = Duration::from_secs(30 * 60);
/// Most uploads held at once (each at most `MAX_BYTES`).
const MAX_HELD: usize = 20;

impl Pending {
    /// Keeps `bytes` for `owner`; returns the token the confirm form posts.
    pub fn put(&self, owner: UserId, bytes: Vec<u8>) -> String {
        let token = crate::password::random_password(32);
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.retain(|_, h| h.at.elapsed() < KEEP && h.owner != owner);
        while held.len() >= MAX_HELD {
            let Some(oldest) = held
                .iter()
                .min_by_key(|(_, h)| h.at)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            held.remove(&oldest);
        }
        held.insert(
            token.clone(),
            Held {
                owner,
                at: Instant::now(),
                bytes,
            },
        );
        token
    }

    /// The upload `owner` previewed under `token`, still kept.
    pub fn get(&self, owner: UserId, token: &str) -> Option<Vec<u8>> {
        let held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.get(token)
            .filter(|h| h.owner == owner && h.at.elapsed() < KEEP)
            .map(|h| h.bytes.clone())
    }

    pub fn forget(&self, token: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token);
    }
}
