-- Sites and columns mirror sites/*.yaml; the YAML stays the source of truth for them.
CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    host TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    org_code TEXT NOT NULL,
    config_json TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    synced_at INTEGER NOT NULL
);

CREATE TABLE site_columns (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_slug TEXT,
    position INTEGER NOT NULL,
    is_base INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    UNIQUE (site_id, slug)
);

-- An article is the stable identity (索引号, URL); its text lives in revisions.
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    column_id INTEGER NOT NULL REFERENCES site_columns(id),
    index_no TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'published', 'withdrawn')),
    published_revision_id INTEGER,
    pinned INTEGER NOT NULL DEFAULT 0,
    source_key TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (site_id, source_key)
);
CREATE INDEX articles_site_status ON articles (site_id, status);

CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_md TEXT NOT NULL,
    publish_at TEXT NOT NULL,
    doc_number TEXT,
    issuer TEXT,
    written_date TEXT,
    topic TEXT,
    disclosure TEXT NOT NULL,
    validity TEXT NOT NULL,
    cover_sha256 TEXT,
    content_hash TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (article_id, number)
);

-- 索引号 serials per site and year; allocated with an atomic upsert, never reused.
CREATE TABLE index_serials (
    site_id INTEGER NOT NULL REFERENCES sites(id),
    year INTEGER NOT NULL,
    last_serial INTEGER NOT NULL,
    PRIMARY KEY (site_id, year)
);

-- Attachment bytes, content-addressed so that the same file is stored once.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE revision_attachments (
    revision_id INTEGER NOT NULL REFERENCES revisions(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    PRIMARY KEY (revision_id, position)
);

-- A policy document and its interpretations (政策解读).
CREATE TABLE article_links (
    policy_id INTEGER NOT NULL REFERENCES articles(id),
    interpretation_id INTEGER NOT NULL REFERENCES articles(id),
    PRIMARY KEY (policy_id, interpretation_id)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    ip TEXT,
    site_id INTEGER,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
