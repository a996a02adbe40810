//! First run: an empty database gets the demo articles for the shipped group, so that a
//! newcomer's `zhanqun serve` shows a living site group at once.

use std::path::Path;

use anyhow::Context;

use super::traffic::TrafficSite;
use super::{self as demo, DemoSite};
use crate::content::import::ImportStats;
use crate::group::model::SiteKind;
use crate::project::Project;
use crate::store::import::import_dir;
use crate::store::tenant::{Job, Tenant};

/// Whether the group has the columns the demo articles are written for.
pub fn group_fits_demo(project: &Project) -> bool {
    let group = project.group();
    group.def.demo
        && group.sites.iter().all(|s| {
            ["gk", "gzdt", "tzgg", "zcfg", "zcjd", "bszn"].iter().all(|c| s.def.columns.iter().any(|x| x.slug == *c))
        })
}

/// Writes `per_site` demo articles per site under `work` and imports them.
pub async fn seed_demo_content(
    project: &Project,
    work: &Path,
    per_site: usize,
    actor: &str,
) -> anyhow::Result<ImportStats> {
    let group = project.group();
    let sites: Vec<DemoSite> = project
        .group()
        .sites
        .iter()
        .map(|s| DemoSite {
            code: s.code().to_string(),
            name: s.def.name.clone(),
            short: short_name(&s.def.name, &group.def.city),
            kind: s.def.kind,
        })
        .collect();
    if work.exists() {
        std::fs::remove_dir_all(work)?;
    }
    demo::write_content(work, &sites, per_site, demo::content_day())?;
    write_flaws(project, work)?;
    let mut total = ImportStats::default();
    for site in &group.sites {
        let report =
            import_dir(&project.store, Tenant::system(Job::DemoSeed), site, &work.join(site.code()), None, actor)
                .await?;
        if let Some(p) = report.problems.first() {
            anyhow::bail!("demo content did not import cleanly: {p}");
        }
        total += report.stats;
    }
    Ok(total)
}

/// Articles that break audit rules on purpose, so that the demo's inspection pages show real
/// findings: (site, file, title, body). Sites missing from the group are skipped.
pub const FLAWS: &[(&str, &str, &str, &str)] = &[
    (
        "jtysj",
        "gzdt/flaw-private-mail.md",
        "市交通运输局召开春运安全工作部署会",
        "会议要求各单位压实责任。对春运工作的意见建议可发送至 jtysj_bgs2019@163.com。",
    ),
    (
        "gxj",
        "gzdt/flaw-leader-name.md",
        "市长李明化调研我市工业企业复工复产情况",
        "市长李明化一行先后来到多家工业企业，详细了解企业生产经营情况。",
    ),
    (
        "daj",
        "tzgg/flaw-broken-link.md",
        "关于开展档案开放鉴定工作的通知",
        "请各单位下载[档案开放鉴定登记表](/tzgg/dengjibiao.html)，按要求填报。",
    ),
    (
        "gjj",
        "gzdt/flaw-cancelled-mailbox.md",
        "市公积金中心开展政策宣传进社区活动",
        "活动现场解答群众咨询 60 余人次。后续咨询请联系 zhangwei.gjj@shili.gov.cn。",
    ),
    (
        "www",
        "gzdt/leader-visit.md",
        "市长李明华检查城市防汛工作",
        "市长李明华强调，要压紧压实防汛责任，确保人民群众生命财产安全。",
    ),
];

/// The mailboxes of the demo registry: (site, address before @, holder, purpose, cancelled).
/// The cancelled one is still named by a demo article (see `FLAWS`).
const DEMO_MAILBOXES: &[(&str, &str, Option<&str>, &str, bool)] = &[
    ("www", "zfb", None, "市政府办公室对外联系", false),
    ("fgw", "fgw.bgs", None, "办公室", false),
    ("fgw", "wangfang.fgw", Some("王芳"), "信息公开工作联系人", false),
    ("czj", "czj.bgs", None, "办公室", false),
    ("gjj", "gjj.zx", None, "政策咨询", false),
    ("gjj", "zhangwei.gjj", Some("张伟"), "宣传工作联系人", true),
];

