-- Lists in chronological order, read a window at a time: the key an article is listed under
-- (its published revision's publish_at) is kept on the article, so that a column's newest
-- items, its size and an article's rank are index walks instead of joins over the whole site.
ALTER TABLE articles ADD COLUMN list_at TEXT;
UPDATE articles SET list_at = (SELECT r.publish_at FROM revisions r WHERE r.id = articles.published_revision_id)
    WHERE published_revision_id IS NOT NULL;
CREATE INDEX articles_listed ON articles (column_id, list_at, id) WHERE status = 'published';
CREATE INDEX articles_listed_site ON articles (site_id, list_at, id) WHERE status = 'published';
-- The few pinned articles of a column, without walking its list.
CREATE INDEX articles_pinned ON articles (column_id, list_at, id) WHERE status = 'published' AND pinned <> 0;

-- A job remembers where its article stood on the lists when it was queued, so that the
-- publisher re-renders the list pages from there up, not the whole column. A publisher claims
-- jobs for a while (claimed_by, claimed_until) so that two nodes never run the same one.
ALTER TABLE publish_jobs ADD COLUMN old_list_at TEXT;
ALTER TABLE publish_jobs ADD COLUMN claimed_by TEXT;
ALTER TABLE publish_jobs ADD COLUMN claimed_until INTEGER;
