-- Nodes that publish into a folder of their own (`serve --own-folder`) follow every publish
-- made on any node: each finished publish job appends its site and job, each full build one
-- entry per site (job_id NULL: the whole site), in commit order; every such node replays the
-- entries past the position it keeps in folder_positions.
CREATE TABLE publish_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL,
    job_id INTEGER,
    node TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX publish_log_at ON publish_log (at);

-- The last entry each node applied to its own folder, and when it last said so.
CREATE TABLE folder_positions (
    node TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL
);
