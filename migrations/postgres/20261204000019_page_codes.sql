-- 扫一扫在手机打开: each article's QR code, drawn once for the address it names. A build reads it
-- back and draws again only when the address changed (a new domain or column).
CREATE TABLE page_codes (
    article_id BIGINT PRIMARY KEY REFERENCES articles(id),
    url TEXT NOT NULL,
    png TEXT NOT NULL
);
