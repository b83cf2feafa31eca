//! The emails the platform sends, rendered from `templates/` (HTML escaped by askama,
//! plain text alongside), branded with the workspace they are about, and queued sealed in
//! the outbox with [`queue`].

use askama::Template;
use domain::{Email, HexColour, Role};

use crate::{Error, Platform, sealing::Body};

/// A rendered email, ready for the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl From<askama::Error> for Error {
    fn from(error: askama::Error) -> Error {
        tracing::error!(%error, "an email template failed to render");
        Error::Internal
    }
}

impl OutgoingEmail {
    /// The bodies, for sealing.
    fn body(&self) -> Body {
        Body {
            text: self.text.clone(),
            html: self.html.clone(),
        }
    }
}

/// Whose look an email wears: a workspace's name, colour and logo, or HREF CRM's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Brand {
    pub name: String,
    /// `#rrggbb`, for the header and the buttons.
    pub colour: String,
    /// The readable text colour on it.
    pub text_colour: &'static str,
    /// The workspace's logo, if it has one.
    pub logo_url: Option<String>,
}

impl Brand {
    /// HREF CRM's own look, for emails about no workspace in particular.
    pub fn platform() -> Brand {
        Brand::new("HREF CRM", &HexColour::default_brand(), None)
    }

    /// A workspace's look.
    pub fn new(name: &str, colour: &HexColour, logo_url: Option<String>) -> Brand {
        Brand {
            name: name.to_owned(),
            colour: colour.as_str().to_owned(),
            text_colour: colour.readable_text(),
            logo_url,
        }
    }

    /// The look of the workspace at `slug`, read in the caller's transaction.
    pub async fn of_tenant(p: &Platform, tx: &mut db::Tx, slug: &str) -> Result<Brand, Error> {
        let settings = db::tenants::settings(tx).await?;
        let colour =
            HexColour::parse(&settings.brand_colour).unwrap_or_else(|_| HexColour::default_brand());
        let logo = db::logos::etag(tx)
            .await?
            .map(|etag| p.links.tenant_url(slug, &format!("/brand/logo?v={etag}")));
        Ok(Brand::new(&settings.name, &colour, logo))
    }
}

/// Queues `email` to `to` in `tx`, its bodies sealed with the platform's mail key.
pub async fn queue(
    p: &Platform,
    tx: &mut db::Tx,
    tenant: Option<db::TenantId>,
    to: &Email,
    email: &OutgoingEmail,
) -> Result<(), Error> {
    queue_as(p, tx, tenant, to, email, db::outbox::Delivery::Now).await
}

/// Queues `email` to `to` in `tx`, to go out now or to wait for the workspace's approval.
pub async fn queue_as(
    p: &Platform,
    tx: &mut db::Tx,
    tenant: Option<db::TenantId>,
    to: &Email,
    email: &OutgoingEmail,
    delivery: db::outbox::Delivery,
) -> Result<(), Error> {
    let sealed = p.sealing_key.seal(&email.body());
    db::outbox::enqueue(tx, tenant, to, &email.subject, &sealed, delivery).await?;
    Ok(())
}

/// Queues `email` to every HREF staff member in `tx`; how many were queued.
pub async fn queue_to_staff(
    p: &Platform,
    tx: &mut db::Tx,
    email: &OutgoingEmail,
) -> Result<i32, Error> {
    let sealed = p.sealing_key.seal(&email.body());
    Ok(db::staff::enqueue_notice(tx, &email.subject, &sealed).await?)
}

fn role_words(role: Role) -> &'static str {
    match role {
        Role::Admin => "an admin",
        Role::Member => "a member",
    }
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InviteHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    tenant_name: &'a str,
    role: &'a str,
    invite_url: &'a str,
    valid_days: i32,
}

#[derive(Template)]
#[template(path = "invite.txt")]
struct InviteText<'a> {
    tenant_name: &'a str,
    role: &'a str,
    invite_url: &'a str,
    valid_days: i32,
}

/// The invite to join a workspace.
pub fn invite(brand: &Brand, role: Role, invite_url: &str) -> Result<OutgoingEmail, Error> {
    let tenant_name = brand.name.as_str();
    let subject = format!("You're invited to {tenant_name} on HREF CRM");
    let role = role_words(role);
    let valid_days = db::invites::VALID_DAYS;
    Ok(OutgoingEmail {
        html: InviteHtml {
            subject: &subject,
            brand,
            tenant_name,
            role,
            invite_url,
            valid_days,
        }
        .render()?,
        text: InviteText {
            tenant_name,
            role,
            invite_url,
            valid_days,
        }
        .render()?,
        subject,
    })
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    tenant_name: &'a str,
    url: &'a str,
    valid_hours: i32,
}

