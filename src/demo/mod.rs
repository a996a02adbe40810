//! `zhanqun demo-data`: a synthetic but realistic site group of the fictional 示例市 (sites in
//! YAML) and Markdown articles in the import format, built from real government prose. The
//! shipped `sites/` folder is this generator's output, and `serve` fills an empty database
//! with its articles.

pub mod corpus;
pub mod messages;
pub mod names;
pub mod seed;
pub mod traffic;

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};

use crate::group::model::{
    ColumnDef, ColumnKind, Contact, CounterSettings, GroupFile, SearchSettings, SiteFile, SiteKind, ThemeChoice,
};
use names::{DEPARTMENTS, DISTRICTS, EVENTS, SERVICES, TOPICS, TOWNS};

pub const CITY: &str = "示例市";
pub const ROOT_DOMAIN: &str = "shili.gov.cn";

/// A site of the demo group, before it becomes YAML.
#[derive(Debug, Clone)]
pub struct DemoSite {
    pub code: String,
    pub name: String,
    /// Short name used in 文号 and titles.
    pub short: String,
    pub kind: SiteKind,
}

/// The portal followed by `n` subsites: departments, then districts, then towns and streets.
pub fn sites(n: usize) -> Vec<DemoSite> {
    let mut out = vec![DemoSite {
        code: "www".into(),
        name: format!("{CITY}人民政府"),
        short: "市政府".into(),
        kind: SiteKind::Portal,
    }];
    let mut subs: Vec<DemoSite> = Vec::new();
    for (code, name, short) in DEPARTMENTS {
        subs.push(DemoSite {
            code: (*code).into(),
            name: format!("{CITY}{name}"),
            short: (*short).into(),
            kind: SiteKind::Department,
        });
    }
    for (code, name) in DISTRICTS {
        subs.push(DemoSite {
            code: (*code).into(),
            name: format!("{CITY}{name}人民政府"),
            short: (*name).into(),
            kind: SiteKind::District,
        });
    }
    for (d, (dcode, dname)) in DISTRICTS.iter().enumerate() {
        for k in 0..9 {
            let (tcode, tname) = TOWNS[(d * 3 + k) % TOWNS.len()];
            let suffix = if tname.ends_with("街道") { "办事处" } else { "人民政府" };
            subs.push(DemoSite {
                code: format!("{dcode}-{tcode}"),
                name: format!("{dname}{tname}{suffix}"),
                short: tname.into(),
                kind: SiteKind::Town,
            });
        }
    }
    let mut extra = 1;
    while subs.len() < n {
        subs.push(DemoSite {
            code: format!("zx{extra}"),
            name: format!("{CITY}第{extra}专项工作办公室"),
            short: format!("专项{extra}办"),
            kind: SiteKind::Department,
        });
        extra += 1;
    }
    out.extend(subs.into_iter().take(n));
    out
}

pub fn base_columns() -> Vec<ColumnDef> {
    let col = |slug: &str, name: &str, kind| ColumnDef::new(slug, name, kind, None);
    vec![
        col("gk", "单位概况", ColumnKind::Overview),
        col("zcfg", "政策法规", ColumnKind::Policy),
        col("bszn", "办事指南", ColumnKind::Guide),
        col("gzdt", "工作动态", ColumnKind::News),
    ]
}

fn site_columns(kind: SiteKind) -> Vec<ColumnDef> {
    let col = |slug: &str, name: &str, kind, parent: Option<&str>| ColumnDef::new(slug, name, kind, parent);
    let mut cols = Vec::new();
    if kind == SiteKind::Portal {
        cols.push(col("szyw", "政务要闻", ColumnKind::News, None));
    }
    cols.extend(base_columns());
    cols.push(col("tzgg", "通知公告", ColumnKind::Notice, None));
    cols.push(col("zcjd", "政策解读", ColumnKind::Policy, Some("zcfg")));
    if kind == SiteKind::Portal {
        cols.push(col("bmdt", "部门动态", ColumnKind::News, Some("gzdt")));
        cols.push(col("xqdt", "区县动态", ColumnKind::News, Some("gzdt")));
    }
    cols
}

