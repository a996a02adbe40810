-- The publisher looks links up from both ends: a policy's interpretations and an
-- interpretation's policy.
CREATE INDEX article_links_interpretation ON article_links (interpretation_id);
