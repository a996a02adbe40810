-- Notices (通报) to a site's administrators, the mail that carries them when SMTP is set up,
-- the registry of official mailboxes (统一公务邮箱), and each site's check after a publish.

CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    -- audit.veto (a run found new vetoes), publish.veto (the check after a publish did).
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER,
    read_by INTEGER REFERENCES users(id)
);
CREATE INDEX notices_site ON notices (site_id, id);

-- Written in the notice's transaction, so a crash loses neither; sent (and retried) by the
-- service's mailer. Nothing is queued while SMTP is not configured.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    sent_at INTEGER,
    last_error TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_at);

CREATE TABLE official_mailboxes (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    address TEXT NOT NULL,
    -- The staff member it is issued to; NULL for the unit's own mailbox.
    holder TEXT,
    purpose TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applied', 'issued', 'cancelled')),
    -- Shown on the site's contact page while issued.
    listed INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- One live record per address; a cancelled address may be applied for again.
CREATE UNIQUE INDEX official_mailboxes_address ON official_mailboxes (address) WHERE status <> 'cancelled';
CREATE INDEX official_mailboxes_site ON official_mailboxes (site_id);

CREATE TABLE official_mailbox_events (
    id INTEGER PRIMARY KEY,
    mailbox_id INTEGER NOT NULL REFERENCES official_mailboxes(id),
    -- apply, issue, change, cancel
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX official_mailbox_events_box ON official_mailbox_events (mailbox_id, id);

-- The latest cheap check of a site's published output after a publish.
CREATE TABLE publish_checks (
    site_id INTEGER PRIMARY KEY REFERENCES sites(id),
    at INTEGER NOT NULL,
    vetoes INTEGER NOT NULL,
    -- The findings as JSON, the same fields as audit_findings.
    findings TEXT NOT NULL
);
