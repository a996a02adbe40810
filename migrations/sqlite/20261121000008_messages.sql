-- Citizen messages (政民互动): consultations, suggestions and complaints written to a site or to
-- one of its leader mailboxes, with their handling (受理, 转办, replies through review) and the
-- statutory deadlines counted in working days.

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    -- The query code (查询码) the citizen got; with the phone number it opens the status page.
    code TEXT NOT NULL UNIQUE,
    -- The site it was written to (首帖负责制) and the site responsible now (after transfers).
    origin_site_id INTEGER NOT NULL REFERENCES sites(id),
    site_id INTEGER NOT NULL REFERENCES sites(id),
    -- A leader mailbox of the origin site by name, or '' for the site's own message board.
    recipient TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('consult', 'suggest', 'complain')),
    subject TEXT NOT NULL,
    content TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT,
    -- The citizen allows the message and its reply to be published (masked).
    publishable INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    -- Beijing dates (YYYY-MM-DD): the reply is due by the end of due_date.
    due_date TEXT NOT NULL,
    acknowledged_at INTEGER,
    ack_text TEXT,
    complex INTEGER NOT NULL DEFAULT 0,
    complex_reason TEXT,
    extension_days INTEGER,
    extension_reason TEXT,
    extension_state TEXT CHECK (extension_state IN ('requested', 'approved', 'refused')),
    reply TEXT,
    reply_state TEXT CHECK (reply_state IN ('draft', 'submitted', 'rejected', 'approved')),
    -- Review levels passed by the submitted reply.
    reply_level INTEGER NOT NULL DEFAULT 0,
    reply_author_id INTEGER REFERENCES users(id),
    answered_at INTEGER,
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment TEXT,
    rated_at INTEGER,
    reminded_at INTEGER,
    overdue_notified_at INTEGER
);
CREATE INDEX messages_site ON messages (site_id, received_at);
CREATE INDEX messages_open ON messages (answered_at, due_date);

-- Every step of a message, shown as its history; the audit log has each step too.
CREATE TABLE message_events (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id),
    -- The site responsible when the step was taken.
    site_id INTEGER NOT NULL REFERENCES sites(id),
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX message_events_message ON message_events (message_id, id);

-- Each site's standard acknowledgement text; the group's default applies while absent.
CREATE TABLE interaction_settings (
    site_id INTEGER PRIMARY KEY REFERENCES sites(id),
    ack_text TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Secrets the service nodes share, created on first use (the proof-of-work key).
CREATE TABLE service_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Proof-of-work challenges already spent, kept until they would have expired anyway.
CREATE TABLE spent_challenges (
    token_hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX spent_challenges_expiry ON spent_challenges (expires_at);
