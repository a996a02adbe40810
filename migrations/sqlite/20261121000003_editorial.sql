-- People and their sessions. A user belongs to one site, except the central office's.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('central', 'site-admin', 'reviewer', 'editor')),
    site_id INTEGER REFERENCES sites(id),
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((role = 'central') = (site_id IS NULL))
);
CREATE INDEX users_site ON users (site_id);

-- Server-side sessions, so that several nodes share them. Only a hash of the cookie is kept.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    ip TEXT,
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins by account (`user:<name>`) and by address (`ip:<addr>`), for the lockout.
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

-- The workflow lives on revisions: a draft is edited, submitted, passes its review levels and
-- is approved; the live revision stays online until then. Imported revisions are 'approved'.
ALTER TABLE revisions ADD COLUMN state TEXT NOT NULL DEFAULT 'approved'
    CHECK (state IN ('draft', 'submitted', 'rejected', 'approved', 'superseded'));
ALTER TABLE revisions ADD COLUMN level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE revisions ADD COLUMN author_id INTEGER REFERENCES users(id);
ALTER TABLE revisions ADD COLUMN column_id INTEGER REFERENCES site_columns(id);
ALTER TABLE revisions ADD COLUMN pinned INTEGER;
ALTER TABLE revisions ADD COLUMN interprets_id INTEGER REFERENCES articles(id);
ALTER TABLE revisions ADD COLUMN updated_at INTEGER;
ALTER TABLE revision_attachments ADD COLUMN alt TEXT;
-- The revision being worked on, if any; the live one is published_revision_id.
ALTER TABLE articles ADD COLUMN work_revision_id INTEGER REFERENCES revisions(id);
ALTER TABLE articles ADD COLUMN author_id INTEGER REFERENCES users(id);
CREATE INDEX revisions_state ON revisions (state);

CREATE TABLE review_steps (
    id INTEGER PRIMARY KEY,
    revision_id INTEGER NOT NULL REFERENCES revisions(id),
    level INTEGER NOT NULL,
    reviewer_id INTEGER NOT NULL REFERENCES users(id),
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    comment TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX review_steps_revision ON review_steps (revision_id);

-- Pages to re-publish, written in the same transaction as the approval or withdrawal that
-- needs them, so that a crash in between publishes on restart.
CREATE TABLE publish_jobs (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    article_id INTEGER REFERENCES articles(id),
    old_path TEXT,
    old_column TEXT,
    due_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    done_at INTEGER
);
CREATE INDEX publish_jobs_pending ON publish_jobs (done_at, due_at);

CREATE INDEX audit_log_site ON audit_log (site_id, at);
