-- 保密审查 and the reviewer's confirmation of veto-class findings, kept with the review step:
-- secrecy_reviewed is 1 when the reviewer confirmed the content was checked for secrets;
-- confirmation is their written reason for publishing despite the findings listed, one
-- "rule<TAB>words as written" per line, in confirmed_findings.
ALTER TABLE review_steps ADD COLUMN secrecy_reviewed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE review_steps ADD COLUMN confirmation TEXT NOT NULL DEFAULT '';
ALTER TABLE review_steps ADD COLUMN confirmed_findings TEXT NOT NULL DEFAULT '';

-- Each probe of a site's home page through the public web server (站点无法访问).
CREATE TABLE availability_probes (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    at INTEGER NOT NULL,
    -- ipv4 or ipv6
    family TEXT NOT NULL,
    ok INTEGER NOT NULL,
    -- The HTTP status or the failure, in words.
    detail TEXT NOT NULL
);
CREATE INDEX availability_probes_site_at ON availability_probes (site_id, at);
