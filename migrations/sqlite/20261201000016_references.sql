-- 引用: a published article shown in a further column of its own site is a copy there, as an
-- accepted submission is on the receiving site. One live copy per source and column: two
-- people placing the same article in the same column at once get one page and a conflict.
CREATE UNIQUE INDEX articles_one_copy_per_column ON articles (source_article_id, column_id)
    WHERE source_article_id IS NOT NULL AND status = 'published';
