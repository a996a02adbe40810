-- Views and visitors per site and day in one row: the ranking, the trend lines and the
-- zero-traffic watch read this table instead of summing every page and hour.

CREATE TABLE traffic_days (
    site_id INTEGER NOT NULL REFERENCES sites(id),
    day TEXT NOT NULL,
    views INTEGER NOT NULL,
    visitors INTEGER NOT NULL,
    PRIMARY KEY (site_id, day)
);

INSERT INTO traffic_days (site_id, day, views, visitors)
SELECT site_id, day, SUM(views), 0 FROM traffic_views GROUP BY site_id, day;

UPDATE traffic_days SET visitors = COALESCE(
    (SELECT v.visitors FROM traffic_visitors v WHERE v.site_id = traffic_days.site_id AND v.day = traffic_days.day), 0);

DROP TABLE traffic_visitors;
