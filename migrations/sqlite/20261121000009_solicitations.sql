-- Opinion solicitations (意见征集): a site publishes a draft (a policy, a plan) for comment
-- between two dates; citizens comment through the protected public form; after closing, the
-- site publishes a summary of the feedback and how it was adopted. Both the draft and the
-- summary go online only after a reviewer approves them.

CREATE TABLE solicitations (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    title TEXT NOT NULL,
    body_md TEXT NOT NULL,
    -- Beijing dates (YYYY-MM-DD), both included.
    opens TEXT NOT NULL,
    closes TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'published')),
    summary_md TEXT,
    summary_state TEXT CHECK (summary_state IN ('draft', 'submitted', 'published')),
    author_id INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    published_at INTEGER,
    summary_published_at INTEGER
);
CREATE INDEX solicitations_site ON solicitations (site_id, opens);

-- Comments are never published one by one; the summary speaks for them.
CREATE TABLE solicitation_comments (
    id INTEGER PRIMARY KEY,
    solicitation_id INTEGER NOT NULL REFERENCES solicitations(id),
    content TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX solicitation_comments_of ON solicitation_comments (solicitation_id, id);