pub fn group_file() -> GroupFile {
    GroupFile {
        name: format!("{CITY}人民政府网站群"),
        city: CITY.into(),
        root_domain: ROOT_DOMAIN.into(),
        portal: "www".into(),
        province: "湘".into(),
        logo: "assets/logo.svg".into(),
        topics: crate::group::model::national_topics(),
        party_mark: "assets/party-mark.svg".into(),
        mail_domain: ROOT_DOMAIN.into(),
        scheme: "https".into(),
        base_columns: base_columns(),
        default_theme: "default".into(),
        counter: CounterSettings { path: "/hit".into(), show_total: true },
        search: SearchSettings {
            path: "/search".into(),
            portal_searches_group: true,
            synonyms: vec![vec!["政务服务".into(), "网上办事".into()]],
        },
        audit: Default::default(),
        demo: true,
        submissions: vec![crate::group::model::SubmissionTarget {
            site: "www".into(),
            columns: vec!["bmdt".into(), "xqdt".into()],
            reaccept_edits: false,
        }],
        mourning: vec![crate::group::model::MourningDays {
            from: "2026-12-13".into(),
            to: "2026-12-13".into(),
            reason: "国家公祭日".into(),
        }],
    }
}

pub fn site_file(i: usize, s: &DemoSite) -> SiteFile {
    let opened = NaiveDate::from_ymd_opt(2015, 3, 1).unwrap_or_default() + Days::new(i as u64 * 9);
    // Most sites filed with the public security bureau within days; a few late or not at all,
    // which is what the central audit is for.
    let psb_filed = match i % 23 {
        7 => Some(opened + Days::new(45)),
        13 => None,
        _ => Some(opened + Days::new(5 + (i as u64 % 20))),
    };
    let district = match s.kind {
        SiteKind::Town => {
            s.code.split('-').next().and_then(|d| DISTRICTS.iter().find(|x| x.0 == d)).map(|x| x.1).unwrap_or("青山区")
        }
        SiteKind::District => DISTRICTS.iter().find(|x| x.0 == s.code).map(|x| x.1).unwrap_or("青山区"),
        _ => "",
    };
    let address = match s.kind {
        SiteKind::Portal | SiteKind::Department => format!("{CITY}政务中心{}号楼", 1 + i % 12),
        _ => format!("{CITY}{district}{}路{}号", ["人民", "解放", "建设", "迎宾", "滨江"][i % 5], 10 + i % 90),
    };
    SiteFile {
        code: s.code.clone(),
        name: s.name.clone(),
        short_names: short_names(s),
        kind: s.kind,
        host: None,
        organizer: s.name.clone(),
        org_code: format!("11439900MB{:07}X", 1000 + i),
        site_id: format!("439900{:04}", i + 1),
        // A filing holds at most 999 sites (-1 to -999); a province-sized demo files the rest
        // under further numbers, as more filing bodies would.
        icp: format!("湘ICP备{}号-{}", 19004321 + i / 999, i % 999 + 1),
        psb: format!("湘公网安备 43990002{:06}号", i + 1),
        opened: opened.format("%Y-%m-%d").to_string(),
        psb_filed: psb_filed.map(|d| d.format("%Y-%m-%d").to_string()),
        contact: Contact {
            address,
            phone: format!("0734-8{:06}", 100_000 + i * 37),
            email: format!("{}@{ROOT_DOMAIN}", s.code.replace('-', ".")),
            mailboxes: Vec::new(),
        },
        columns: site_columns(s.kind),
        theme: ThemeChoice {
            name: None,
            variant: match s.kind {
                SiteKind::Portal => "red",
                SiteKind::District => "green",
                _ => "blue",
            }
            .into(),
            banner: None,
        },
        review_levels: match s.kind {
            // The demo accounts' department reviews once, so that its one demo reviewer can
            // publish; the other departments show the usual two levels.
            _ if s.code == seed::DEMO_ACCOUNT_SITE => 1,
            SiteKind::Portal => 3,
            SiteKind::Town => 1,
            _ => 2,
        },
    }
}

/// What citizens call a demo unit besides its name: 发改委 and 市发改委 for 示例市发展和改革委员会.
pub fn short_names(s: &DemoSite) -> Vec<String> {
    let plain = s.name.strip_prefix(CITY).unwrap_or(&s.name);
    if s.kind != SiteKind::Department || s.short == plain || s.short.starts_with("专项") {
        return Vec::new();
    }
    vec![s.short.clone(), format!("市{}", s.short)]
}

/// Writes `group.yaml`, the assets and one YAML file per site into `dir`.
pub fn write_sites(dir: &Path, n: usize) -> io::Result<Vec<DemoSite>> {
    std::fs::create_dir_all(dir.join("assets"))?;
    let group = group_file();
    let header = "# The site group: what every site shares and cannot override (the eight unifications).\n# See docs/defining-a-site.md. Validate with `zhanqun check`.\n";
    std::fs::write(dir.join("group.yaml"), format!("{header}{}", to_yaml(&group)?))?;
    std::fs::write(dir.join("assets/logo.svg"), LOGO_SVG)?;
    std::fs::write(dir.join("assets/party-mark.svg"), PARTY_MARK_SVG)?;
    let list = sites(n);
    for (i, s) in list.iter().enumerate() {
        let def = site_file(i, s);
        let header = format!("# {} — site definition (see docs/defining-a-site.md)\n", s.name);
        std::fs::write(dir.join(format!("{}.yaml", s.code)), format!("{header}{}", to_yaml(&def)?))?;
    }
    Ok(list)
}

