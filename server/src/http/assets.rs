//! The built site's files under `/pkg/` (the wasm, its script, the stylesheet), served from
//! memory before anything else runs: no host look-up, no session, no page middleware
//! (`docs/benchmarks.md`, "Static files").
//!
//! cargo-leptos names them by their content's hash (`hcrm.<hash>.css`, with `hash-files`),
//! and the page links those names, so a file with a hash in its name never changes: it is
//! cached for a year (`immutable`). Anything else is revalidated every time (`no-cache`,
//! with an `ETag`). The precompressed `.br` and `.gz` beside a file are sent to clients that
//! take them (`Vary: Accept-Encoding`).

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, OnceLock},
};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::config::LeptosOptions;
use sha2::{Digest, Sha256};

/// One file, with its precompressed variants.
#[derive(Debug)]
struct Asset {
    plain: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
    content_type: HeaderValue,
    cache_control: HeaderValue,
    etag: HeaderValue,
}

/// The files of the site's package folder, by their address (`/pkg/hcrm.<hash>.css`).
#[derive(Clone, Debug, Default)]
pub struct Assets {
    files: Arc<HashMap<String, Asset>>,
}

/// A year: what a file named by its content may be kept for.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

impl Assets {
    /// Reads every file of `pkg_dir` into memory. `hashes` are the content hashes of the
    /// current build (cargo-leptos's hash file: `css: <hash>` lines): a file whose name
    /// carries one is immutable. A folder that cannot be read gives no files (the pages'
    /// tests run without a built site).
    pub fn load(pkg_dir: &Path, url_prefix: &str, hashes: &[String]) -> Assets {
        let mut files = HashMap::new();
        let Ok(entries) = std::fs::read_dir(pkg_dir) else {
            return Assets::default();
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".br") || name.ends_with(".gz") || !entry.path().is_file() {
                continue;
            }
            let Ok(plain) = std::fs::read(entry.path()) else {
                continue;
            };
            let variant = |suffix: &str| {
                std::fs::read(pkg_dir.join(format!("{name}.{suffix}")))
                    .ok()
                    .map(Bytes::from)
            };
            let digest = Sha256::digest(&plain);
            let etag: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
            let hashed = hashes
                .iter()
                .any(|hash| name.contains(&format!(".{hash}.")));
            files.insert(
                format!("/{url_prefix}/{name}"),
                Asset {
                    brotli: variant("br"),
                    gzip: variant("gz"),
                    plain: Bytes::from(plain),
                    content_type: HeaderValue::from_static(content_type(&name)),
                    cache_control: HeaderValue::from_static(if hashed {
                        IMMUTABLE
                    } else {
                        REVALIDATE
                    }),
                    etag: HeaderValue::from_str(&format!("\"{etag}\""))
                        .unwrap_or(HeaderValue::from_static("\"\"")),
                },
            );
        }
        Assets {
            files: Arc::new(files),
        }
    }

    /// The content hashes in cargo-leptos's hash file (`js: …`, `wasm: …`, `css: …`).
    pub fn hashes(hash_file: &Path) -> Vec<String> {
        hash_lines(hash_file)
            .into_iter()
            .map(|(_, hash)| hash)
            .collect()
    }
}

/// cargo-leptos's hash file, beside the server's executable (where Leptos reads it too),
/// if the build names files by their content.
pub fn hash_file(options: &LeptosOptions) -> Option<PathBuf> {
    if !options.hash_files {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(options.hash_file.as_ref()))
}

/// The (kind, hash) lines of a hash file: `css: <hash>` and the like.
fn hash_lines(hash_file: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(hash_file)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(kind, hash)| (kind.trim().to_owned(), hash.trim().to_owned()))
        .filter(|(_, hash)| !hash.is_empty())
        .collect()
}

/// The stylesheet's address as the pages link it (`/pkg/hcrm.<hash>.css`), for the few
/// pages written by hand rather than rendered by Leptos. Read once: a build's hash file
/// does not change while its server runs.
pub fn stylesheet_href(options: &LeptosOptions) -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| {
        let hash = hash_file(options)
            .map(|file| hash_lines(&file))
            .unwrap_or_default()
            .into_iter()
            .find(|(kind, _)| kind == "css")
            .map(|(_, hash)| format!(".{hash}"))
            .unwrap_or_default();
        format!(
            "/{}/{}{hash}.css",
            options.site_pkg_dir, options.output_name
        )
    })
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("ts") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether `accept_encoding` takes `coding` (a `;q=0` refuses it).
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    accept_encoding.split(',').any(|part| {
        let mut pieces = part.split(';');
        pieces.next().is_some_and(|name| name.trim() == coding)
            && pieces.all(|param| param.trim().replace(' ', "") != "q=0")
    })
}

/// Middleware in front of everything: a `GET` (or `HEAD`) of one of the files is answered
/// here; anything else goes on (a missing file gets the site's not-found page).
pub async fn serve(State(assets): State<Assets>, request: Request, next: Next) -> Response {
    let asset = match *request.method() {
        Method::GET | Method::HEAD => assets.files.get(request.uri().path()),
        _ => None,
    };
    match asset {
        Some(asset) => answer(asset, request.headers()),
        None => next.run(request).await,
    }
}

fn answer(asset: &Asset, headers: &HeaderMap) -> Response {
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|tag| tag == asset.etag)
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let accepted = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let (body, encoding) = match (&asset.brotli, &asset.gzip) {
            (Some(br), _) if accepts(accepted, "br") => (br.clone(), Some("br")),
            (_, Some(gz)) if accepts(accepted, "gzip") => (gz.clone(), Some("gzip")),
            _ => (asset.plain.clone(), None),
        };
        let mut response = Response::new(Body::from(body));
        if let Some(encoding) = encoding {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        response
    };
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, asset.content_type.clone());
    out.insert(header::CACHE_CONTROL, asset.cache_control.clone());
    out.insert(header::ETAG, asset.etag.clone());
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if asset.brotli.is_some() || asset.gzip.is_some() {
        out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encoding_is_taken_unless_refused() {
        assert!(accepts("gzip, deflate, br", "br"));
        assert!(accepts("br;q=0.5, gzip", "br"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(!accepts("gzip", "br"));
        assert!(!accepts("", "gzip"));
    }

    #[test]
    fn only_a_file_named_by_this_builds_hash_is_kept_for_a_year() {
        let dir = std::env::temp_dir().join(format!("hcrm-assets-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("hcrm.abc123.css"), "a{}").unwrap();
        std::fs::write(dir.join("hcrm.abc123.css.br"), "compressed").unwrap();
        std::fs::write(dir.join("hcrm.css"), "b{}").unwrap();
        let hashes_file = dir.join("hash.txt");
        std::fs::write(&hashes_file, "js: zzz\ncss: abc123\n").unwrap();

        let assets = Assets::load(&dir, "pkg", &Assets::hashes(&hashes_file));
        std::fs::remove_dir_all(&dir).unwrap();

        let hashed = &assets.files["/pkg/hcrm.abc123.css"];
        assert_eq!(hashed.cache_control, IMMUTABLE);
        assert_eq!(hashed.brotli.as_deref(), Some(&b"compressed"[..]));
        assert_eq!(hashed.content_type, "text/css; charset=utf-8");
        assert_eq!(assets.files["/pkg/hcrm.css"].cache_control, REVALIDATE);
        assert!(
            !assets.files.contains_key("/pkg/hcrm.abc123.css.br"),
            "a variant is not a file of its own"
        );
    }
}
