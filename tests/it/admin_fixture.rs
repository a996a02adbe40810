//! A running admin for tests: the shipped site group on a fresh database (SQLite or
//! PostgreSQL), served in-process on a free port with its publisher, plus accounts on an own
//! site (fgw, one review level), a foreign site (czj, two levels) and the central office.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use zhanqun::auth::Role;
use zhanqun::project::Project;
use zhanqun::service::Publisher;
use zhanqun::store::users::NewUser;
use zhanqun::web::admin::AdminConfig;
use zhanqun::web::search::SearchService;
use zhanqun::web::AppState;

use crate::common;

pub const PASSWORD: &str = "Test#Pass2026";
pub const OWN: &str = "fgw";
pub const FOREIGN: &str = "czj";

/// (user name, role, site)
pub const ACCOUNTS: &[(&str, Role, Option<&str>)] = &[
    ("cadmin", Role::Central, None),
    ("sa1", Role::SiteAdmin, Some(OWN)),
    ("rv1", Role::Reviewer, Some(OWN)),
    ("rv2", Role::Reviewer, Some(OWN)),
    ("ed1", Role::Editor, Some(OWN)),
    ("ed2", Role::Editor, Some(OWN)),
    ("xsa", Role::SiteAdmin, Some(FOREIGN)),
    ("xrv1", Role::Reviewer, Some(FOREIGN)),
    ("xrv2", Role::Reviewer, Some(FOREIGN)),
    ("xed", Role::Editor, Some(FOREIGN)),
];

pub struct Env {
    pub base: String,
    pub port: u16,
    pub project: Project,
    pub search: Arc<SearchService>,
    pub counter: Arc<zhanqun::counter::Counter>,
    pub users: HashMap<&'static str, i64>,
    pub sites: HashMap<&'static str, i64>,
    pub _dir: Arc<tempfile::TempDir>,
    pub server: tokio::task::JoinHandle<()>,
}

impl Drop for Env {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// One environment per backend, each on its own fresh database and publish folder.
pub async fn envs(idle_seconds: i64) -> Vec<(&'static str, Env)> {
    let dir = Arc::new(common::temp_project());
    let mut out = Vec::new();
    for (label, url) in common::databases(dir.path()) {
        out.push((label, env_on(dir.clone(), label, &url, idle_seconds).await));
    }
    out
}

/// Like [`envs`], but each backend with its own copy of the group's files as well: for a test
/// that changes them (the column editor writes a site's YAML).
pub async fn envs_apart(idle_seconds: i64) -> Vec<(&'static str, Env)> {
    let first = Arc::new(common::temp_project());
    let backends = common::databases(first.path());
    let mut out = Vec::new();
    for (i, (label, url)) in backends.into_iter().enumerate() {
        let dir = if i == 0 { first.clone() } else { Arc::new(common::temp_project()) };
        out.push((label, env_on(dir, label, &url, idle_seconds).await));
    }
    out
}

async fn env_on(dir: Arc<tempfile::TempDir>, label: &str, url: &str, idle_seconds: i64) -> Env {
    let mut paths = common::paths(dir.path(), url);
    paths.out = dir.path().join(format!("publish-{label}"));
    paths.search = dir.path().join(format!("search-{label}"));
    let project = Project::open(paths).await.unwrap();
    let opts = project.build_options(Vec::new(), false, Some(Default::default()));
    project.build(&opts).await.unwrap();
    let rows = project.store.site_rows().await.unwrap();
    let sites: HashMap<&str, i64> = [OWN, FOREIGN].iter().map(|c| (*c, rows[*c].id)).collect();
    let mut users = HashMap::new();
    for (name, role, site) in ACCOUNTS {
        let u = NewUser {
            username: name,
            display_name: name,
            role: *role,
            site_id: site.map(|s| sites[s]),
            password: PASSWORD,
            must_change_password: false,
        };
        users.insert(*name, project.store.create_user(crate::common::whole_group(), &u, "test", None).await.unwrap());
    }
    let admin = AdminConfig::load(&project, idle_seconds).await.unwrap();
    let search = zhanqun::web::open_search(&project).unwrap();
    reconcile(&project, &search).await;
    let publisher = Publisher::spawn(project.clone(), Some(search.index.clone()));
    let counter = zhanqun::web::open_counter(&project).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let state = AppState {
        project: project.clone(),
        port,
        admin: Arc::new(admin),
        publisher: Some(publisher),
        search: Some(search.clone()),
        counter: Some(counter.clone()),
        desk: Arc::new(zhanqun::web::messages::Desk::open(&project.store).await.unwrap()),
    };
    let app = zhanqun::web::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Env { base: format!("http://127.0.0.1:{port}"), port, project, search, counter, users, sites, _dir: dir, server }
}

/// Brings the environment's search index in line with its database (after an import, say).
pub async fn reconcile(project: &Project, search: &Arc<SearchService>) -> zhanqun::search::sync::SyncReport {
    let (index, store, rt) = (search.index.clone(), project.store.clone(), tokio::runtime::Handle::current());
    tokio::task::spawn_blocking(move || zhanqun::search::sync::reconcile(&index, &store, &rt).unwrap()).await.unwrap()
}

/// A browser: its own cookie jar and its own client address (so that lockout by address in
/// one test does not lock the others out).
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
    pub ip: String,
}

