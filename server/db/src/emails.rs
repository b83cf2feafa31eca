//! The emails the platform sends, rendered from `templates/` (HTML escaped by askama,
//! plain text alongside). They are queued with [`crate::outbox::enqueue`].

use askama::Template;
use domain::Role;

use crate::{Error, invites};

/// A rendered email, ready for the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
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
        valid_days: invites::VALID_DAYS,
    }
    .render()?;
    let text = InviteText {
        tenant_name,
        role,
        invite_url,
        valid_days: invites::VALID_DAYS,
    }
    .render()?;
    Ok(OutgoingEmail {
        subject,
        text,
        html,
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
