-- Every node's search index follows every publish: a finished publish job appends the
-- articles it touched, in commit order, and each node applies the entries past its position.
CREATE TABLE search_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX search_log_at ON search_log (at);
