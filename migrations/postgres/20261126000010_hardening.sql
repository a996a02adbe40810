-- Separation of duties: everyone who wrote or changed a piece of content under review, and
-- the reviewers who passed a level of a reply, so that none of them approves it (again).
-- subject: 'revision' (an article revision), 'reply' (a message's reply), 'solicitation' (its
-- draft) or 'summary' (its feedback summary); subject_id is that row's id.
CREATE TABLE content_hands (
    subject TEXT NOT NULL CHECK (subject IN ('revision', 'reply', 'solicitation', 'summary')),
    subject_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    part TEXT NOT NULL CHECK (part IN ('wrote', 'approved')),
    PRIMARY KEY (subject, subject_id, user_id, part)
);
INSERT INTO content_hands (subject, subject_id, user_id, part)
    SELECT 'revision', id, author_id, 'wrote' FROM revisions WHERE author_id IS NOT NULL;
INSERT INTO content_hands (subject, subject_id, user_id, part)
    SELECT 'reply', id, reply_author_id, 'wrote' FROM messages WHERE reply_author_id IS NOT NULL;
INSERT INTO content_hands (subject, subject_id, user_id, part)
    SELECT 'solicitation', id, author_id, 'wrote' FROM solicitations WHERE author_id IS NOT NULL;

-- Password guesses per account in the current window, counted before the password is
-- checked (one atomic upsert), so that parallel requests cannot verify more than the limit.
CREATE TABLE login_attempts (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    attempts BIGINT NOT NULL
);

-- 'Admin' and 'admin' are one person to the people who read the audit log.
CREATE UNIQUE INDEX users_username_nocase ON users (lower(username));

-- An interpretation (政策解读) of another site links itself to a policy page of that site; the
-- policy's site may take the link off its page. The refusal stays when the interpretation
-- is published again.
ALTER TABLE article_links ADD COLUMN refused_at BIGINT;
ALTER TABLE article_links ADD COLUMN refused_by TEXT;