#[derive(Template)]
#[template(path = "verify.txt")]
struct VerifyText<'a> {
    tenant_name: &'a str,
    url: &'a str,
    valid_hours: i32,
}

/// The link that verifies a new account's email address.
pub fn verification(brand: &Brand, url: &str) -> Result<OutgoingEmail, Error> {
    let tenant_name = brand.name.as_str();
    let subject = format!("Verify your email for {tenant_name}");
    let valid_hours = db::verifications::VALID_HOURS;
    Ok(OutgoingEmail {
        html: VerifyHtml {
            subject: &subject,
            brand,
            tenant_name,
            url,
            valid_hours,
        }
        .render()?,
        text: VerifyText {
            tenant_name,
            url,
            valid_hours,
        }
        .render()?,
        subject,
    })
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    email: &'a str,
    url: &'a str,
    valid_minutes: i32,
}

#[derive(Template)]
#[template(path = "reset.txt")]
struct ResetText<'a> {
    brand: &'a Brand,
    email: &'a str,
    url: &'a str,
    valid_minutes: i32,
}

/// The link that sets a new password.
pub fn password_reset(brand: &Brand, email: &Email, url: &str) -> Result<OutgoingEmail, Error> {
    let subject = format!("Reset your password for {}", brand.name);
    let valid_minutes = db::password_resets::VALID_MINUTES;
    Ok(OutgoingEmail {
        html: ResetHtml {
            subject: &subject,
            brand,
            email: email.as_str(),
            url,
            valid_minutes,
        }
        .render()?,
        text: ResetText {
            brand,
            email: email.as_str(),
            url,
            valid_minutes,
        }
        .render()?,
        subject,
    })
}

#[derive(Template)]
#[template(path = "staff_notice.html")]
struct StaffNoticeHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    tenant_name: &'a str,
    slug: &'a str,
    splash_url: &'a str,
    person: &'a str,
    email: &'a str,
}

#[derive(Template)]
#[template(path = "staff_notice.txt")]
struct StaffNoticeText<'a> {
    tenant_name: &'a str,
    slug: &'a str,
    splash_url: &'a str,
    person: &'a str,
    email: &'a str,
}

/// Tells HREF staff that a new workspace awaits approval.
pub fn staff_signup_notice(
    tenant_name: &str,
    slug: &str,
    splash_url: &str,
    person: &str,
    email: &str,
) -> Result<OutgoingEmail, Error> {
    let subject = format!("New workspace awaiting approval: {tenant_name} ({slug})");
    Ok(OutgoingEmail {
        html: StaffNoticeHtml {
            subject: &subject,
            brand: &Brand::platform(),
            tenant_name,
            slug,
            splash_url,
            person,
            email,
        }
        .render()?,
        text: StaffNoticeText {
            tenant_name,
            slug,
            splash_url,
            person,
            email,
        }
        .render()?,
        subject,
    })
}

#[derive(Template)]
#[template(path = "workspace_list.html")]
struct WorkspaceListHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    workspaces: &'a [(String, String)],
}

#[derive(Template)]
#[template(path = "workspace_list.txt")]
struct WorkspaceListText<'a> {
    workspaces: &'a [(String, String)],
}

