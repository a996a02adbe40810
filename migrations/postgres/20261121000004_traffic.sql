-- The shared counter (统一计数器): aggregates only. No address, no cookie, no visitor hash is
-- ever stored; a visitor is a salted hash that lives in memory for one day.

-- Page views per site, day, hour and page (Beijing time).
CREATE TABLE traffic_views (
    site_id BIGINT NOT NULL REFERENCES sites(id),
    day TEXT NOT NULL,
    hour BIGINT NOT NULL,
    path TEXT NOT NULL,
    views BIGINT NOT NULL,
    PRIMARY KEY (site_id, day, hour, path)
);

-- Unique visitors per site and day.
CREATE TABLE traffic_visitors (
    site_id BIGINT NOT NULL REFERENCES sites(id),
    day TEXT NOT NULL,
    visitors BIGINT NOT NULL,
    PRIMARY KEY (site_id, day)
);

-- Views by referring host per site and day ('' for none or the group's own sites).
CREATE TABLE traffic_referrers (
    site_id BIGINT NOT NULL REFERENCES sites(id),
    day TEXT NOT NULL,
    host TEXT NOT NULL,
    views BIGINT NOT NULL,
    PRIMARY KEY (site_id, day, host)
);

-- The last title a page reported, to show top pages by name.
CREATE TABLE traffic_titles (
    site_id BIGINT NOT NULL REFERENCES sites(id),
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (site_id, path)
);
