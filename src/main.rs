//! The `zhanqun` command line: parses arguments, calls the library, prints, exits.

mod cmd;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use zhanqun::project::Paths;
use zhanqun::publish::NginxOptions;

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
        /// Build a fixed share of the sites, I of N (for N builders on one database and one
        /// publish folder; a site's share follows from its code).
        #[arg(long, value_name = "I/N", conflicts_with = "only")]
        shard: Option<zhanqun::publish::shard::Shard>,
        /// Keep running and rebuild the affected sites when a YAML file or template changes.
        #[arg(long)]
        watch: bool,
        #[command(flatten)]
        nginx: NginxArgs,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Run the publish jobs that are due, once (what `serve` does after every approval): for a
    /// node that publishes without serving, or after a crash.
    Publish {
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Import a folder of Markdown files (with YAML front matter) and Word documents (.docx,
    /// fields in an optional NAME.yaml beside each) as published articles.
    Import {
        /// Folder to import (walked recursively; attachments sit beside the files).
        dir: PathBuf,
        /// Code of the site the articles belong to.
        #[arg(long = "site", value_name = "CODE")]
        site: String,
        /// Column (slug or name) of the files that do not name one.
        #[arg(long = "column", value_name = "SLUG")]
        column: Option<String>,
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
        /// The publish folder (--out) is this node's own, on its own disk, not shared with the
        /// other nodes: every publish made on another node is rendered into it as well, within
        /// a second (docs/deploying.md, "Where the output lives").
        #[arg(long)]
        own_folder: bool,
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
        /// Publish the site CODE again from the database, replacing files altered, added or
        /// removed on the server (篡改) with what was approved; logged in the audit log.
        #[arg(long, value_name = "CODE", conflicts_with_all = ["site", "external_links"])]
        restore: Option<String>,
        #[command(flatten)]
        smtp: SmtpArgs,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Copy the database (attachments included), the search index and the group's YAML into a
    /// new folder under DIR, while the service keeps running (SQLite: VACUUM INTO; PostgreSQL:
    /// pg_dump, which must be installed).
    Backup {
        /// Folder the backup folder is written into.
        #[arg(long = "to", value_name = "DIR")]
        into: PathBuf,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Put a backup back: checks every file, restores the database (into an empty PostgreSQL
    /// database, or a SQLite file), the search index and the group, then builds every site.
    /// Stop every `serve` of the database first.
    Restore {
        /// The backup folder (zhanqun-backup-…).
        from: PathBuf,
        /// Replace an existing SQLite database and group folder; they are kept beside, as
        /// *.before-restore-<time>.
        #[arg(long)]
        replace: bool,
        /// Do not build the sites afterwards (`zhanqun build` or `serve` will).
        #[arg(long)]
        no_build: bool,
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
    /// Address nginx proxies /search, /hit and /api/ to; repeat it for each service node
    /// sharing one database.
    #[arg(long = "upstream", default_value = "127.0.0.1:8080")]
    upstreams: Vec<String>,
}

impl NginxArgs {
    fn options(&self) -> NginxOptions {
        NginxOptions { port: self.nginx_port, upstreams: self.upstreams.clone() }
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
    /// Time the content check before publishing on an article of 1,000 and 10,000 characters.
    Check {
        #[arg(long, default_value_t = 200)]
        rounds: usize,
        #[arg(long, default_value = "sites")]
        sites: PathBuf,
    },
    /// Time approval → live page on one site with many articles (incremental publishing).
    Publish {
        #[arg(long, default_value = "fgw")]
        site: String,
        /// Sizes of the site in published articles, one measurement each, compared.
        #[arg(long, value_delimiter = ',', default_value = "1000,100000")]
        articles: Vec<usize>,
        /// Approvals timed (half as many withdrawals follow).
        #[arg(long, default_value_t = 30)]
        rounds: usize,
        #[arg(long, default_value = "target/bench-publish")]
        work: PathBuf,
        #[arg(long, default_value = "sites")]
        sites: PathBuf,
        #[arg(long, default_value = "themes")]
        themes: PathBuf,
        /// Run on PostgreSQL: a server URL (the bench makes its own database, zhanqun_bench).
        #[arg(long)]
        postgres: Option<String>,
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
    /// A province-wide group on PostgreSQL: generate and import it site by site, then print
    /// the database's size, one shard's build, and the search index's build, size and latency.
    Province {
        /// Subsites besides the portal.
        #[arg(long = "sites", default_value_t = 3000)]
        count: usize,
        /// Articles per site.
        #[arg(long, default_value_t = 1000)]
        articles: usize,
        /// The PostgreSQL server (the bench keeps its database there as zhanqun_province).
        #[arg(long, env = "ZHANQUN_BENCH_POSTGRES", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        postgres: String,
        /// The share of the sites built, as one of N builders would.
        #[arg(long, default_value = "1/20")]
        shard: zhanqun::publish::shard::Shard,
        /// Kept between runs of the same size: the group, the search index, what was imported.
        #[arg(long, default_value = "target/bench-province")]
        work: PathBuf,
        /// Where the shard is built.
        #[arg(long, default_value = "/dev/shm/zhanqun-province")]
        out: PathBuf,
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
        Command::Check { project } => Ok(cmd::check::check(&project.paths())),
        Command::DemoData { count, articles, dir } => cmd::demo_data::run(count, articles, &dir),
        Command::Import { dir, site, column, project } => {
            cmd::import::run(&dir, &site, column.as_deref(), project).await
        }
        Command::Build { only, shard, watch, nginx, project } => {
            cmd::build::run(only, shard, watch, nginx, project).await
        }
        Command::Publish { project } => cmd::publish::run(project).await,
        Command::Serve { listen, demo_articles, idle_minutes, own_folder, nginx, smtp, project } => {
            let settings = cmd::serve::Settings { listen, demo_articles, idle_minutes, own_folder, nginx };
            cmd::serve::run(project.paths(), settings, smtp.settings()?).await
        }
        Command::User(c) => cmd::user::run(c).await,
        Command::Backup { into, project } => cmd::backup::create(&into, project.paths()).await,
        Command::Restore { from, replace, no_build, project } => {
            cmd::backup::restore(&from, replace, !no_build, project.paths()).await
        }
        Command::Audit { restore: Some(code), smtp, project, .. } => cmd::audit::restore(code, smtp, project).await,
        Command::Audit { site, format, external_links, restore: None, smtp, project } => {
            cmd::audit::run(site, format, external_links, smtp, project).await
        }
        Command::Search(c) => cmd::search::run(c).await,
        Command::Bench(c) => cmd::bench::run(c).await,
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
