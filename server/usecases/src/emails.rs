//! The emails the platform sends, rendered from `templates/` (HTML escaped by askama,
//! plain text alongside), and queued sealed in the outbox with [`queue`].

use askama::Template;
use domain::{Email, Role};

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

/// Queues `email` to `to` in `tx`, its bodies sealed with the platform's mail key.
pub async fn queue(
    p: &Platform,
    tx: &mut db::Tx,
    tenant: Option<db::TenantId>,
    to: &Email,
    email: &OutgoingEmail,
) -> Result<(), Error> {
    let sealed = p.mail_key.seal(&email.body());
    db::outbox::enqueue(tx, tenant, to, &email.subject, &sealed).await?;
    Ok(())
}

/// Queues `email` to every HREF staff member in `tx`; how many were queued.
pub async fn queue_to_staff(
    p: &Platform,
    tx: &mut db::Tx,
    email: &OutgoingEmail,
) -> Result<i32, Error> {
    let sealed = p.mail_key.seal(&email.body());
    Ok(db::staff::enqueue_notice(tx, &email.subject, &sealed).await?)
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InviteHtml<'a> {
    subject: &'a str,
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
pub fn invite(tenant_name: &str, role: Role, invite_url: &str) -> Result<OutgoingEmail, Error> {
    let subject = format!("You're invited to {tenant_name} on HREF CRM");
    let role = match role {
        Role::Admin => "an admin",
        Role::Member => "a member",
    };
    let html = InviteHtml {
        subject: &subject,
        tenant_name,
        role,
        invite_url,
        valid_days: db::invites::VALID_DAYS,
    }
    .render()?;
    let text = InviteText {
        tenant_name,
        role,
        invite_url,
        valid_days: db::invites::VALID_DAYS,
    }
    .render()?;
    Ok(OutgoingEmail {
        subject,
        text,
        html,
    })
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyHtml<'a> {
    subject: &'a str,
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
pub fn verification(tenant_name: &str, url: &str) -> Result<OutgoingEmail, Error> {
    let subject = format!("Verify your email for {tenant_name}");
    let valid_hours = db::verifications::VALID_HOURS;
    Ok(OutgoingEmail {
        html: VerifyHtml {
            subject: &subject,
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
#[template(path = "staff_notice.html")]
struct StaffNoticeHtml<'a> {
    subject: &'a str,
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

    #[test]
    fn the_invite_escapes_the_tenant_name_in_html_only() {
        let email = invite(
            "<b>Acme</b> & Co",
            Role::Admin,
            "http://acme.localhost:3000/invite/t",
        )
        .unwrap();
        assert!(
            email.html.contains("&#60;b&#62;Acme&#60;/b&#62; &#38; Co")
                || email.html.contains("&lt;b&gt;Acme")
        );
        assert!(!email.html.contains("<b>Acme"));
        assert!(email.text.contains("<b>Acme</b> & Co"));
        assert!(email.text.contains("http://acme.localhost:3000/invite/t"));
        assert_eq!(
            email.subject,
            "You're invited to <b>Acme</b> & Co on HREF CRM"
        );
    }
}