fn to_yaml<T: serde::Serialize>(v: &T) -> io::Result<String> {
    serde_norway::to_string(v).map_err(io::Error::other)
}

/// Deterministic generator (SplitMix64) so that the same options give the same content.
struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Rng {
        Rng(seed.bytes().fold(0x9E37_79B9_7F4A_7C15, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Which column the `k`-th article of a site goes to.
fn column_for(kind: SiteKind, k: usize, rng: &mut Rng) -> &'static str {
    if k < 3 {
        return "gk";
    }
    let roll = rng.below(100);
    match (kind, roll) {
        (SiteKind::Portal, 0..=19) => "szyw",
        (SiteKind::Portal, 20..=29) => "bmdt",
        (SiteKind::Portal, 30..=34) => "xqdt",
        (_, 0..=39) => "gzdt",
        (_, 40..=59) => "tzgg",
        (_, 60..=74) => "zcfg",
        (_, 75..=84) => "zcjd",
        _ => "bszn",
    }
}

/// Writes `per_site` articles for each site into `dir/<code>/<column>/<n>.md`.
pub fn write_content(dir: &Path, sites: &[DemoSite], per_site: usize, today: NaiveDate) -> io::Result<usize> {
    let c = corpus::corpus();
    let mut written = 0;
    for (si, site) in sites.iter().enumerate() {
        let mut rng = Rng::new(&site.code);
        let root = dir.join(&site.code);
        let mut policies: Vec<(String, String)> = Vec::new(); // (file, title)
        for k in 0..per_site {
            let column = column_for(site.kind, k, &mut rng);
            // Recent days are denser, as on real sites.
            let r = rng.below(1000) as u64;
            let days_ago = r * r / 1000;
            let date = today - Days::new(days_ago);
            let time = format!("{:02}:{:02}", 8 + rng.below(10), rng.below(60));
            let year = chrono::Datelike::year(&date);
            let topic = *rng.pick(TOPICS);
            let mut front = String::new();
            let mut attachments = Vec::new();
            let file = format!("{column}/{:05}.md", k + 1);
            let title = match column {
                "gk" => ["机构职能", "领导信息", "内设机构"][k].to_string(),
                "gzdt" | "szyw" | "bmdt" | "xqdt" => format!("{}{}", site.short, rng.pick(EVENTS))
                    .replace("召开专题工作会议", &format!("召开{topic}专题工作会议")),
                "tzgg" => match rng.below(3) {
                    0 => format!("关于做好{year}年{topic}工作的通知"),
                    1 => format!("{}关于{topic}有关事项的公告", site.name),
                    _ => format!("关于开展{topic}专项行动的通知"),
                },
                "zcfg" => {
                    let t = format!("{}关于印发《{CITY}{topic}实施方案》的通知", site.name);
                    policies.push((file.clone(), t.clone()));
                    t
                }
                "zcjd" => match policies.get(rng.below(policies.len().max(1))).cloned() {
                    Some((pfile, ptitle)) => {
                        let _ = writeln!(front, "interprets: \"../{pfile}\"");
                        format!(
                            "图解：{}",
                            ptitle.split_once('《').map(|(_, t)| t.trim_end_matches("》的通知")).unwrap_or(&ptitle)
                        )
                    }
                    None => format!("一图读懂{topic}政策要点"),
                },
                _ => format!("{}办事指南", rng.pick(SERVICES)),
            };
            if matches!(column, "zcfg" | "tzgg") {
                let n = rng.below(60) + 1;
                let abbr: String = site.short.chars().take(2).collect();
                let _ = writeln!(front, "doc_number: \"示{abbr}发〔{year}〕{n}号\"");
                let _ = writeln!(
                    front,
                    "written_date: \"{}\"",
                    (date - Days::new(rng.below(10) as u64)).format("%Y-%m-%d")
                );
                let _ = writeln!(
                    front,
                    "topic: \"{}\"",
                    [
                        "综合政务",
                        "城乡建设、环境保护",
                        "民政、扶贫、救灾",
                        "国民经济管理、国有资产监管",
                        "卫生、体育",
                        "科技、教育"
                    ][rng.below(6)]
                );
            }
            if column == "tzgg" && rng.below(25) == 0 {
                attachments.push(format!("{:05}.pdf", k + 1));
            }
            let body = body(column, &title, site, &mut rng, c);
            let pinned = column == "tzgg" && k % 97 == 5;
            let mut text = String::with_capacity(body.len() + 512);
            let _ = write!(
                text,
                "---\ntitle: {}\ncolumn: {column}\ndate: \"{} {time}\"\n",
                yaml_str(&title),
                date.format("%Y-%m-%d")
            );
            if pinned {
                text.push_str("pinned: true\n");
            }
            text.push_str(&front);
            // The portal's news has photographs now and then, for its 图片新闻.
            let cover =
                (site.kind == SiteKind::Portal && matches!(column, "szyw" | "gzdt" | "bmdt" | "xqdt") && k % 3 == 0)
                    .then(|| format!("{:05}.png", k + 1));
            if let Some(c) = &cover {
                let _ = writeln!(text, "cover: {c}");
            }
            if !attachments.is_empty() {
                let _ = writeln!(
                    text,
                    "attachments: [{}]",
                    attachments.iter().map(|a| yaml_str(a)).collect::<Vec<_>>().join(", ")
                );
            }
            text.push_str("---\n");
            text.push_str(&body);
            let path = root.join(&file);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, text)?;
            for a in &attachments {
                std::fs::write(path.with_file_name(a), tiny_pdf(&title))?;
            }
            if let Some(c) = &cover {
                std::fs::write(path.with_file_name(c), demo_photo(k)?)?;
            }
            written += 1;
        }
        let _ = si;
    }
    Ok(written)
}

/// A drawn stand-in for a news photograph (640×360 PNG): a sky, a sun and a skyline that
/// differ with `k`, so that the 图片新闻 of the demo portal are told apart.
pub fn demo_photo(k: usize) -> io::Result<Vec<u8>> {
    const SKIES: [([u8; 3], [u8; 3]); 4] = [
        ([46, 110, 180], [190, 220, 240]),
        ([230, 120, 60], [250, 215, 150]),
        ([40, 130, 110], [200, 235, 210]),
        ([90, 80, 160], [220, 205, 240]),
    ];
    let (w, h) = (640u32, 360u32);
    let (top, bottom) = SKIES[k % SKIES.len()];
    let mut rng = Rng::new(&format!("photo-{k}"));
    let heights: Vec<u32> = (0..16).map(|_| 60 + rng.below(150) as u32).collect();
    let sun = (120 + rng.below(400) as i64, 60 + rng.below(60) as i64);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let building = heights[(x / 40) as usize];
        if y > h - building && (x % 40) > 3 {
            let window = (x % 10 < 5) && (y % 14 < 7) && y < h - 8;
            return image::Rgb(if window { [236, 220, 150] } else { [54, 62, 74] });
        }
        let (dx, dy) = (x as i64 - sun.0, y as i64 - sun.1);
        if dx * dx + dy * dy < 900 {
            return image::Rgb([255, 236, 170]);
        }
        let t = y as f32 / h as f32;
        let mix = |a: u8, b: u8| (a as f32 * (1.0 - t) + b as f32 * t) as u8;
        image::Rgb([mix(top[0], bottom[0]), mix(top[1], bottom[1]), mix(top[2], bottom[2])])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).map_err(io::Error::other)?;
    Ok(out.into_inner())
}

