//! The staff console's server functions (`/admin` on the apex), one module per page. Each
//! starts with `require_staff`: a signed-out visitor, a tenant user, or a staff cookie sent
//! to another host gets nothing but `SignInRequired` or a 404.

pub mod account;
pub mod audit;
pub mod auth;
pub mod outbox;
pub mod provision;
pub mod tenants;

/// Where a console action returns: `back` if it is a console page (its own `done` and
/// `tenant` parameters dropped), else the tenant list; with `done` and the tenant it was
/// about, for the page's outcome line.
#[cfg(feature = "ssr")]
pub(crate) fn done_url(back: &str, done: &str, tenant: Option<&str>) -> String {
    let back = if back.starts_with("/admin") && !back.contains(['\r', '\n', '\\']) {
        back
    } else {
        "/admin"
    };
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
    use super::done_url;

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
    }
}
