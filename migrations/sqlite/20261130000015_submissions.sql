-- 信息报送: an article of one site offered to another (usually the portal). An accepted
-- submission is a page of the receiving site: an article row there (copy_id) whose live
-- revision is the source's own, so one edit and one withdrawal at the source reach both pages.
ALTER TABLE articles ADD COLUMN source_article_id INTEGER REFERENCES articles(id);
CREATE INDEX articles_source ON articles (source_article_id) WHERE source_article_id IS NOT NULL;

CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    from_site_id INTEGER NOT NULL REFERENCES sites(id),
    to_site_id INTEGER NOT NULL REFERENCES sites(id),
    state TEXT NOT NULL CHECK (state IN ('submitted', 'accepted', 'declined', 'withdrawn')),
    note TEXT NOT NULL DEFAULT '',
    submitted_by TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    decided_by TEXT,
    decided_at INTEGER,
    reason TEXT,
    copy_id INTEGER REFERENCES articles(id),
    -- An edit approved at the source that waits for the receiving site to accept it again.
    pending_revision_id INTEGER REFERENCES revisions(id)
);
-- One open submission of an article to a site at a time; a declined one may be offered again.
CREATE UNIQUE INDEX submissions_open ON submissions (article_id, to_site_id) WHERE state IN ('submitted', 'accepted');
CREATE INDEX submissions_to ON submissions (to_site_id, state, submitted_at);
CREATE INDEX submissions_from ON submissions (from_site_id, submitted_at);
