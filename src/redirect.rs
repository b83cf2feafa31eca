//! Where a visitor may be sent next: the `next` of a sign-in, the page remembered while
//! they signed in, the console's `back`. Every door that redirects to an address taken
//! from a request asks [`local_path`] first (`docs/security.md`, "Redirects").
//!
//! The address is judged the way a browser will read it (the WHATWG URL standard, through
//! the `url` crate), not by looking at its first characters: a browser drops TAB, LF and
//! CR anywhere in a URL and reads `\` as `/`, so `/\t/evil.example` and `/\evil.example`
//! both lead to another host although neither starts with `//`.

use url::{Position, Url};

/// A stand-in origin to resolve against. Only relative paths are accepted, so a path
/// that stays on this origin stays on the request's own origin, whatever that is.
const SAME_ORIGIN: &str = "http://same-origin.invalid/";

/// `next` as a path (with its query and fragment) of the host that received it, or `None`
/// when a browser would leave that host for it, or when it holds anything a browser would
/// quietly drop or rewrite: control characters, whitespace, backslashes, or an encoded
/// slash or backslash at the start of the path. The path returned is the one the browser
/// would request (`/a/../b` becomes `/b`), so it is always a valid header value.
pub fn local_path(next: &str) -> Option<String> {
    if !next.starts_with('/')
        || next.chars().any(|c| c.is_control() || c.is_whitespace())
        || next.contains('\\')
    {
        return None;
    }
    let base = Url::parse(SAME_ORIGIN).ok()?;
    let url = base.join(next).ok()?;
    if url.origin() != base.origin() {
        return None;
    }
    // `/%2F%2Fevil.example` is a path of this host to a browser, but a proxy or a later
    // decoding step could read it as `//evil.example`: nothing we send looks like that.
    let decoded = percent_encoding_free_start(url.path());
    if decoded.starts_with("//") || decoded.starts_with("/\\") {
        return None;
    }
    Some(url[Position::BeforePath..].to_owned())
}

/// The first characters of `path` with `%2F`/`%2f` and `%5C`/`%5c` read as the characters
/// they encode (enough to see whether the path starts like another host's address).
fn percent_encoding_free_start(path: &str) -> String {
    let lower = path
        .get(..path.len().min(16))
        .unwrap_or(path)
        .to_lowercase();
    lower.replace("%2f", "/").replace("%5c", "\\")
}

/// [`local_path`] of `next`, else `fallback`.
pub fn local_path_or(next: Option<&str>, fallback: &str) -> String {
    next.and_then(local_path)
        .unwrap_or_else(|| fallback.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(next: &str) -> Option<String> {
        local_path(next)
    }

    #[test]
    fn a_path_of_this_host_is_kept_with_its_query_and_fragment() {
        assert_eq!(judged("/settings/team").as_deref(), Some("/settings/team"));
        assert_eq!(
            judged("/admin?q=acme&status=pending#row").as_deref(),
            Some("/admin?q=acme&status=pending#row")
        );
        assert_eq!(judged("/").as_deref(), Some("/"));
    }

    #[test]
    fn a_path_is_given_as_the_browser_would_request_it() {
        assert_eq!(judged("/a/../leads").as_deref(), Some("/leads"));
        assert_eq!(judged("/leads?q=é").as_deref(), Some("/leads?q=%C3%A9"));
    }

    #[test]
    fn a_colon_in_a_path_or_query_is_still_this_host() {
        assert_eq!(judged("/a:b").as_deref(), Some("/a:b"));
        assert_eq!(
            judged("/leads?at=12:30").as_deref(),
            Some("/leads?at=12:30")
        );
        assert_eq!(
            judged("/javascript:alert(1)").as_deref(),
            Some("/javascript:alert(1)")
        );
    }

    #[test]
    fn tab_line_feed_and_carriage_return_are_refused_anywhere() {
        for next in [
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r/evil.example/",
            "\t//evil.example/",
            "/leads\t",
            "/leads?x=\n",
            "/le\rads",
            "/\u{0}",
            "/\u{7f}",
        ] {
            assert_eq!(judged(next), None, "{next:?}");
        }
    }

    #[test]
    fn backslashes_either_way_round_are_refused() {
        for next in [
            "/\\evil.example",
            "\\/evil.example",
            "\\\\evil.example",
            "/leads\\x",
        ] {
            assert_eq!(judged(next), None, "{next:?}");
        }
    }

    #[test]
    fn leading_whitespace_is_refused() {
        for next in [
            " /leads",
            " //evil.example",
            "\u{a0}/leads",
            "\u{2028}/leads",
        ] {
            assert_eq!(judged(next), None, "{next:?}");
        }
    }

    #[test]
    fn another_host_in_any_spelling_is_refused() {
        for next in [
            "//evil.example/",
            "///evil.example/",
            "////evil.example",
            "https://evil.example/",
            "http://same-origin.invalid/leads",
            "javascript:alert(1)",
            "evil.example",
            "leads",
            "",
        ] {
            assert_eq!(judged(next), None, "{next:?}");
        }
    }

    #[test]
    fn percent_encoded_slashes_and_backslashes_at_the_start_are_refused() {
        for next in [
            "/%2F%2Fevil.example",
            "/%2f/evil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "%2F%2Fevil.example",
        ] {
            assert_eq!(judged(next), None, "{next:?}");
        }
        assert_eq!(judged("/files/a%2Fb").as_deref(), Some("/files/a%2Fb"));
    }

    #[test]
    fn the_fallback_is_used_for_anything_refused() {
        assert_eq!(local_path_or(Some("/\t/evil.example"), "/leads"), "/leads");
        assert_eq!(local_path_or(None, "/leads"), "/leads");
        assert_eq!(local_path_or(Some("/settings"), "/leads"), "/settings");
    }
}
