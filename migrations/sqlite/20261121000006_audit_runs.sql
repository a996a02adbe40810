-- Every run of the central audit is kept, so that scores can be followed over time and a
-- site's findings compared with the run before (new vetoes are what the notices announce).

CREATE TABLE audit_runs (
    id INTEGER PRIMARY KEY,
    -- The day judged (Beijing time), YYYY-MM-DD.
    day TEXT NOT NULL,
    at INTEGER NOT NULL,
    -- What started it: schedule, cli, publish.
    source TEXT NOT NULL
);

CREATE TABLE audit_results (
    run_id INTEGER NOT NULL REFERENCES audit_runs(id),
    site_id INTEGER NOT NULL REFERENCES sites(id),
    passed INTEGER NOT NULL,
    score INTEGER NOT NULL,
    vetoes INTEGER NOT NULL,
    deductions INTEGER NOT NULL,
    notices INTEGER NOT NULL,
    PRIMARY KEY (run_id, site_id)
);
CREATE INDEX audit_results_site ON audit_results (site_id, run_id);

CREATE TABLE audit_findings (
    run_id INTEGER NOT NULL REFERENCES audit_runs(id),
    site_id INTEGER NOT NULL REFERENCES sites(id),
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    column_slug TEXT,
    url TEXT,
    found TEXT NOT NULL,
    threshold TEXT NOT NULL
);
CREATE INDEX audit_findings_run_site ON audit_findings (run_id, site_id);
