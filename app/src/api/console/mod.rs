//! The staff console's server functions (`/admin` on the apex), one module per page. Each
//! starts with `require_staff`: a signed-out visitor, a tenant user, or a staff cookie sent
//! to another host gets nothing but `SignInRequired` or a 404.

pub mod account;
pub mod audit;
pub mod auth;
pub mod outbox;
pub mod provision;
pub mod staff;
pub mod tenants;

/// `next` if it is a console page of this host (judged as a browser would read it:
/// `domain::redirect`), else the tenant list.
#[cfg(feature = "ssr")]
pub(crate) fn console_next(next: Option<&str>) -> String {
    next.and_then(domain::redirect::local_path)
        .filter(|path| {
            path == "/admin" || path.starts_with("/admin/") || path.starts_with("/admin?")
        })
        .unwrap_or_else(|| "/admin".to_owned())
}

/// Where a console action returns: `back` if it is a console page (its own `done` and
/// `tenant` parameters dropped), else the tenant list; with `done` and the tenant it was
/// about, for the page's outcome line.
#[cfg(feature = "ssr")]
pub(crate) fn done_url(back: &str, done: &str, tenant: Option<&str>) -> String {
    let back = console_next(Some(back));
    let back = back.as_str();
    let (path, query) = back.split_once('?').unwrap_or((back, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| {
            !p.is_empty()
                && !p.starts_with("done=")
                && !p.starts_with("tenant=")
                && !["reject=", "suspend=", "delete="]
                    .iter()
                    .any(|k| p.starts_with(k))
        })
        .collect();
    let done = format!("done={done}");
    params.push(&done);
    let tenant = tenant.map(|t| format!("tenant={t}"));
    if let Some(tenant) = &tenant {
        params.push(tenant);
    }
    format!("{path}?{}", params.join("&"))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::{console_next, done_url};

    #[test]
    fn an_action_returns_to_its_console_page_with_its_outcome() {
        assert_eq!(
            done_url("/admin?q=acme&reject=acme&done=x", "rejected", Some("acme")),
            "/admin?q=acme&done=rejected&tenant=acme"
        );
        assert_eq!(
            done_url("https://evil.example/", "approved", None),
            "/admin?done=approved"
        );
        assert_eq!(
            done_url("/admin/tenants/acme", "plan-saved", None),
            "/admin/tenants/acme?done=plan-saved"
        );
        assert_eq!(
            done_url("/admin?q=\tx", "approved", None),
            "/admin?done=approved"
        );
    }

    #[test]
    fn only_a_console_page_is_a_place_to_return_to() {
        assert_eq!(
            console_next(Some("/admin/audit?actor=x")),
            "/admin/audit?actor=x"
        );
        assert_eq!(console_next(Some("/admin")), "/admin");
        for bad in [
            "/administrator",
            "/leads",
            "/\t/admin",
            "//evil.example/admin",
            "/admin\r\nx",
        ] {
            assert_eq!(console_next(Some(bad)), "/admin", "{bad:?}");
        }
        assert_eq!(console_next(None), "/admin");
    }
}
