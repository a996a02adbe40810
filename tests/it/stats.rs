//! Visit statistics on every backend: the figures of the JSON API against counts written for
//! known days, the group ranking, the zero-traffic watch on the console, the pages and CSV
//! exports (with a hostile page title), the footer total, and tenant isolation of all of it.

use chrono::{Duration, NaiveDate};
use serde_json::Value;
use zhanqun::store::traffic::TrafficRows;

use crate::admin_fixture::{self as fx, signed_in, Client, Env, FOREIGN, OWN};

fn beijing_today() -> NaiveDate {
    (chrono::Utc::now() + Duration::hours(8)).date_naive()
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A title a reader's browser could send: markup and a spreadsheet formula.
const HOSTILE_TITLE: &str = "=1+2<script>alert(1)</script>";

/// Three days of counts: the own site on the day before yesterday and yesterday, the foreign
/// site only the day before yesterday (so it went quiet yesterday).
async fn seed(env: &Env) -> (NaiveDate, NaiveDate) {
    let (d2, d1) = (beijing_today() - Duration::days(2), beijing_today() - Duration::days(1));
    let (own, foreign) = (env.sites[OWN], env.sites[FOREIGN]);
    let rows = TrafficRows {
        views: vec![
            (own, day(d2), 9, "/".into(), 30),
            (own, day(d2), 10, "/gzdt/".into(), 12),
            (own, day(d1), 23, "/gzdt/".into(), 8),
            (own, day(d1), 8, "/search".into(), 2),
            (foreign, day(d2), 9, "/".into(), 100),
        ],
        days: vec![(own, day(d2), 42, 20), (own, day(d1), 10, 6), (foreign, day(d2), 100, 50)],
        referrers: vec![(own, day(d2), "www.baidu.com".into(), 5), (own, day(d1), String::new(), 10)],
        titles: vec![(own, "/gzdt/".into(), HOSTILE_TITLE.into()), (own, "/".into(), "首页".into())],
    };
    env.project.store.write_traffic(&rows).await.unwrap();
    (d2, d1)
}

async fn json(client: &Client, path: &str) -> (u16, Value) {
    let (status, body) = client.get(path).await;
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_ranking_pages_and_exports() {
    for (label, env) in fx::envs(1800).await {
        let (d2, d1) = seed(&env).await;
        let central = signed_in(&env, "cadmin").await;
        let period = format!("from={}&to={}", day(d2), day(beijing_today()));

        // One site's report: totals, every day of the period, pages, referrers, columns.
        let (s, r) = json(&central, &format!("/admin/api/stats/{OWN}?{period}")).await;
        assert_eq!(s, 200, "{label}: {r}");
        assert_eq!((r["totals"]["views"].as_i64(), r["totals"]["visitors"].as_i64()), (Some(52), Some(26)), "{label}");
        let series: Vec<(String, i64)> = r["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["t"].as_str().unwrap().to_string(), p["views"].as_i64().unwrap()))
            .collect();
        assert_eq!(series, [(day(d2), 42), (day(d1), 10), (day(beijing_today()), 0)], "{label}");
        assert_eq!(r["top_pages"][0]["path"], "/", "{label}");
        assert_eq!(r["top_pages"][0]["views"], 30);
        assert_eq!(r["top_pages"][1]["title"], HOSTILE_TITLE);
        assert_eq!(r["top_referrers"][0]["host"], "", "{label}: direct visits first (10 > 5)");
        assert_eq!(r["top_referrers"][1]["host"], "www.baidu.com");
        let columns: Vec<(&str, i64)> = r["columns"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["views"].as_i64() > Some(0))
            .map(|c| (c["slug"].as_str().unwrap(), c["views"].as_i64().unwrap()))
            .collect();
        assert_eq!(columns, [("", 30), ("gzdt", 20), ("-", 2)], "{label}");

        // By hour: 24 points a day, views only.
        let (s, r) = json(&central, &format!("/admin/api/stats/{OWN}?from={0}&to={0}&granularity=hour", day(d1))).await;
        assert_eq!(s, 200, "{label}");
        let series = r["series"].as_array().unwrap();
        assert_eq!(series.len(), 24);
        assert_eq!((series[8]["views"].as_i64(), series[23]["views"].as_i64()), (Some(2), Some(8)));
        assert!(series[8]["visitors"].is_null());

        // The ranking: the foreign site leads on views; every site of the group is listed.
        let (s, r) = json(&central, &format!("/admin/api/stats?{period}")).await;
        assert_eq!(s, 200, "{label}");
        let rows = r["rows"].as_array().unwrap();
        assert_eq!(rows.len(), env.project.group().sites.len());
        assert_eq!((rows[0]["site"]["code"].as_str(), rows[0]["views"].as_i64()), (Some(FOREIGN), Some(100)));
        assert_eq!((rows[1]["site"]["code"].as_str(), rows[1]["rank"].as_i64()), (Some(OWN), Some(2)));
        assert_eq!(r["totals"]["views"], 152, "{label}");

        // The same API is reached from `/api/stats` on any host.
        let (s, location) = central.get(&format!("/api/stats/{OWN}?{period}")).await;
        assert_eq!((s, location), (308, format!("/admin/api/stats/{OWN}?{period}")), "{label}");

        // Bad periods name their parameter.
        for (query, param) in [
            ("from=2026-02-30", "from"),
            ("to=yesterday", "to"),
            ("from=2026-11-02&to=2026-11-01", "from"),
            ("granularity=week", "granularity"),
            ("from=2020-01-01&to=2026-01-01", "to"),
            ("from=2026-01-01&to=2026-03-01&granularity=hour", "to"),
        ] {
            let (s, r) = json(&central, &format!("/admin/api/stats/{OWN}?{query}")).await;
            assert_eq!((s, r["param"].as_str()), (400, Some(param)), "{label}: {query}: {r}");
            let (s, page) = central.get(&format!("/admin/stats/{OWN}?{query}")).await;
            assert_eq!(s, 400, "{label}: the page too");
            assert!(page.contains(&format!("参数 {param}")), "{label}: {query}");
        }

        // The pages: charts drawn, the hostile title escaped everywhere.
        let (s, page) = central.get(&format!("/admin/stats/{OWN}?{period}")).await;
        assert_eq!(s, 200, "{label}");
        assert!(page.contains("<svg class=\"chart\"") && page.contains("<svg class=\"chart bars\""), "{label}");
        assert!(!page.contains("<script>alert(1)"), "{label}: the title is escaped");
        assert!(page.contains("&lt;script&gt;alert(1)"), "{label}");
        let (s, page) = central.get(&format!("/admin/stats?{period}")).await;
        assert_eq!(s, 200, "{label}");
        let group = env.project.group();
        let own_name = &group.site(OWN).unwrap().def.name;
        assert!(page.contains(own_name.as_str()) && page.contains("<svg class=\"spark\""), "{label}");

        // CSV: a byte-order mark, a header, rows, and the formula defused.
        let (s, csv) = central.get(&format!("/admin/stats/{OWN}/export.csv?{period}&table=pages")).await;
        assert_eq!(s, 200, "{label}");
        assert!(csv.starts_with("\u{feff}\"页面\",\"标题\",\"浏览量\"\r\n"), "{label}: {csv}");
        assert!(csv.contains("\"/gzdt/\",\"'=1+2<script>alert(1)</script>\",\"20\""), "{label}: {csv}");
        let (_, csv) = central.get(&format!("/admin/stats/{OWN}/export.csv?{period}")).await;
        assert!(csv.contains(&format!("\"{}\",\"42\",\"20\"", day(d2))), "{label}: {csv}");
        let (s, csv) = central.get(&format!("/admin/stats/ranking.csv?{period}")).await;
        assert_eq!(s, 200);
        assert!(csv.lines().nth(1).unwrap().starts_with("\"1\","), "{label}: {csv}");
        assert!(csv.contains(&format!("\"{FOREIGN}\"")), "{label}");
        let (s, _) = central.get(&format!("/admin/stats/{OWN}/export.csv?table=secrets")).await;
        assert_eq!(s, 400, "{label}");

        // The console flags the sites without a view yesterday, and counts yesterday's views.
        let (_, console) = central.get("/admin/sites").await;
        let quiet = fx::between(&console, "id=\"quiet\"", "</div>").expect("a zero-traffic notice");
        let foreign_name = &group.site(FOREIGN).unwrap().def.name;
        assert!(quiet.contains(foreign_name.as_str()), "{label}: the site that went quiet is named");
        assert!(!quiet.contains(own_name.as_str()), "{label}: a site with views is not");
        assert!(console.contains(&format!("昨日浏览量（{}）", day(d1))), "{label}");
        assert!(console.contains("本月报送 / 采用"), "{label}: the month's submissions per site");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_obey_tenant_isolation() {
    for (label, env) in fx::envs(1800).await {
        seed(&env).await;
        let site_admin = signed_in(&env, "sa1").await;
        let (s, r) = json(&site_admin, &format!("/admin/api/stats/{OWN}")).await;
        assert_eq!(s, 200, "{label}: a site admin reads their own site");
        assert_eq!(r["site"]["code"], OWN);
        // Another site is as unknown as a site that does not exist; the ranking is central's.
        for path in [format!("/admin/api/stats/{FOREIGN}"), "/admin/api/stats/nosuch".to_string()] {
            let (s, r) = json(&site_admin, &path).await;
            assert_eq!(s, 404, "{label}: {path}: {r}");
            assert!(r["error"].is_string());
        }
        for path in [
            format!("/admin/stats/{FOREIGN}"),
            format!("/admin/stats/{FOREIGN}/export.csv"),
            format!("/admin/stats/{FOREIGN}?granularity=hour"),
        ] {
            assert_eq!(site_admin.get(&path).await.0, 404, "{label}: {path}");
        }
        assert_eq!(json(&site_admin, "/admin/api/stats").await.0, 403, "{label}");
        assert_eq!(site_admin.get("/admin/stats/ranking.csv").await.0, 403, "{label}");
        let (s, location) = site_admin.get("/admin/stats").await;
        assert_eq!((s, location), (303, format!("/admin/stats/{OWN}")), "{label}: sent to their own site");
        let (_, page) = site_admin.get(&format!("/admin/stats/{OWN}")).await;
        let group = env.project.group();
        let foreign_name = &group.site(FOREIGN).unwrap().def.name;
        assert!(!page.contains(foreign_name.as_str()), "{label}: nothing of another site");

        // Reviewers and editors see no statistics; strangers get JSON 401, not a login page.
        for user in ["rv1", "ed1", "xed"] {
            let c = signed_in(&env, user).await;
            assert_eq!(json(&c, &format!("/admin/api/stats/{OWN}")).await.0, 403, "{label}: {user}");
            assert_eq!(c.get(&format!("/admin/stats/{OWN}")).await.0, 403, "{label}: {user}");
        }
        let stranger = Client::new(&env);
        let (s, r) = json(&stranger, &format!("/admin/api/stats/{OWN}")).await;
        assert_eq!((s, r["error"].is_string()), (401, true), "{label}");
        let (s, _) = stranger.get(&format!("/api/stats/{OWN}")).await;
        assert_eq!(s, 308, "{label}: the public address only points to the admin");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn footers_show_the_site_total() {
    let envs = fx::envs(1800).await;
    let (label, env) = &envs[0];
    seed(env).await;
    let stranger = Client::new(env);
    let (s, body) = stranger.get(&format!("/api/counter/{OWN}")).await;
    assert_eq!(s, 200, "{label}: {body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["views"], 52);
    assert_eq!(stranger.get("/api/counter/nosuch").await.0, 404);
    // 浏览次数: one page's views over every day, for its own path only.
    for path in ["/gzdt/", "/gzdt/index.html", "/gzdt/?from=feed"] {
        let (s, body) =
            stranger.get(&format!("/api/counter/{OWN}/page?p={}", path.replace('?', "%3F").replace('=', "%3D"))).await;
        assert_eq!(s, 200, "{label}: {path}: {body}");
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["views"], 20, "{label}: {path}");
    }
    assert_eq!(stranger.get(&format!("/api/counter/{OWN}/page?p=/")).await.0, 200);
    for bad in ["/no/such/page.html", "/../etc/passwd", "gzdt/", ""] {
        assert_eq!(stranger.get(&format!("/api/counter/{OWN}/page?p={bad}")).await.0, 404, "{label}: {bad}");
    }
    assert_eq!(stranger.get("/api/counter/nosuch/page?p=/").await.0, 404);
    assert_eq!(stranger.get(&format!("/api/counter/{OWN}/page")).await.0, 400, "the path is required");
    let group = env.project.group();
    let site = group.site(OWN).unwrap();
    let home = std::fs::read_to_string(env.project.paths.out.join(&site.host).join("index.html")).unwrap();
    assert!(home.contains("data-zq-total") && home.contains(&format!("/api/counter/{OWN}")), "{label}");
}