/// The workspaces of an address, as (name, sign-in URL) pairs.
pub fn workspace_list(workspaces: &[(String, String)]) -> Result<OutgoingEmail, Error> {
    let subject = "Your HREF CRM workspaces".to_owned();
    Ok(OutgoingEmail {
        html: WorkspaceListHtml {
            subject: &subject,
            brand: &Brand::platform(),
            workspaces,
        }
        .render()?,
        text: WorkspaceListText { workspaces }.render()?,
        subject,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme() -> Brand {
        Brand::new(
            "<b>Acme</b> & Co",
            &HexColour::parse("#ff5500").unwrap(),
            Some("http://acme.localhost:3000/brand/logo?v=1".into()),
        )
    }

    #[test]
    fn the_invite_escapes_the_tenant_name_in_html_only() {
        let email = invite(&acme(), Role::Admin, "http://acme.localhost:3000/invite/t").unwrap();
        assert!(!email.html.contains("<b>Acme"));
        assert!(email.html.contains("&#60;b&#62;Acme") || email.html.contains("&lt;b&gt;Acme"));
        assert!(email.text.contains("<b>Acme</b> & Co"));
        assert!(email.text.contains("http://acme.localhost:3000/invite/t"));
        assert_eq!(
            email.subject,
            "You're invited to <b>Acme</b> & Co on HREF CRM"
        );
    }

    #[test]
    fn a_workspaces_email_wears_its_colour_and_logo() {
        let email = invite(&acme(), Role::Member, "http://acme.localhost:3000/invite/t").unwrap();
        assert!(email.html.contains("background:#ff5500"));
        assert!(
            email
                .html
                .contains("src=\"http://acme.localhost:3000/brand/logo?v=1\"")
        );
        let reset = password_reset(
            &acme(),
            &Email::parse("ada@acme.test").unwrap(),
            "http://acme.localhost:3000/reset/t",
        )
        .unwrap();
        assert!(reset.html.contains("background:#ff5500"));
        assert!(reset.text.contains("http://acme.localhost:3000/reset/t"));
        assert!(reset.text.contains("60 minutes"));
    }
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusHtml<'a> {
    subject: &'a str,
    brand: &'a Brand,
    headline: &'a str,
    message: &'a str,
    reason: Option<&'a str>,
    url: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "status.txt")]
struct StatusText<'a> {
    headline: &'a str,
    message: &'a str,
    reason: Option<&'a str>,
    url: Option<&'a str>,
}

/// Tells a workspace's admins what HREF staff decided about it: approved, not approved,
/// suspended or reactivated, with the reason when there is one.
pub fn status_change(
    brand: &Brand,
    action: domain::StatusAction,
    reason: Option<&str>,
    splash_url: &str,
) -> Result<OutgoingEmail, Error> {
    use domain::StatusAction as A;
    let name = brand.name.as_str();
    let (subject, headline, message, url) = match action {
        A::Approve => (
            format!("{name} is approved"),
            "Your workspace is approved".to_owned(),
            format!("{name} is live now. Sign in and share your splash page."),
            Some(splash_url),
        ),
        A::Reject => (
            format!("Your {name} signup was not approved"),
            "Your signup was not approved".to_owned(),
            format!("HREF staff reviewed the signup for {name} and did not approve it."),
            None,
        ),
        A::Suspend => (
            format!("{name} is suspended"),
            "Your workspace is suspended".to_owned(),
            format!(
                "HREF staff suspended {name}. Signing in and lead intake are stopped until it is reactivated; no data was removed."
            ),
            None,
        ),
        A::Reactivate => (
            format!("{name} is active again"),
            "Your workspace is active again".to_owned(),
            format!(
                "HREF staff reactivated {name}. Everyone can sign in again and leads are received."
            ),
            Some(splash_url),
        ),
    };
    Ok(OutgoingEmail {
        html: StatusHtml {
            subject: &subject,
            brand,
            headline: &headline,
            message: &message,
            reason,
            url,
        }
        .render()?,
        text: StatusText {
            headline: &headline,
            message: &message,
            reason,
            url,
        }
        .render()?,
        subject,
    })
}

/// Tells a workspace's admins that one of its custom domains failed its re-checks: what
/// was found, and where to verify it again.
pub fn domain_failed(
    brand: &Brand,
    domain: &str,
    found: &str,
    domains_url: &str,
) -> Result<OutgoingEmail, Error> {
    let subject = format!("{domain} no longer reaches {}", brand.name);
    let headline = format!("{domain} stopped working");
    let message = format!(
        "The ownership record of {domain} was missing at three checks in a row, so {domain} no longer opens {} and gets no new certificate. Put the TXT record back as Settings → Domains shows it, then click Verify: the domain works again at once.",
        brand.name
    );
    Ok(OutgoingEmail {
        html: StatusHtml {
            subject: &subject,
            brand,
            headline: &headline,
            message: &message,
            reason: Some(found),
            url: Some(domains_url),
        }
        .render()?,
        text: StatusText {
            headline: &headline,
            message: &message,
            reason: Some(found),
            url: Some(domains_url),
        }
        .render()?,
        subject,
    })
}
