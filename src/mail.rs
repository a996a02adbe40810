//! Outgoing mail (the audit's notices) over SMTP. Mail is queued in the database
//! (`store::notices`) and sent from there by `spawn_mailer`, so a relay that is down or a
//! restart delays a notice but never loses it; each failure waits longer before the next try.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::store::notices::Mail;
use crate::store::Store;

/// Where and as whom mail is sent; set with `zhanqun serve --smtp-url … --smtp-from …`.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// `smtp://host:25` (plain), `smtp://host:587?tls=required` (STARTTLS) or
    /// `smtps://user:password@host:465`, as lettre reads it.
    pub url: String,
    /// The sender, e.g. `站群监督检查 <zqjc@shili.gov.cn>`.
    pub from: String,
    /// The admin's public address, for links in the mail, e.g. `https://admin.shili.gov.cn`.
    pub admin_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(
        "SMTP URL `{url}` is not usable: {source} (e.g. smtp://relay.example.gov.cn:25 or smtps://user:pass@host:465)"
    )]
    Url { url: String, source: lettre::transport::smtp::Error },
    #[error("sender `{from}` is not a mail address: {source} (e.g. 站群监督检查 <zqjc@example.gov.cn>)")]
    From { from: String, source: lettre::address::AddressError },
}

/// A ready SMTP client.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// Checks the settings at start, so that a typo fails the start and not the first notice.
    pub fn new(s: &SmtpSettings) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&s.url)
            .map_err(|source| MailError::Url { url: crate::store::redact(&s.url), source })?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = s.from.parse().map_err(|source| MailError::From { from: s.from.clone(), source })?;
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, mail: &Mail) -> Result<(), String> {
        let to: Mailbox = mail.recipient.parse().map_err(|e| format!("收件地址无效：{e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Sends what is due now; returns how many went out.
pub async fn send_due(store: &Store, mailer: &Mailer) -> Result<usize, crate::store::StoreError> {
    let mut sent = 0;
    for mail in store.due_mail(crate::store::now_unix(), 50).await? {
        match mailer.send(&mail).await {
            Ok(()) => {
                store.mail_sent(mail.id).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(mail = mail.id, attempts = mail.attempts + 1, error = %e, "mail not sent; retried later");
                store.mail_failed(&mail, &e).await?;
            }
        }
    }
    Ok(sent)
}