fn write_flaws(project: &Project, work: &Path) -> anyhow::Result<()> {
    let group = project.group();
    // Yesterday morning: already live whatever the hour now.
    let today = chrono::NaiveDate::parse_from_str(&crate::content::now_local()[..10], "%Y-%m-%d")?;
    let day = today.pred_opt().unwrap_or(today).format("%Y-%m-%d").to_string();
    for (code, file, title, body) in FLAWS {
        if group.site(code).is_none() {
            continue;
        }
        let column = file.split('/').next().unwrap_or("gzdt");
        let extra = if column == "tzgg" {
            format!(
                "doc_number: \"示档发〔{}〕3号\"\nwritten_date: \"{}\"\ntopic: \"综合政务\"\n",
                &day[..4],
                &day[..10]
            )
        } else {
            String::new()
        };
        let text =
            format!("---\ntitle: {title}\ncolumn: {column}\ndate: \"{} 09:00\"\n{extra}---\n{body}\n", &day[..10]);
        let path = work.join(code).join(file);
        std::fs::create_dir_all(path.parent().unwrap_or(work))?;
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Fills the official mailbox registry of an empty demo database: a few issued mailboxes and
/// one cancelled that a page still shows.
pub async fn seed_demo_mailboxes(project: &Project) -> anyhow::Result<usize> {
    let group = project.group();
    use crate::store::mailboxes::{Actor, MailboxFields};
    let store = &project.store;
    if !store.mailboxes(Tenant::system(Job::DemoSeed)).await?.is_empty() {
        return Ok(0);
    }
    let rows = store.site_rows().await?;
    let by = Actor { name: "operator:demo-seed", ip: None, user_id: None };
    let mut n = 0;
    for (code, local, holder, purpose, cancelled) in DEMO_MAILBOXES {
        let Some(row) = rows.get(*code) else { continue };
        let fields = MailboxFields {
            address: format!("{local}@{}", group.def.mail_domain),
            holder: holder.map(str::to_string),
            purpose: purpose.to_string(),
            listed: true,
        };
        let id = store.apply_mailbox(Tenant::system(Job::DemoSeed), row.id, &fields, by).await?;
        store.issue_mailbox(Tenant::system(Job::DemoSeed), id, by).await?;
        if *cancelled {
            store.cancel_mailbox(Tenant::system(Job::DemoSeed), id, "人员调离", by).await?;
        }
        n += 1;
    }
    Ok(n)
}

/// Writes 30 days of demo visit statistics up to yesterday (see `demo::traffic`); the last
/// two town sites get none yesterday. Returns the views written.
pub async fn seed_demo_traffic(project: &Project) -> anyhow::Result<u64> {
    let rows = project.store.site_rows().await?;
    let group = project.group();
    let sites: Vec<TrafficSite> = group
        .sites
        .iter()
        .filter_map(|s| {
            Some(TrafficSite {
                id: rows.get(s.code())?.id,
                kind: s.def.kind,
                name: &s.def.name,
                columns: s.def.columns.iter().map(|c| (c.slug.as_str(), c.name.as_str())).collect(),
            })
        })
        .collect();
    let quiet: Vec<i64> = sites.iter().rev().filter(|s| s.kind == SiteKind::Town).take(2).map(|s| s.id).collect();
    let yesterday = crate::stats::period::today().pred_opt().context("no day before today")?;
    let traffic = demo::traffic::demo_traffic(&sites, yesterday, 30, &quiet);
    project.store.write_traffic(&traffic).await?;
    Ok(traffic.days.iter().map(|d| d.2).sum())
}

fn short_name(name: &str, city: &str) -> String {
    let s = name.strip_prefix(city).unwrap_or(name);
    let s = s.strip_suffix("人民政府").or_else(|| s.strip_suffix("办事处")).unwrap_or(s);
    if s.is_empty() {
        "市政府".to_string() // the city government itself, i.e. the portal
    } else {
        s.to_string()
    }
}

/// The department whose demo accounts ship with the demo group.
pub const DEMO_ACCOUNT_SITE: &str = "fgw";
/// The demo accounts' password (documented in README; demo only).
pub const DEMO_PASSWORD: &str = "Zhanqun@2026";

/// One demo account: user name, display name, role, site code.
pub const DEMO_ACCOUNTS: &[(&str, &str, crate::auth::Role, Option<&str>)] = &[
    ("admin", "信息化办管理员", crate::auth::Role::Central, None),
    ("siteadmin", "发改委站点管理员", crate::auth::Role::SiteAdmin, Some(DEMO_ACCOUNT_SITE)),
    ("editor", "发改委信息员", crate::auth::Role::Editor, Some(DEMO_ACCOUNT_SITE)),
    ("reviewer", "发改委审核员", crate::auth::Role::Reviewer, Some(DEMO_ACCOUNT_SITE)),
    // The portal's reviewer decides what the departments submit (信息报送).
    ("portal", "门户网站审核员", crate::auth::Role::Reviewer, Some("www")),
];

/// Creates the demo accounts when the group is the demo group (`demo: true` in group.yaml), the
/// database has no users and the group has the demo site. They skip the forced password
/// change, which real accounts never do. Returns the accounts created, for printing. A real
/// group never gets them: their password is in README.
pub async fn seed_demo_accounts(project: &Project) -> anyhow::Result<Vec<String>> {
    let group = project.group();
    if !group.def.demo || project.store.user_count().await? > 0 || group.site(DEMO_ACCOUNT_SITE).is_none() {
        return Ok(Vec::new());
    }
    let rows = project.store.site_rows().await?;
    let mut lines = Vec::new();
    for (username, name, role, site) in DEMO_ACCOUNTS {
        let site_id = site.and_then(|code| rows.get(code).map(|r| r.id));
        let user = crate::store::users::NewUser {
            username,
            display_name: name,
            role: *role,
            site_id,
            password: DEMO_PASSWORD,
            must_change_password: false,
        };
        project.store.create_user(Tenant::system(Job::DemoSeed), &user, "operator:demo-seed", None).await?;
        let site_name = site.and_then(|c| group.site(c)).map(|s| s.def.name.as_str()).unwrap_or("全站群");
        lines.push(format!("  {:<9} {:<10} {}（{}）", username, DEMO_PASSWORD, role.label(), site_name));
    }
    Ok(lines)
}

/// Fills an empty message table with a few months of demo messages across the group (see
/// `demo::messages`): mostly answered on time, some late, a few overdue, some in hand, a few
/// transferred, and one consultation on `jtysj` left unanswered for four months, which the
/// audit vetoes. Returns the messages written.
pub async fn seed_demo_messages(project: &Project) -> anyhow::Result<usize> {
    let group = project.group();
    use super::messages::{Dice, LETTERS, WRITERS};
    use crate::interaction::deadline::{self, beijing_day, end_of_day};
    use crate::interaction::{Category, DEFAULT_ACK_TEXT};
    use crate::store::messages::HandledMessage;
    let store = &project.store;
    if store.has_messages(Tenant::system(Job::DemoSeed)).await? {
        return Ok(0);
    }
    let rows = store.site_rows().await?;
    let cal = &group.calendar;
    let now = crate::store::now_unix();
    let mut n = 0;
    for site in &group.sites {
        let Some(row) = rows.get(site.code()) else { continue };
        let mut dice = Dice::new(site.code());
        let count = match site.def.kind {
            SiteKind::Portal => 14,
            SiteKind::District => 6,
            SiteKind::Department => 2 + dice.below(4) as usize,
            SiteKind::Town => dice.below(2) as usize,
        };
        let boxes: Vec<&str> = site.def.contact.mailboxes.iter().map(|m| m.name.as_str()).collect();
        for i in 0..count {
            let (category, subject, content, reply) = LETTERS[dice.below(LETTERS.len() as u64) as usize];
            // A few arrived in the last hours and wait for acknowledgement.
            let fresh = i == 0 && dice.below(6) == 0;
            let days_ago = if fresh { 0 } else { 2 + dice.below(150) as i64 };
            let received_at = now - days_ago * 86_400 - dice.below(8 * 3600) as i64 - 600;
            let complex = (dice.below(10) == 0).then(|| "涉及多个部门，需会同相关单位核实".to_string());
            let due = deadline::due_date(cal, received_at, complex.is_some(), 0);
            let roll = dice.below(100);
            let ack_at =
                received_at + if roll.is_multiple_of(10) { 30 * 3600 } else { 3600 + dice.below(12 * 3600) as i64 };
            let on_time_at = {
                let days = cal.working_days_between(beijing_day(received_at), due).max(1);
                let k = 1 + dice.below(days.min(6) as u64) as u32;
                end_of_day(cal.add_working_days(beijing_day(received_at), k)) - 5 * 3600
            };
            let late_at = end_of_day(due + chrono::Days::new(1 + dice.below(6))) - 5 * 3600;
            // Overdue and unanswered only within the last two months: older ones would all be
            // vetoes, which a city does not have by the dozen.
            let answered_at = if fresh {
                None
            } else if roll < 74 && on_time_at < now {
                Some(on_time_at)
            } else if roll < 86 && late_at < now {
                Some(late_at)
            } else if days_ago <= 60 {
                None
            } else {
                Some(on_time_at)
            };
            let transferred = (site.def.kind == SiteKind::Portal && i % 5 == 4)
                .then(|| group.site("jtysj"))
                .flatten()
                .and_then(|to| rows.get(to.code()).map(|r| (r.id, to.def.name.clone())));
            let writer = WRITERS[dice.below(WRITERS.len() as u64) as usize];
            let h = HandledMessage {
                origin_site_id: row.id,
                site_id: transferred.as_ref().map_or(row.id, |t| t.0),
                transferred_to: transferred.map(|t| t.1),
                recipient: if boxes.is_empty() || i % 3 != 0 {
                    String::new()
                } else {
                    boxes[i % boxes.len()].to_string()
                },
                category,
                subject: subject.to_string(),
                content: format!("{content}\n联系电话：139{:08}。{writer}", dice.below(100_000_000)),
                name: writer.to_string(),
                phone: format!("139{:08}", dice.below(100_000_000)),
                publishable: dice.below(5) != 0,
                received_at,
                due_date: due,
                complex,
                acknowledged: (!fresh || roll < 50).then(|| (ack_at.min(now - 60), DEFAULT_ACK_TEXT.to_string())),
                answered: answered_at.map(|at| (at, reply.to_string())),
                rating: answered_at.and_then(|_| (dice.below(3) == 0).then(|| 3 + dice.below(3) as i64)),
            };
            store.insert_handled_message(Tenant::system(Job::DemoSeed), &h).await?;
            n += 1;
        }
    }
    // The audit's unanswered-consultation veto, shown once.
    if let Some(row) = rows.get("jtysj") {
        let received_at = now - 120 * 86_400;
        let (_, subject, content, _) = LETTERS[0];
        store
            .insert_handled_message(
                Tenant::system(Job::DemoSeed),
                &HandledMessage {
                    origin_site_id: row.id,
                    site_id: row.id,
                    transferred_to: None,
                    recipient: String::new(),
                    category: Category::Consult,
                    subject: format!("{subject}（一直没有回复）"),
                    content: content.to_string(),
                    name: "钱进".into(),
                    phone: "13900001234".into(),
                    publishable: true,
                    received_at,
                    due_date: deadline::due_date(cal, received_at, false, 0),
                    complex: None,
                    acknowledged: None,
                    answered: None,
                    rating: None,
                },
            )
            .await?;
        n += 1;
    }
    Ok(n)
}

/// Demo opinion solicitations: on `fgw` (the demo accounts' site) one open now and one closed
/// with its published feedback summary, and one open on the portal. Returns how many.
pub async fn seed_demo_solicitations(project: &Project) -> anyhow::Result<usize> {
    let group = project.group();
    use crate::interaction::deadline::beijing_day;
    use crate::store::mailboxes::Actor;
    use crate::store::solicitations::SolicitationFields;
    let store = &project.store;
    if !store.solicitations(Tenant::system(Job::DemoSeed)).await?.is_empty() {
        return Ok(0);
    }
    let rows = store.site_rows().await?;
    let today = beijing_day(crate::store::now_unix());
    let by = Actor { name: "operator:demo-seed", ip: None, user_id: None };
    let day = |offset: i64| today + chrono::Duration::days(offset);
    let drafts = [
        (
            DEMO_ACCOUNT_SITE,
            "关于《示例市优化营商环境若干措施（征求意见稿）》公开征求意见的公告",
            OPEN_DRAFT,
            day(-5),
            day(20),
            None,
        ),
        (
            DEMO_ACCOUNT_SITE,
            "关于《示例市节能降碳专项行动方案（征求意见稿）》公开征求意见的公告",
            CLOSED_DRAFT,
            day(-60),
            day(-31),
            Some(CLOSED_SUMMARY),
        ),
        (
            group.def.portal.as_str(),
            "关于《示例市停车管理办法（征求意见稿）》公开征求意见的公告",
            PARKING_DRAFT,
            day(-3),
            day(27),
            None,
        ),
    ];
    let mut n = 0;
    for (code, title, body, opens, closes, summary) in drafts {
        let Some(row) = rows.get(code) else { continue };
        let fields = SolicitationFields { title: title.into(), body_md: body.into(), opens, closes };
        let scope = Tenant::system_site(Job::DemoSeed, row.id);
        let id = store.create_solicitation(scope, &fields, None, by).await?;
        store.submit_solicitation(scope, id, by).await?;
        store.review_solicitation(scope, id, true, "同意发布", by).await?;
        if let Some(text) = summary {
            store.save_summary(scope, id, text, today, by).await?;
            store.submit_solicitation(scope, id, by).await?;
            store.review_solicitation(scope, id, true, "同意发布", by).await?;
        }
        n += 1;
    }
    Ok(n)
}

/// Demo 信息报送: a share of the departments, districts and towns have offered their newest
/// 工作动态 to the receiving site (the portal). Most were accepted into 部门动态 or 区县动态, a
/// few declined with a reason, a few wait; fgw (the demo accounts' site) has one of each kind
/// but a decline, so the editor and the portal's reviewer see both sides at once. Returns how
/// many were offered.
pub async fn seed_demo_submissions(project: &Project) -> anyhow::Result<usize> {
    use super::messages::Dice;
    use crate::group::model::SiteKind;
    use crate::store::mailboxes::Actor;
    let group = &project.group();
    let store = &project.store;
    let Some(target) = group.def.submissions.first() else { return Ok(0) };
    let rows = store.site_rows().await?;
    let Some(receiver) = rows.get(&target.site) else { return Ok(0) };
    if !store.submissions(Tenant::system(Job::DemoSeed), receiver.id, true).await?.is_empty() {
        return Ok(0);
    }
    let now = crate::content::now_local();
    let now_unix = crate::store::now_unix();
    let by = Actor { name: "operator:demo-seed", ip: None, user_id: None };
    let column_for = |kind: SiteKind| {
        let wanted = if kind == SiteKind::Department { "bmdt" } else { "xqdt" };
        target.columns.iter().find(|c| *c == wanted).or(target.columns.first()).cloned()
    };
    let receiving = Tenant::system_site(Job::DemoSeed, receiver.id);
    let mut n = 0;
    for site in &group.sites {
        let code = site.code();
        if code == target.site {
            continue;
        }
        let (Some(row), Some(column)) = (rows.get(code), column_for(site.def.kind)) else { continue };
        let Some(&news) = row.columns.get("gzdt") else { continue };
        // Some units report every week, many now and then, some never: the spread a monthly
        // ranking of submissions is there to show.
        let mut dice = Dice::new(code);
        let how_many = match (code == DEMO_ACCOUNT_SITE, dice.below(10)) {
            (true, _) => 8,
            (false, 0..=2) => 0,
            (false, 3..=6) => 2,
            (false, 7 | 8) => 4,
            (false, _) => 8,
        };
        if how_many == 0 {
            continue;
        }
        let sender = Tenant::system_site(Job::DemoSeed, row.id);
        for (k, article) in store.list_head(news, &now, how_many).await?.iter().enumerate() {
            let Some(published) = crate::clock::local_to_unix(&article.publish_at) else { continue };
            let submitted_at = (published + 3600 + dice.below(5 * 3600) as i64).min(now_unix - 600);
            if now_unix - submitted_at > 150 * 86_400 {
                break;
            }
            let note = if k == 0 { "本单位重要工作动态，建议门户刊发" } else { "" };
            let id = store.submit_to(sender, group, by, article.id, &target.site, note).await?;
            n += 1;
            // About half of the last day's submissions still wait; the others were decided
            // within a day or two, most of them taken. fgw keeps one waiting for its demo
            // accounts.
            let decided_at = (submitted_at + 2 * 3600 + dice.below(40 * 3600) as i64).min(now_unix - 60);
            let fresh =
                (now_unix - submitted_at < 86_400 && dice.below(2) == 0) || (code == DEMO_ACCOUNT_SITE && k == 1);
            let decided = match (fresh, dice.below(100)) {
                (true, _) => None,
                (false, 0..=71) => {
                    store.accept_submission(receiving, group, by, id, &column).await?;
                    Some(decided_at)
                }
                (false, _) => {
                    let reason = if k % 2 == 0 {
                        "属本单位内部事务，不宜在门户刊发"
                    } else {
                        "内容与门户近期已刊发信息重复"
                    };
                    store.decline_submission(receiving, by, id, reason).await?;
                    Some(decided_at)
                }
            };
            store.backdate_submission(id, submitted_at, decided).await?;
        }
    }
    Ok(n)
}

const OPEN_DRAFT: &str = "为进一步优化营商环境，市发展改革委起草了《示例市优化营商环境若干措施（征求意见稿）》，现向社会公开征求意见。\n\n## 主要内容\n\n1. 推行企业开办“一网通办”，开办时间压缩至1个工作日以内；\n2. 工程建设项目审批实行告知承诺制；\n3. 建立涉企政策“免申即享”机制。\n\n欢迎社会各界在征集期内提出意见和建议。";
const CLOSED_DRAFT: &str = "为推动全市节能降碳工作，市发展改革委起草了《示例市节能降碳专项行动方案（征求意见稿）》，现向社会公开征求意见。\n\n方案提出到2027年单位地区生产总值能耗较2025年下降5%的目标。";
const CLOSED_SUMMARY: &str = "征集期间收到的意见建议主要集中在公共机构节能、新能源汽车充电设施和既有建筑节能改造三个方面。\n\n经研究，采纳了在方案中增加公共机构屋顶光伏建设任务、加快小区充电设施建设等意见；涉及国家层面政策调整的意见未予采纳，已向提出人说明。感谢社会各界的关心和支持。";
const PARKING_DRAFT: &str = "为规范机动车停放秩序，市城市管理局会同有关部门起草了《示例市停车管理办法（征求意见稿）》，现公开征求意见。\n\n办法对公共停车场建设、道路临时泊位设置、收费和执法等作出规定。";