fn paragraph(rng: &mut Rng, c: &corpus::Corpus) -> String {
    let n = 2 + rng.below(3);
    (0..n).map(|_| rng.pick(&c.sentences).as_str()).collect()
}

fn body(column: &str, title: &str, site: &DemoSite, rng: &mut Rng, c: &corpus::Corpus) -> String {
    let mut out = String::new();
    match column {
        "bszn" => {
            let service = title.trim_end_matches("办事指南");
            let _ = write!(
                out,
                "## 基本信息\n\n| 要素 | 内容 |\n|---|---|\n| 事项名称 | {service} |\n| 设定依据 | 《中华人民共和国行政许可法》及相关法规规章 |\n| 实施主体 | {} |\n| 申请条件 | 符合法定条件的公民、法人或者其他组织 |\n| 办理材料 | 申请表、身份证明材料原件及复印件 |\n| 办理时限 | 承诺时限{}个工作日 |\n| 收费标准 | 不收费 |\n| 咨询电话 | 0734-12345 |\n\n## 办理流程\n\n1. 申请人提交申请材料；\n2. 窗口工作人员受理审查；\n3. 作出决定并送达。\n\n",
                site.name,
                3 + rng.below(15)
            );
            out.push_str(&paragraph(rng, c));
            out.push('\n');
        }
        "zcfg" => {
            let _ = write!(
                out,
                "各有关单位：\n\n现将《{}》印发给你们，请结合实际认真贯彻落实。\n\n",
                title.split_once('《').and_then(|(_, t)| t.split_once('》')).map(|(t, _)| t).unwrap_or(title)
            );
            for (i, num) in ["一", "二", "三"].iter().enumerate().take(2 + rng.below(2)) {
                let _ = write!(out, "## {num}、{}\n\n{}\n\n", rng.pick(&c.headings), paragraph(rng, c));
                if i == 0 {
                    let _ = write!(out, "{}\n\n", paragraph(rng, c));
                }
            }
            let _ = writeln!(out, "{}", site.name);
        }
        _ => {
            for _ in 0..(2 + rng.below(4)) {
                out.push_str(&paragraph(rng, c));
                out.push_str("\n\n");
            }
        }
    }
    out
}

