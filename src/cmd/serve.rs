//! `zhanqun serve`: first-run demo content and build, then the admin, previews and shared
//! services on one port until stopped.

use std::process::ExitCode;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use zhanqun::project::Paths;
use zhanqun::store::audit;

use super::open;
use crate::NginxArgs;
use zhanqun::publish::follow::Started;

/// The command line of `zhanqun serve`, besides the project and mail.
pub struct Settings {
    pub listen: String,
    pub demo_articles: usize,
    pub idle_minutes: i64,
    pub own_folder: bool,
    pub nginx: NginxArgs,
}

pub async fn run(
    paths: Paths,
    settings: Settings,
    smtp: Option<Arc<zhanqun::mail::SmtpSettings>>,
) -> anyhow::Result<ExitCode> {
    let Settings { listen, demo_articles, idle_minutes, own_folder, nginx } = settings;
    let addr = zhanqun::web::socket_addr(&listen).map_err(anyhow::Error::msg)?;
    // Bind first: a taken port is reported before minutes of first-run work.
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let mut project = open(paths).await?;
    project.smtp = smtp;
    project.own_folder = own_folder;
    let empty = project.store.published_count().await? == 0;
    if empty && demo_articles > 0 && zhanqun::demo::seed::group_fits_demo(&project) {
        println!("首次运行：数据库为空，正在导入示例内容（每站 {demo_articles} 篇）……");
        let work = PathBuf::from("data/demo-content");
        let stats = zhanqun::demo::seed::seed_demo_content(&project, &work, demo_articles, &audit::operator()).await?;
        println!("已导入 {} 篇示例文章", stats.created);
        let views = zhanqun::demo::seed::seed_demo_traffic(&project).await?;
        println!("已写入最近 30 天的示例访问统计（{views} 次浏览）");
        let boxes = zhanqun::demo::seed::seed_demo_mailboxes(&project).await?;
        println!("已登记 {boxes} 个示例公务邮箱");
        let messages = zhanqun::demo::seed::seed_demo_messages(&project).await?;
        println!("已写入 {messages} 条示例网民留言（按期、超期、在办各有）");
        let solicitations = zhanqun::demo::seed::seed_demo_solicitations(&project).await?;
        println!("已发布 {solicitations} 项示例意见征集");
        let submissions = zhanqun::demo::seed::seed_demo_submissions(&project).await?;
        println!("已写入 {submissions} 条示例信息报送（已采用、未采用、待采用各有）");
    }
    let published = project.paths.out.join(&project.group().portal().host).exists();
    if own_folder {
        // Built whole only when it cannot replay what it missed; and then without settling
        // the queue, which would make every other node build every site again.
        match zhanqun::publish::follow::start(&project, Some(nginx.options())).await? {
            (_, Started::Built(summary)) => println!("本节点发布目录：{summary} → {}", project.paths.out.display()),
            (_, Started::Replayed(0)) => {}
            (_, Started::Replayed(n)) => println!("本节点发布目录已补发其他节点发布的 {n} 个站点"),
        }
    } else if empty || !published {
        let opts = project.build_options(Vec::new(), true, Some(nginx.options()));
        let summary = project.build(&opts).await?;
        println!("{summary} → {}", project.paths.out.display());
    }
    let accounts = zhanqun::demo::seed::seed_demo_accounts(&project).await?;
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
    println!("门户网站预览: http://{}.localhost:{port}/", project.group().portal().host);
    println!(
        "健康检查: http://{addr}/healthz ; nginx 配置: {}",
        project.paths.out.join("nginx/zhanqun.conf").display()
    );
    zhanqun::web::serve(project, listener, idle_minutes * 60)
        .await
        .with_context(|| format!("cannot serve on {addr}"))?;
    Ok(ExitCode::SUCCESS)
}
