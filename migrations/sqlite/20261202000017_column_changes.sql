-- Columns and 专题 managed in the admin. The site's YAML file stays the one definition (the
-- admin writes its columns block); this keeps every change with the list before and after
-- (JSON), so that the central office sees each one and can veto it (the list before returns).
CREATE TABLE column_changes (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    summary TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    vetoed_by TEXT,
    vetoed_at INTEGER,
    veto_reason TEXT
);
CREATE INDEX column_changes_site ON column_changes (site_id, id);

-- A job that publishes the whole site again: its navigation or its columns changed.
ALTER TABLE publish_jobs ADD COLUMN whole INTEGER NOT NULL DEFAULT 0;
