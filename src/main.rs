//! The `zhanqun` command line: parses arguments, calls the library, prints, exits.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use zhanqun::content::import::import_dir;
use zhanqun::group::Group;
use zhanqun::project::{Paths, Project, ProjectError};
use zhanqun::publish::NginxOptions;
use zhanqun::store::audit;

#[derive(Parser)]
#[command(name = "zhanqun", version, about = "站群: a government site group's CMS and static publisher")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the project's parts are; every path is relative to the current folder by default.
#[derive(Args)]
struct ProjectArgs {
    /// Folder with group.yaml and one <code>.yaml per site.
    #[arg(long, default_value = "sites")]
    sites: PathBuf,
    /// Folder with the themes and the locked parts.
    #[arg(long, default_value = "themes")]
    themes: PathBuf,
    /// Database URL: a SQLite file path or sqlite:… URL, or postgres://….
    #[arg(long, env = "ZHANQUN_DATABASE_URL", default_value = zhanqun::project::DEFAULT_DATABASE)]
    database: String,
    /// Folder the static sites are published to.
    #[arg(long, default_value = "publish")]
    out: PathBuf,
    /// Folder of the search index.
    #[arg(long, env = "ZHANQUN_SEARCH_INDEX", default_value = zhanqun::project::DEFAULT_SEARCH_INDEX)]
    search_index: PathBuf,
}

