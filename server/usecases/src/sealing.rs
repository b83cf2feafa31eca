//! Sealing email bodies for the outbox. Invite, reset, verification and sign-in links are
//! working credentials, so a body is encrypted with a key kept outside the database before
//! it is stored, and dropped once sent: a database dump, a backup or the staff outbox view
//! holds no usable link (`docs/security.md`, "Emails").
//!
//! The key is 32 bytes: `OUTBOX_KEY` (base64url) in production, else a file in the data
//! folder, made on first use.

use std::{fmt, fs, io::Write as _, os::unix::fs::OpenOptionsExt as _, path::Path, sync::Arc};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};
use serde::{Deserialize, Serialize};

use crate::secrets::random_bytes;

/// What is sealed: an email's two bodies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    pub text: String,
    pub html: String,
}

/// The key that seals and opens email bodies. Its `Debug` hides it.
#[derive(Clone)]
pub struct MailKey(Arc<XChaCha20Poly1305>);

/// A sealed body that this key cannot open (another key, or damaged).
#[derive(Debug, thiserror::Error)]
#[error("the email body cannot be opened with this key")]
pub struct Unsealable;

/// Says which use a sealed value is for, so it cannot be passed off as another.
const CONTEXT: &[u8] = b"hcrm outbox body v1";
const NONCE_LEN: usize = 24;

impl MailKey {
    /// A key from 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> MailKey {
        MailKey(Arc::new(XChaCha20Poly1305::new(&bytes.into())))
    }

    /// A fresh random key (tests, and the first run of the embedded default).
    pub fn generate() -> MailKey {
        MailKey::from_bytes(random_bytes())
    }

    /// The key from `OUTBOX_KEY`'s value (32 bytes as base64url), else from `file`, which
    /// is created with a fresh key (mode 0600) if it does not exist.
    pub fn load(configured: Option<&str>, file: &Path) -> Result<MailKey, String> {
        let decode = |text: &str, origin: &str| -> Result<MailKey, String> {
            let bytes = URL_SAFE_NO_PAD
                .decode(text.trim().trim_end_matches('='))
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| format!("{origin} must be 32 bytes as base64url (43 characters)"))?;
            Ok(MailKey::from_bytes(bytes))
        };
        if let Some(text) = configured {
            return decode(text, "OUTBOX_KEY");
        }
        match fs::read_to_string(file) {
            Ok(text) => decode(&text, &file.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let bytes: [u8; 32] = random_bytes();
                if let Some(dir) = file.parent() {
                    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                // create_new: if another process made it meanwhile, read theirs.
                match fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(file)
                {
                    Ok(mut f) => {
                        f.write_all(URL_SAFE_NO_PAD.encode(bytes).as_bytes())
                            .map_err(|e| format!("{}: {e}", file.display()))?;
                        Ok(MailKey::from_bytes(bytes))
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        MailKey::load(None, file)
                    }
                    Err(e) => Err(format!("{}: {e}", file.display())),
                }
            }
            Err(e) => Err(format!("{}: {e}", file.display())),
        }
    }

    /// Seals `body`: a random nonce, then the ciphertext.
    pub fn seal(&self, body: &Body) -> Vec<u8> {
        let nonce: [u8; NONCE_LEN] = random_bytes();
        let plain = serde_json::to_vec(body).expect("two strings serialize");
        let sealed = self
            .0
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: CONTEXT,
                },
            )
            .expect("XChaCha20-Poly1305 seals any message that fits in memory");
        [nonce.as_slice(), &sealed].concat()
    }

    /// Opens a body sealed with this key.
    pub fn open(&self, sealed: &[u8]) -> Result<Body, Unsealable> {
        if sealed.len() < NONCE_LEN {
            return Err(Unsealable);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let plain = self
            .0
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: CONTEXT,
                },
            )
            .map_err(|_| Unsealable)?;
        serde_json::from_slice(&plain).map_err(|_| Unsealable)
    }
}

impl fmt::Debug for MailKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MailKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> Body {
        Body {
            text: "Accept: http://acme.localhost:3000/invite/SECRET".into(),
            html: "<a href=\"http://acme.localhost:3000/invite/SECRET\">Accept</a>".into(),
        }
    }

    #[test]
    fn a_sealed_body_opens_with_its_key_and_hides_its_text() {
        let key = MailKey::generate();
        let sealed = key.seal(&body());
        assert!(!sealed.windows(6).any(|w| w == b"SECRET"));
        assert_eq!(key.open(&sealed).unwrap(), body());
    }

    #[test]
    fn another_key_or_a_damaged_body_cannot_open_it() {
        let key = MailKey::generate();
        let mut sealed = key.seal(&body());
        assert!(MailKey::generate().open(&sealed).is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(key.open(&sealed).is_err());
        assert!(key.open(b"short").is_err());
    }

    #[test]
    fn the_key_file_is_made_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("hcrm-key-{}", uuid::Uuid::new_v4()));
        let file = dir.join("outbox.key");
        let first = MailKey::load(None, &file).unwrap();
        let sealed = first.seal(&body());
        let again = MailKey::load(None, &file).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), body());
        let mode = fs::metadata(&file).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_configured_key_must_be_32_bytes() {
        let file = Path::new("/nonexistent/never-read");
        assert!(MailKey::load(Some("short"), file).is_err());
        let good = URL_SAFE_NO_PAD.encode([7u8; 32]);
        assert!(MailKey::load(Some(&good), file).is_ok());
    }
}
