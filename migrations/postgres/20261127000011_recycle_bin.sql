-- 回收站: a draft or withdrawn article an editor deletes stays, restorable, for 30 days. It
-- is never erased: its history belongs to the government's records.
ALTER TABLE articles ADD COLUMN deleted_at BIGINT;
ALTER TABLE articles ADD COLUMN deleted_by TEXT;
CREATE INDEX articles_deleted ON articles (site_id, deleted_at);