static NEXT_IP: AtomicU32 = AtomicU32::new(1);

impl Client {
    pub fn new(env: &Env) -> Client {
        let n = NEXT_IP.fetch_add(1, Ordering::Relaxed);
        Client::at(&env.base, &format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255))
    }

    /// A client of the service at `base` (a `serve` process), sending `ip` as the reader's.
    pub fn at(base: &str, ip: &str) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_string(),
            csrf: String::new(),
            ip: ip.to_string(),
        }
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.http.get(format!("{}{path}", self.base)).header("x-real-ip", &self.ip).send().await.unwrap();
        let status = r.status().as_u16();
        let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        let body = r.text().await.unwrap();
        (status, location.unwrap_or(body))
    }

    /// Posts a form with this session's CSRF token added.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let mut fields: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        fields.extend_from_slice(form);
        self.post_raw(path, &fields, &[]).await
    }

    pub async fn post_raw(&self, path: &str, form: &[(&str, &str)], headers: &[(&str, &str)]) -> (u16, String) {
        let mut req = self.http.post(format!("{}{path}", self.base)).header("x-real-ip", &self.ip).form(form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        let body = r.text().await.unwrap();
        (status, location.unwrap_or(body))
    }

    pub async fn upload(&self, path: &str, name: &str, data: Vec<u8>, alt: &str) -> (u16, String) {
        self.upload_with(path, name, data, &[("alt", alt)]).await
    }

    /// An upload form with the file and other fields.
    pub async fn upload_with(&self, path: &str, name: &str, data: Vec<u8>, fields: &[(&str, &str)]) -> (u16, String) {
        let part = reqwest::multipart::Part::bytes(data).file_name(name.to_string());
        let mut form = reqwest::multipart::Form::new().part("file", part);
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("x-real-ip", &self.ip)
            .header("x-csrf-token", &self.csrf)
            .header("accept", "application/json")
            .multipart(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Signs in; returns the status of the login post.
    pub async fn login(&mut self, username: &str, password: &str) -> u16 {
        let (_, page) = self.get("/admin/login").await;
        let token = between(&page, "name=\"_login\" value=\"", "\"").expect("login form has its token");
        let (status, to) = self
            .post_raw(
                "/admin/login",
                &[("_login", &token), ("username", username), ("password", password), ("next", "/admin")],
                &[],
            )
            .await;
        if status == 303 {
            // The page the login leads to (the dashboard, or the forced password change).
            let (_, page) = self.get(&to.replace(&self.base, "")).await;
            self.csrf = between(&page, "data-csrf=\"", "\"").unwrap_or_default();
        }
        status
    }
}

pub async fn signed_in(env: &Env, username: &str) -> Client {
    let mut c = Client::new(env);
    assert_eq!(c.login(username, PASSWORD).await, 303, "{username} signs in");
    assert!(!c.csrf.is_empty(), "{username} has a CSRF token");
    c
}

pub fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(text[from..from + len].to_string())
}

/// The article id in a `/admin/articles/<id>?…` redirect.
pub fn article_id(location: &str) -> i64 {
    let rest = location.split("/admin/articles/").nth(1).unwrap_or_else(|| panic!("not an article URL: {location}"));
    rest.split(['?', '/']).next().unwrap().parse().unwrap()
}

/// A tiny valid PDF.
pub fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

pub fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(&[
        0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde,
    ]);
    v
}

/// Writes, submits and (with `approvers`) approves an article; returns its id.
pub async fn publish_article(editor: &Client, approvers: &[&Client], title: &str, column: &str) -> i64 {
    let (status, loc) = editor
        .post(
            "/admin/articles",
            &[("title", title), ("column", column), ("body", "正文。\n\n第二段。"), ("intent", "submit")],
        )
        .await;
    assert_eq!(status, 303, "submit {title}: {loc}");
    let id = article_id(&loc);
    for r in approvers {
        let (status, loc) =
            r.post(&format!("/admin/articles/{id}/approve"), &[("comment", "同意"), ("secrecy", "1")]).await;
        assert_eq!(status, 303, "approve {title}: {loc}");
    }
    id
}