/// A YAML double-quoted string.
fn yaml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A small but valid one-page PDF, so attachments in the demo are real files.
fn tiny_pdf(title: &str) -> Vec<u8> {
    let text = format!("zhanqun demo attachment {}", title.len());
    let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        let _ = write!(pdf, "{} 0 obj\n{o}\nendobj\n", i + 1);
    }
    let xref = pdf.len();
    let _ = write!(pdf, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        let _ = writeln!(pdf, "{off:010} 00000 n ");
    }
    let _ = write!(pdf, "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1);
    pdf.into_bytes()
}

pub struct DemoSummary {
    pub sites_dir: PathBuf,
    pub content_dir: PathBuf,
    pub sites: usize,
    pub articles: usize,
}

/// The newest day demo articles carry: yesterday in Beijing. Their times run from 08:00 to
/// 17:59 Beijing time, so an article dated today could still lie ahead (scheduled, not live)
/// for most of the UTC morning.
pub fn content_day() -> NaiveDate {
    let today = crate::interaction::deadline::beijing_day(chrono::Utc::now().timestamp());
    today.pred_opt().unwrap_or(today)
}

/// `zhanqun demo-data --sites N --articles M --out DIR`.
pub fn generate(out: &Path, subsites: usize, per_site: usize) -> io::Result<DemoSummary> {
    let sites_dir = out.join("sites");
    let content_dir = out.join("content");
    let list = write_sites(&sites_dir, subsites)?;
    let articles = write_content(&content_dir, &list, per_site, content_day())?;
    Ok(DemoSummary { sites_dir, content_dir, sites: list.len(), articles })
}

/// The group logo: a seal-red emblem with the city's initial, drawn for the demo.
pub const LOGO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="示例市人民政府网站群标识"><circle cx="32" cy="32" r="30" fill="#c8161d"/><circle cx="32" cy="32" r="25" fill="none" stroke="#f6d36b" stroke-width="2.5"/><path d="M32 12l3.5 10.8h11.3l-9.2 6.6 3.5 10.8-9.1-6.7-9.1 6.7 3.5-10.8-9.2-6.6h11.3z" fill="#f6d36b"/><rect x="17" y="44" width="30" height="5" rx="1" fill="#f6d36b"/></svg>
"##;

/// The 党政机关网站 mark as shown in footers (a drawing for the demo, not the official image).
pub const PARTY_MARK_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 110 55" role="img" aria-label="党政机关网站标识"><rect x="1" y="1" width="108" height="53" rx="4" fill="#fff" stroke="#c8161d" stroke-width="2"/><circle cx="20" cy="27.5" r="13" fill="#c8161d"/><path d="M20 18l2.6 7.9h8.3l-6.7 4.9 2.6 7.9-6.8-4.9-6.8 4.9 2.6-7.9-6.7-4.9h8.3z" fill="#ffd34d"/><text x="70" y="25" font-size="13" font-family="sans-serif" text-anchor="middle" fill="#c8161d" font-weight="bold">党政机关</text><text x="70" y="43" font-size="11" font-family="sans-serif" text-anchor="middle" fill="#c8161d">网站标识</text></svg>
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_150_subsites_with_unique_codes() {
        let list = sites(155);
        assert_eq!(list.len(), 156);
        let mut codes: Vec<&str> = list.iter().map(|s| s.code.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 156);
        assert_eq!(sites(400).len(), 401);
    }

    #[test]
    fn pdf_is_recognised() {
        assert!(crate::content::attachment::Attachment::new("a.pdf", tiny_pdf("x")).is_ok());
    }
}
