//! Sealing secrets with a key kept outside the database (`docs/security.md`, "Sealed
//! secrets"). What is sealed: email bodies in the outbox (invite, reset, verification and
//! sign-in links are working credentials), staff two-factor secrets, and the one-time
//! results a page shows once (a new API key, a provisioning block). A database dump, a
//! backup, a replica or the staff outbox view holds none of them in usable form.
//!
//! XChaCha20-Poly1305 with a random 24-byte nonce per value, and the value's purpose as
//! associated data, so that a value sealed for one use cannot be passed off as another.
//!
//! The key is 32 bytes: `SEALING_KEY` (base64url; `OUTBOX_KEY`, its first name, still
//! works) in production, else a file in the data folder, made on first use.

use std::{fmt, fs, io::Write as _, os::unix::fs::OpenOptionsExt as _, path::Path, sync::Arc};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};
use serde::{Deserialize, Serialize};

use crate::secrets::random_bytes;

/// What is sealed for the outbox: an email's two bodies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    pub text: String,
    pub html: String,
}

/// The key that seals and opens secrets kept in the database. Its `Debug` hides it.
#[derive(Clone)]
pub struct SealingKey(Arc<XChaCha20Poly1305>);

/// A sealed value that this key cannot open (another key, another purpose, or damaged).
#[derive(Debug, thiserror::Error)]
#[error("the sealed value cannot be opened with this key")]
pub struct Unsealable;

/// The purpose of an outbox body (and of the one-time results sealed like one).
const BODY: &[u8] = b"hcrm outbox body v1";
const NONCE_LEN: usize = 24;

impl SealingKey {
    /// A key from 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> SealingKey {
        SealingKey(Arc::new(XChaCha20Poly1305::new(&bytes.into())))
    }

    /// A fresh random key (tests, and the first run of the embedded default).
    pub fn generate() -> SealingKey {
        SealingKey::from_bytes(random_bytes())
    }

    /// The key from a configured value (32 bytes as base64url; `name` is the variable it
    /// came from, for the error), else from `file`, which is created with a fresh key
    /// (mode 0600) if it does not exist.
    pub fn load(configured: Option<(&str, &str)>, file: &Path) -> Result<SealingKey, String> {
        let decode = |text: &str, origin: &str| -> Result<SealingKey, String> {
            let bytes = URL_SAFE_NO_PAD
                .decode(text.trim().trim_end_matches('='))
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| format!("{origin} must be 32 bytes as base64url (43 characters)"))?;
            Ok(SealingKey::from_bytes(bytes))
        };
        if let Some((name, text)) = configured {
            return decode(text, name);
        }
        match fs::read_to_string(file) {
            Ok(text) => decode(&text, &file.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let bytes: [u8; 32] = random_bytes();
                if let Some(dir) = file.parent() {
                    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                // Written whole under another name, then linked into place: a process
                // starting at the same moment never reads a half-written key, and if it made
                // its own first, we read theirs.
                let draft = file.with_extension(format!(
                    "draft-{}",
                    URL_SAFE_NO_PAD.encode(random_bytes::<6>())
                ));
                let written = fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&draft)
                    .and_then(|mut f| {
                        f.write_all(URL_SAFE_NO_PAD.encode(bytes).as_bytes())?;
                        f.sync_all()
                    })
                    .and_then(|()| fs::hard_link(&draft, file));
                let _ = fs::remove_file(&draft);
                match written {
                    Ok(()) => Ok(SealingKey::from_bytes(bytes)),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        SealingKey::load(None, file)
                    }
                    Err(e) => Err(format!("{}: {e}", file.display())),
                }
            }
            Err(e) => Err(format!("{}: {e}", file.display())),
        }
    }

    /// Seals `plain` for `purpose`: a random nonce, then the ciphertext.
    pub fn seal_bytes(&self, purpose: &[u8], plain: &[u8]) -> Vec<u8> {
        let nonce: [u8; NONCE_LEN] = random_bytes();
        let sealed = self
            .0
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: purpose,
                },
            )
            .expect("XChaCha20-Poly1305 seals any message that fits in memory");
        [nonce.as_slice(), &sealed].concat()
    }

    /// Opens a value sealed with this key for `purpose`.
    pub fn open_bytes(&self, purpose: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Unsealable> {
        if sealed.len() < NONCE_LEN {
            return Err(Unsealable);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.0
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose,
                },
            )
            .map_err(|_| Unsealable)
    }

    /// Seals an email body.
    pub fn seal(&self, body: &Body) -> Vec<u8> {
        let plain = serde_json::to_vec(body).expect("two strings serialize");
        self.seal_bytes(BODY, &plain)
    }

    /// Opens an email body sealed with this key.
    pub fn open(&self, sealed: &[u8]) -> Result<Body, Unsealable> {
        let plain = self.open_bytes(BODY, sealed)?;
        serde_json::from_slice(&plain).map_err(|_| Unsealable)
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealingKey(…)")
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
        let key = SealingKey::generate();
        let sealed = key.seal(&body());
        assert!(!sealed.windows(6).any(|w| w == b"SECRET"));
        assert_eq!(key.open(&sealed).unwrap(), body());
    }

    #[test]
    fn another_key_or_a_damaged_body_cannot_open_it() {
        let key = SealingKey::generate();
        let mut sealed = key.seal(&body());
        assert!(SealingKey::generate().open(&sealed).is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(key.open(&sealed).is_err());
        assert!(key.open(b"short").is_err());
    }

    #[test]
    fn a_value_sealed_for_one_purpose_does_not_open_for_another() {
        let key = SealingKey::generate();
        let sealed = key.seal_bytes(b"purpose one", b"secret");
        assert_eq!(key.open_bytes(b"purpose one", &sealed).unwrap(), b"secret");
        assert!(key.open_bytes(b"purpose two", &sealed).is_err());
        assert!(key.open(&sealed).is_err());
    }

    #[test]
    fn the_key_file_is_made_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("hcrm-key-{}", uuid::Uuid::new_v4()));
        let file = dir.join("outbox.key");
        let first = SealingKey::load(None, &file).unwrap();
        let sealed = first.seal(&body());
        let again = SealingKey::load(None, &file).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), body());
        let mode = fs::metadata(&file).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn processes_making_the_key_file_at_once_all_end_up_with_one_key() {
        let dir = std::env::temp_dir().join(format!("hcrm-key-race-{}", uuid::Uuid::new_v4()));
        let file = dir.join("sealing.key");
        let sealed = SealingKey::generate().seal(&body());
        let keys: Vec<SealingKey> = std::thread::scope(|scope| {
            let loads: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| SealingKey::load(None, &file).unwrap()))
                .collect();
            loads.into_iter().map(|l| l.join().unwrap()).collect()
        });
        let by_first = keys[0].seal(&body());
        assert!(keys.iter().all(|k| k.open(&by_first).is_ok()), "one key");
        assert!(keys[0].open(&sealed).is_err());
        let left: Vec<_> = fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "no draft is left behind");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_configured_key_must_be_32_bytes() {
        let file = Path::new("/nonexistent/never-read");
        assert!(SealingKey::load(Some(("SEALING_KEY", "short")), file).is_err());
        let good = URL_SAFE_NO_PAD.encode([7u8; 32]);
        assert!(SealingKey::load(Some(("SEALING_KEY", &good)), file).is_ok());
    }
}
