-- 来源: where a reposted article first appeared (新华社, 省政府网站); empty for the site's own.
ALTER TABLE revisions ADD COLUMN source TEXT;