impl ProjectArgs {
    fn paths(self) -> Paths {
        Paths {
            sites: self.sites,
            themes: self.themes,
            database: self.database,
            out: self.out,
            search: self.search_index,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Validate the site group against the eight unifications; one line per problem.
    Check {
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Render every site (or the named ones) into the publish folder and swap them live.
    Build {
        /// Build only this site (repeatable).
        #[arg(long = "site", value_name = "CODE")]
        only: Vec<String>,
        /// Keep running and rebuild the affected sites when a YAML file or template changes.
        #[arg(long)]
        watch: bool,
        #[command(flatten)]
        nginx: NginxArgs,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Import a folder of Markdown files with YAML front matter as published articles.
    Import {
        /// Folder to import (walked recursively; attachments sit beside the Markdown files).
        dir: PathBuf,
        /// Code of the site the articles belong to.
        #[arg(long = "site", value_name = "CODE")]
        site: String,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Write a synthetic site group and articles (for benchmarks and load tests).
    DemoData {
        /// Number of subsites besides the portal.
        #[arg(long = "sites", default_value_t = 150)]
        count: usize,
        /// Articles per site.
        #[arg(long, default_value_t = 100)]
        articles: usize,
        /// Output folder; gets sites/ and content/<code>/.
        #[arg(long = "out", value_name = "DIR")]
        dir: PathBuf,
    },
    /// Run the HTTP service; on first run with an empty database it loads the demo content.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Articles per site loaded into an empty database on first run (0 for none).
        #[arg(long, default_value_t = 40)]
        demo_articles: usize,
        /// Minutes of inactivity after which an admin session ends.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=1440))]
        idle_minutes: i64,
        #[command(flatten)]
        nginx: NginxArgs,
        #[command(flatten)]
        smtp: SmtpArgs,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Check every site (or one) against the eight unifications and the inspection rules; exit
    /// code 2 when any site is vetoed, 1 on an error, 0 when all pass.
    Audit {
        /// Audit only this site.
        #[arg(long = "site", value_name = "CODE")]
        site: Option<String>,
        #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
        format: AuditFormat,
        /// Also check links to sites outside the group (politely: see audit.external_links in
        /// group.yaml), whatever audit.external_links.enabled says.
        #[arg(long)]
        external_links: bool,
        #[command(flatten)]
        smtp: SmtpArgs,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Manage admin accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// The shared search index.
    #[command(subcommand)]
    Search(SearchCommand),
    /// Benchmarks that print figures.
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// Mail for the audit's notices to site administrators; without `--smtp-url` notices stay in
/// the admin.
#[derive(Args, Clone)]
struct SmtpArgs {
    /// SMTP relay: smtp://host:25, smtp://host:587?tls=required (STARTTLS) or
    /// smtps://user:password@host:465.
    #[arg(long, env = "ZHANQUN_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender of the notices, e.g. "站群监督检查 <zqjc@shili.gov.cn>".
    #[arg(long, env = "ZHANQUN_SMTP_FROM", requires = "smtp_url")]
    smtp_from: Option<String>,
    /// The admin's address as site administrators reach it, for links in the mail.
    #[arg(long, env = "ZHANQUN_ADMIN_URL", default_value = "http://127.0.0.1:8080")]
    admin_url: String,
}

impl SmtpArgs {
    /// The settings, checked: a bad URL or sender stops the command before any work.
    fn settings(&self) -> anyhow::Result<Option<Arc<zhanqun::mail::SmtpSettings>>> {
        let Some(url) = &self.smtp_url else { return Ok(None) };
        let from = self.smtp_from.clone().context("--smtp-from (ZHANQUN_SMTP_FROM) is required with --smtp-url")?;
        let s = zhanqun::mail::SmtpSettings { url: url.clone(), from, admin_url: self.admin_url.clone() };
        zhanqun::mail::Mailer::new(&s)?;
        Ok(Some(Arc::new(s)))
    }
}

#[derive(Args, Clone)]
struct NginxArgs {
    /// Port the generated nginx configuration listens on.
    #[arg(long, default_value_t = 80)]
    nginx_port: u16,
    /// Address nginx proxies /search and /hit to.
    #[arg(long, default_value = "127.0.0.1:8080")]
    upstream: String,
}

impl NginxArgs {
    fn options(&self) -> NginxOptions {
        NginxOptions { port: self.nginx_port, upstream: self.upstream.clone() }
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input (one line).
    Add {
        /// Site code (the file name in sites/); not for central admins.
        #[arg(long)]
        site: Option<String>,
        #[arg(long, value_parser = ["editor", "reviewer", "site-admin", "central"])]
        role: String,
        #[arg(long)]
        username: String,
        /// Display name; defaults to the user name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// List the accounts.
    List {
        #[command(flatten)]
        project: ProjectArgs,
    },
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuild the index from the database, with a progress bar. The running service holds
    /// the index and keeps it up to date itself; stop it before reindexing by hand.
    Reindex {
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Search from the command line, as /search would (for checking the index).
    Query {
        /// The words to look for.
        text: String,
        /// Only this site (a code); the whole group by default.
        #[arg(long = "site", value_name = "CODE")]
        site: Option<String>,
        #[command(flatten)]
        project: ProjectArgs,
    },
}

/// The synthetic group the large benchmarks run on.
#[derive(Args)]
struct BenchGroup {
    /// Subsites besides the portal.
    #[arg(long = "sites", default_value_t = 150)]
    count: usize,
    /// Articles per site.
    #[arg(long, default_value_t = 1000)]
    articles: usize,
    /// Where the generated group and database are kept between runs (shared by `bench build`
    /// and `bench search`).
    #[arg(long, default_value = "target/bench-build")]
    work: PathBuf,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum AuditFormat {
    Text,
    Json,
    Csv,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Time approval → live page on one site with many articles (incremental publishing).
    Publish {
        #[arg(long, default_value = "fgw")]
        site: String,
        #[arg(long, default_value_t = 1000)]
        articles: usize,
        /// Approvals timed (half as many withdrawals follow).
        #[arg(long, default_value_t = 30)]
        rounds: usize,
        #[arg(long, default_value = "target/bench-publish")]
        work: PathBuf,
        #[arg(long, default_value = "sites")]
        sites: PathBuf,
        #[arg(long, default_value = "themes")]
        themes: PathBuf,
    },
    /// Reindex a large group and time queries, single and concurrent, against SQLite FTS5.
    Search {
        #[command(flatten)]
        group: BenchGroup,
        /// Concurrent clients of the throughput run.
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// Seconds each throughput run lasts.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Leave out the SQLite FTS5 baseline.
        #[arg(long)]
        no_baseline: bool,
    },
    /// Audit the large synthetic group of `bench build` (built once), link check included;
    /// print the time and peak memory.
    Audit {
        #[command(flatten)]
        group: BenchGroup,
        #[arg(long, default_value = "themes")]
        themes: PathBuf,
    },
    /// Load the counter's /hit from loopback against a real `zhanqun serve`; print hits/s,
    /// latency, the server's memory, the stored total, and nginx `return 204` as the ceiling.
    Hits {
        /// Keep-alive connections of the load generator.
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Seconds each run lasts.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Leave out the nginx ceiling run.
        #[arg(long)]
        no_ceiling: bool,
        /// Work folder (cleared at the start): the database and published group of the run.
        #[arg(long, default_value = "target/bench-hits")]
        work: PathBuf,
        #[arg(long, default_value = "sites")]
        sites: PathBuf,
        #[arg(long, default_value = "themes")]
        themes: PathBuf,
    },
    /// Generate, import and build a large group; print pages/s and peak memory.
    Build {
        #[command(flatten)]
        group: BenchGroup,
        /// A tmpfs folder to build into.
        #[arg(long, default_value = "/dev/shm/zhanqun-bench")]
        tmpfs: PathBuf,
        /// A disk folder to build into.
        #[arg(long, default_value = "target/bench-build/publish")]
        disk: PathBuf,
        /// Folder with the themes.
        #[arg(long, default_value = "themes")]
        themes: PathBuf,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZHANQUN_LOG").unwrap_or_else(|_| "zhanqun=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check { project } => Ok(check(&project.paths())),
        Command::DemoData { count, articles, dir } => {
            let s = zhanqun::demo::generate(&dir, count, articles)
                .with_context(|| format!("cannot write demo data to {}", dir.display()))?;
            println!(
                "wrote {} sites to {} and {} articles to {}",
                s.sites,
                s.sites_dir.display(),
                s.articles,
                s.content_dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { dir, site, project } => {
            let project = open(project.paths()).await?;
            let Some(site) = project.group.site(&site) else {
                anyhow::bail!(
                    "no site `{site}` in the group; codes are the file names in {}",
                    project.paths.sites.display()
                );
            };
            let report = import_dir(&project.store, site, &dir, &audit::operator()).await?;
            for p in &report.problems {
                eprintln!("{p}");
            }
            let s = report.stats;
            println!(
                "imported into {}: {} created, {} updated, {} unchanged, {} failed",
                site.code(),
                s.created,
                s.updated,
                s.unchanged,
                report.problems.len()
            );
            Ok(if report.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Build { only, watch, nginx, project } => {
            let project = open(project.paths()).await?;
            let opts = project.build_options(only, true, nginx.options());
            let summary = project.build(&opts).await?;
            println!("{summary} → {}", project.paths.out.display());
            if watch {
                zhanqun::publish::watch::watch(project, opts, |line| println!("{line}")).await?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { listen, demo_articles, idle_minutes, nginx, smtp, project } => {
            serve(project.paths(), &listen, demo_articles, idle_minutes, nginx, smtp.settings()?).await
        }
        Command::User(cmd) => user(cmd).await,
        Command::Audit { site, format, external_links, smtp, project } => {
            let mut project = open(project.paths()).await?;
            project.smtp = smtp.settings()?;
            if let Some(code) = &site {
                anyhow::ensure!(project.group.site(code).is_some(), "no site `{code}` in the group (see sites/*.yaml)");
            }
            let now = zhanqun::content::now_local();
            let external = external_links || project.group.def.audit.external_links.enabled;
            let report =
                zhanqun::audit::run_with(&project, site.as_deref(), external, &now, zhanqun::store::now_unix()).await?;
            let out = match format {
                AuditFormat::Text => zhanqun::audit::output::text(&report),
                AuditFormat::Json => zhanqun::audit::output::json(&report),
                AuditFormat::Csv => zhanqun::audit::output::csv(&report),
            };
            print!("{out}");
            // A whole-group run is kept for the trends; one site alone is a look, not a run.
            if site.is_none() {
                let saved = zhanqun::audit::save(&project, &report, "cli", zhanqun::store::now_unix()).await?;
                eprintln!("已保存为第 {} 次检查；新增否决项 {} 个", saved.run, saved.new_vetoes.len());
            }
            Ok(if report.vetoes() > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
        }
        Command::Search(cmd) => search(cmd).await,
        Command::Bench(BenchCommand::Search { group, clients, seconds, no_baseline }) => {
            let b = zhanqun::bench_search::SearchBench {
                sites: group.count,
                articles: group.articles,
                work: group.work,
                clients,
                seconds,
                baseline: !no_baseline,
            };
            zhanqun::bench_search::search_bench(&b, |line| println!("{line}")).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Audit { group, themes }) => {
            let b = zhanqun::bench_audit::AuditBench {
                sites: group.count,
                articles: group.articles,
                work: group.work,
                themes,
            };
            zhanqun::bench_audit::audit_bench(&b, |line| println!("{line}")).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Hits { connections, seconds, no_ceiling, work, sites, themes }) => {
            let b = zhanqun::bench_hits::HitsBench { connections, seconds, work, sites, themes, ceiling: !no_ceiling };
            zhanqun::bench_hits::hits_bench(&b, |line| println!("{line}")).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Publish { site, articles, rounds, work, sites, themes }) => {
            let b = zhanqun::bench_publish::PublishBench { site, articles, rounds, work, sites, themes };
            zhanqun::bench_publish::publish_bench(&b, |line| println!("{line}")).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Build { group, tmpfs, disk, themes }) => {
            let b = zhanqun::bench::BuildBench {
                sites: group.count,
                articles: group.articles,
                work: group.work,
                tmpfs,
                disk,
                themes,
            };
            zhanqun::bench::build_bench(&b, |line| println!("{line}")).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(paths: &Paths) -> ExitCode {
    match Group::load(&paths.sites, Some(&paths.themes)) {
        Ok(group) => match zhanqun::theme::Themes::load(&paths.themes, group.sites.iter().map(|s| s.theme.as_str())) {
            Ok(_) => {
                println!("{}: {} sites, all checks passed", group.def.name, group.sites.len());
                ExitCode::SUCCESS
            }
            Err(e) => {
                println!("{e}");
                ExitCode::FAILURE
            }
        },
        Err(problems) => {
            for p in problems.iter() {
                println!("{p}");
            }
            eprintln!("{} problem(s) found", problems.len());
            ExitCode::FAILURE
        }
    }
}

/// Opens the project; an invalid group is printed one problem per line.
async fn open(paths: Paths) -> anyhow::Result<Project> {
    match Project::open(paths).await {
        Ok(p) => Ok(p),
        Err(ProjectError::Group(problems)) => {
            for p in problems.iter() {
                eprintln!("{p}");
            }
            anyhow::bail!(
                "{} problem(s) in the site group; nothing was published (run `zhanqun check`)",
                problems.len()
            )
        }
        Err(e) => Err(e.into()),
    }
}

async fn serve(
    paths: Paths,
    listen: &str,
    demo_articles: usize,
    idle_minutes: i64,
    nginx: NginxArgs,
    smtp: Option<Arc<zhanqun::mail::SmtpSettings>>,
) -> anyhow::Result<ExitCode> {
    let addr = zhanqun::web::socket_addr(listen).map_err(anyhow::Error::msg)?;
    // Bind first: a taken port is reported before minutes of first-run work.
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let mut project = open(paths).await?;
    project.smtp = smtp;
    let empty = project.store.published_count().await? == 0;
    if empty && demo_articles > 0 && zhanqun::seed::group_fits_demo(&project) {
        println!("首次运行：数据库为空，正在导入示例内容（每站 {demo_articles} 篇）……");
        let work = PathBuf::from("data/demo-content");
        let stats = zhanqun::seed::seed_demo_content(&project, &work, demo_articles, &audit::operator()).await?;
        println!("已导入 {} 篇示例文章", stats.created);
        let views = zhanqun::seed::seed_demo_traffic(&project).await?;
        println!("已写入最近 30 天的示例访问统计（{views} 次浏览）");
        let boxes = zhanqun::seed::seed_demo_mailboxes(&project).await?;
        println!("已登记 {boxes} 个示例公务邮箱");
        let messages = zhanqun::seed::seed_demo_messages(&project).await?;
        println!("已写入 {messages} 条示例网民留言（按期、超期、在办各有）");
        let solicitations = zhanqun::seed::seed_demo_solicitations(&project).await?;
        println!("已发布 {solicitations} 项示例意见征集");
    }
    let published = project.paths.out.join(&project.group.portal().host).exists();
    if empty || !published {
        let opts = project.build_options(Vec::new(), true, nginx.options());
        let summary = project.build(&opts).await?;
        println!("{summary} → {}", project.paths.out.display());
    }
    let accounts = zhanqun::seed::seed_demo_accounts(&project).await?;
    if !accounts.is_empty() {
        println!("已创建示例账号（仅供演示，正式使用前请停用）：");
        for line in &accounts {
            println!("{line}");
        }
    } else if project.store.user_count().await? == 0 {
        // A real group: nobody exists until the operator creates the first administrator.
        println!("尚无任何账号。请另开终端创建第一位系统管理员（密码从标准输入读取，首次登录须修改）：");
        println!("  zhanqun user add --role central --username <用户名>");
    }
    let port = addr.port();
    println!("zhanqun 已启动: http://{addr}/ （站点列表）");
    println!("管理后台: http://{addr}/admin");
    println!("门户网站预览: http://{}.localhost:{port}/", project.group.portal().host);
    println!(
        "健康检查: http://{addr}/healthz ; nginx 配置: {}",
        project.paths.out.join("nginx/zhanqun.conf").display()
    );
    zhanqun::web::serve(project, listener, idle_minutes * 60)
        .await
        .with_context(|| format!("cannot serve on {addr}"))?;
    Ok(ExitCode::SUCCESS)
}

async fn search(cmd: SearchCommand) -> anyhow::Result<ExitCode> {
    use zhanqun::search::{request, sync, SearchIndex};
    match cmd {
        SearchCommand::Reindex { project } => {
            let project = open(project.paths()).await?;
            let index = SearchIndex::open(&project.paths.search)?;
            let bar = indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} articles, {per_sec}, {eta} left")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let started = std::time::Instant::now();
            let rt = tokio::runtime::Handle::current();
            let (store, b) = (project.store.clone(), bar.clone());
            let n = tokio::task::spawn_blocking(move || {
                sync::rebuild(&index, &store, &rt, &|done, total| {
                    b.set_length(total as u64);
                    b.set_position(done as u64);
                })
            })
            .await??;
            bar.finish_and_clear();
            let secs = started.elapsed().as_secs_f64();
            println!(
                "indexed {n} published articles in {secs:.1} s ({:.0} articles/s) → {}",
                n as f64 / secs.max(1e-9),
                project.paths.search.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        SearchCommand::Query { text, site, project } => {
            let project = open(project.paths()).await?;
            let index = SearchIndex::open(&project.paths.search)?;
            if !index.is_complete() {
                anyhow::bail!("the search index is empty or incomplete; run `zhanqun search reindex` first");
            }
            let mut pairs = vec![("q".to_string(), text)];
            pairs.push(("site".into(), site.unwrap_or_else(|| "all".into())));
            let req = request::parse(&pairs, &project.group, request::Scope::All)
                .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
            let results = zhanqun::search::search(&index, &req)?;
            println!("{} results in {:.1} ms", results.total, results.micros as f64 / 1000.0);
            for h in &results.hits {
                println!(
                    "{}  {}  {}{}  {}",
                    &h.published[..10.min(h.published.len())],
                    h.site,
                    h.column,
                    h.path,
                    h.title
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn user(cmd: UserCommand) -> anyhow::Result<ExitCode> {
    use zhanqun::auth::{password, Role};
    match cmd {
        UserCommand::Add { site, role, username, name, project } => {
            let project = open(project.paths()).await?;
            let role = Role::parse(&role).context("unknown role")?;
            let site_id = match (&site, role) {
                (Some(_), Role::Central) => anyhow::bail!("central admins belong to no site; drop --site"),
                (None, Role::Central) => None,
                (None, _) => anyhow::bail!("--site CODE is required for role {}", role.as_str()),
                (Some(code), _) => {
                    let rows = project.store.site_rows().await?;
                    Some(rows.get(code.as_str()).map(|r| r.id).with_context(|| {
                        format!(
                            "no site `{code}` in the group; codes are the file names in {}",
                            project.paths.sites.display()
                        )
                    })?)
                }
            };
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("cannot read the password from standard input")?;
            let pw = line.trim_end_matches(['\r', '\n']);
            if let Err(m) = password::check_rules(pw, &username) {
                anyhow::bail!("password refused: {m} (at least 8 characters from three of: lower case, upper case, digits, symbols)");
            }
            let display = name.unwrap_or_else(|| username.clone());
            let new = zhanqun::store::users::NewUser {
                username: &username,
                display_name: &display,
                role,
                site_id,
                password: pw,
                must_change_password: true,
            };
            project.store.create_user(&new, &audit::operator(), None).await?;
            println!(
                "created {} ({}){}; the password must be changed at first login",
                username,
                role.as_str(),
                site.map(|s| format!(" on site {s}")).unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List { project } => {
            let project = open(project.paths()).await?;
            let codes: std::collections::HashMap<i64, String> =
                project.store.site_rows().await?.into_values().map(|r| (r.id, r.code)).collect();
            for u in project.store.users(None).await? {
                let site = u.site_id.and_then(|id| codes.get(&id)).map(String::as_str).unwrap_or("-");
                println!(
                    "{:<20} {:<11} {:<12} {}{}",
                    u.username,
                    u.role.as_str(),
                    site,
                    u.display_name,
                    if u.active { "" } else { " (disabled)" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_line_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
