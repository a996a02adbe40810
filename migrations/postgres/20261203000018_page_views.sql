-- 浏览次数 on article pages asks for one page's views ever: by site and path, across days.
CREATE INDEX traffic_views_page ON traffic_views (site_id, path);
