//! The shape of `sites/group.yaml` and `sites/<code>.yaml`, exactly as operators write them.
//! Unknown fields are rejected so that a misspelled key is an error, not a silent default.

use serde::{Deserialize, Serialize};

/// `sites/group.yaml`: what every site of the group shares and cannot override.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFile {
    /// Display name of the whole group, e.g. 示例市人民政府网站群.
    pub name: String,
    /// Name of the city or government the group belongs to, e.g. 示例市.
    pub city: String,
    /// Every host is `<label>.<root_domain>`.
    pub root_domain: String,
    /// Site code of the portal; its host label must be `www`.
    pub portal: String,
    /// Province abbreviation that every ICP and public-security number must start with, e.g. 湘.
    pub province: String,
    /// Group logo shown at the top left of every page (path relative to `sites/`).
    pub logo: String,
    /// The 党政机关网站 mark shown in every footer (path relative to `sites/`).
    pub party_mark: String,
    /// Official mailboxes must be `…@<mail_domain>`.
    pub mail_domain: String,
    /// Scheme used for absolute URLs (feeds, sitemaps, links between sites).
    #[serde(default = "default_scheme")]
    pub scheme: String,
    /// Columns every site must carry, unrenamed (统一基本栏目).
    pub base_columns: Vec<ColumnDef>,
    #[serde(default = "default_theme")]
    pub default_theme: String,
    #[serde(default)]
    pub counter: CounterSettings,
    #[serde(default)]
    pub search: SearchSettings,
    /// What the central audit holds the sites to beyond the national rules.
    #[serde(default)]
    pub audit: AuditSettings,
    /// The 主题分类 an article may be filed under: the editor offers these and nothing else,
    /// and an import naming another is refused. Defaults to the national classification used
    /// by 中国政府网 (`NATIONAL_TOPICS`).
    #[serde(default = "national_topics", skip_serializing_if = "is_national")]
    pub topics: Vec<String>,
    /// Marks the fictional demo group. Only a demo group gets demo content and the demo
    /// accounts, whose password is published in README, on its first run; a real group
    /// leaves this out and its first administrator is created with `zhanqun user add`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
    /// 信息报送: the sites that take in articles the group's other sites submit, usually the
    /// portal. Without it no site takes submissions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub submissions: Vec<SubmissionTarget>,
    /// 哀悼日: the days (Beijing time) on which every page of every site is shown in grey.
    /// Served as the group's mode stylesheet, so setting it takes no rebuild.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mourning: Vec<MourningDays>,
}

/// One entry of `mourning:` in `group.yaml`: a first and a last day, both included.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MourningDays {
    pub from: String,
    pub to: String,
    /// Why, for the operators reading the file, e.g. 国家公祭日.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

impl MourningDays {
    /// Whether `day` (YYYY-MM-DD) lies in the range; dates in that form compare as text.
    pub fn covers(&self, day: &str) -> bool {
        self.from.as_str() <= day && day <= self.to.as_str()
    }
}

/// One site of `submissions:` in `group.yaml`, and the columns its reviewers may place a
/// submitted article in (部门动态, 区县动态, a 专题).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SubmissionTarget {
    pub site: String,
    pub columns: Vec<String>,
    /// An edit approved at the source waits until the receiving reviewers accept it again;
    /// otherwise it goes live on both sites in the same publish.
    #[serde(default)]
    pub reaccept_edits: bool,
}

/// `audit:` in `group.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// Points off per finding by rule id (deductions only), replacing the documented defaults.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub weights: std::collections::BTreeMap<String, u32>,
    /// Mail providers whose addresses must not appear in published text (统一公务邮箱).
    #[serde(default = "default_private_mail")]
    pub private_mail_domains: Vec<String>,
    /// Words that must never be published (敏感词、禁用词), maintained by the central office.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbidden_words: Vec<String>,
    /// Leaders whose names must be written exactly: a near-miss beside their title is a veto.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaders: Vec<Leader>,
    /// The group's 错敏词 list: expressions that are wrong or outdated, each with the form to
    /// write instead (a misspelt country or institution, an institution's former name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<Correction>,
    /// The probe of every site's home page through the public web server (站点无法访问).
    #[serde(default)]
    pub availability: Availability,
    /// The check of links to sites outside the group: off unless asked for, and polite.
    #[serde(default)]
    pub external_links: ExternalLinks,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            weights: Default::default(),
            private_mail_domains: default_private_mail(),
            forbidden_words: Vec::new(),
            leaders: Vec::new(),
            corrections: Vec::new(),
            availability: Availability::default(),
            external_links: ExternalLinks::default(),
        }
    }
}

/// `audit.external_links:` the check of links that leave the group. Other sites owe us
/// nothing, so it asks little of each: one request at a time per host, few at a time overall,
/// a short timeout, and a bounded number of links per run.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExternalLinks {
    /// Checked in the daily run (the command line asks with `--external-links`).
    pub enabled: bool,
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    pub timeout_seconds: u64,
    /// Distinct links checked per run; the rest wait for a later run.
    pub max_links: usize,
    /// Lets the check reach this machine's loopback addresses (never private networks). Only
    /// code can set it, never `group.yaml`: it exists so that the check itself can be tested
    /// against a server on 127.0.0.1.
    #[serde(skip)]
    pub reach_loopback: bool,
}

impl Default for ExternalLinks {
    fn default() -> Self {
        Self { enabled: false, concurrency: 4, timeout_seconds: 10, max_links: 2000, reach_loopback: false }
    }
}

fn default_private_mail() -> Vec<String> {
    [
        "qq.com",
        "vip.qq.com",
        "foxmail.com",
        "163.com",
        "126.com",
        "yeah.net",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "139.com",
        "189.cn",
        "aliyun.com",
        "gmail.com",
        "hotmail.com",
        "outlook.com",
        "yahoo.com",
    ]
    .map(String::from)
    .to_vec()
}

/// One entry of the 错敏词 list.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The expression as it must not be written, e.g. 中华人民共合国.
    pub wrong: String,
    /// What to write instead, e.g. 中华人民共和国.
    pub right: String,
}

/// `audit.availability:` how `serve` probes the sites as citizens reach them. Without a `base`
/// nothing is probed (a development machine has no nginx in front).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Availability {
    /// Where the public web server listens, e.g. `http://127.0.0.1:80`; each site is asked for
    /// with its own host name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// The same server over IPv6, e.g. `http://[::1]:80`, probed too when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_v6: Option<String>,
    /// Probes per site and day, at spread times (the national rules ask for at least 20).
    pub per_day: u32,
    pub timeout_seconds: u64,
}

impl Default for Availability {
    fn default() -> Self {
        Self { base: None, base_v6: None, per_day: 24, timeout_seconds: 15 }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Leader {
    /// The name as it must be written, e.g. 王建国.
    pub name: String,
    /// The titles it is written with, e.g. [市长, 市委副书记].
    pub titles: Vec<String>,
}

fn default_scheme() -> String {
    "https".into()
}

/// The national 主题分类 of government information (中国政府网 政策文件库), without its
/// 国务院组织机构, which no city files under.
pub const NATIONAL_TOPICS: [&str; 21] = [
    "综合政务",
    "国民经济管理、国有资产监管",
    "财政、金融、审计",
    "国土资源、能源",
    "农业、林业、水利",
    "工业、交通",
    "商贸、海关、旅游",
    "市场监管、安全生产监管",
    "城乡建设、环境保护",
    "科技、教育",
    "文化、广电、新闻出版",
    "卫生、体育",
    "人口与计划生育、妇女儿童工作",
    "劳动、人事、监察",
    "公安、安全、司法",
    "民政、扶贫、救灾",
    "民族、宗教",
    "对外事务",
    "港澳台侨工作",
    "国防",
    "其他",
];

fn is_national(topics: &[String]) -> bool {
    topics.iter().map(String::as_str).eq(NATIONAL_TOPICS)
}

pub fn national_topics() -> Vec<String> {
    NATIONAL_TOPICS.iter().map(|t| t.to_string()).collect()
}

fn default_theme() -> String {
    "default".into()
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CounterSettings {
    /// Path on every host that the beacon reports to (nginx proxies it to zhanqun).
    #[serde(default = "default_hit_path")]
    pub path: String,
    /// Whether a site's total page views (访问量) may be shown in its footer.
    #[serde(default)]
    pub show_total: bool,
}

impl Default for CounterSettings {
    fn default() -> Self {
        Self { path: default_hit_path(), show_total: false }
    }
}

fn default_hit_path() -> String {
    "/hit".into()
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSettings {
    /// Path on every host that the search box submits to.
    #[serde(default = "default_search_path")]
    pub path: String,
    /// The portal searches the whole group by default; subsites search themselves.
    #[serde(default = "default_true")]
    pub portal_searches_group: bool,
    /// Sets of terms citizens use for the same thing, e.g. [政务服务, 网上办事]: a query with
    /// one also finds pages with another. Units' short names come from the sites' own
    /// `short_names` and need not be repeated here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<Vec<String>>,
}

impl Default for SearchSettings {
    fn default() -> Self {
        Self { path: default_search_path(), portal_searches_group: true, synonyms: Vec::new() }
    }
}

fn default_search_path() -> String {
    "/search".into()
}

fn default_true() -> bool {
    true
}

/// `sites/<code>.yaml`: one site of the group.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteFile {
    /// Short ASCII id, unique in the group; also the default host label and the file name.
    pub code: String,
    /// Site name shown in the header, e.g. 示例市教育局.
    pub name: String,
    /// What citizens call the unit, e.g. 发改委 or 市发改委: search finds the site's pages
    /// under these as under its full name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub short_names: Vec<String>,
    /// What kind of unit runs the site; groups the portal's site directory.
    pub kind: SiteKind,
    /// Host label under the root domain (defaults to `code`); a full host name is accepted
    /// when it ends with the root domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// 主办单位: the organiser named in the footer.
    pub organizer: String,
    /// Organisation code used as the prefix of every 索引号 of the site.
    pub org_code: String,
    /// 网站标识码 issued by the State Council office.
    pub site_id: String,
    /// ICP filing number, e.g. 湘ICP备12345678号.
    pub icp: String,
    /// Public-security filing number, e.g. 湘公网安备 43040002000123号.
    pub psb: String,
    /// Date the site went online (YYYY-MM-DD).
    pub opened: String,
    /// Date the public-security filing was completed (YYYY-MM-DD), if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psb_filed: Option<String>,
    pub contact: Contact,
    /// The site's column tree, base columns included.
    pub columns: Vec<ColumnDef>,
    #[serde(default)]
    pub theme: ThemeChoice,
    /// Number of review levels before publication (1 to 3).
    #[serde(default = "default_review_levels")]
    pub review_levels: u8,
}

fn default_review_levels() -> u8 {
    2
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SiteKind {
    Portal,
    Department,
    District,
    Town,
}

impl SiteKind {
    pub fn label(self) -> &'static str {
        match self {
            SiteKind::Portal => "门户网站",
            SiteKind::Department => "部门网站",
            SiteKind::District => "区县网站",
            SiteKind::Town => "乡镇街道网站",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub address: String,
    pub phone: String,
    /// The site's main official mailbox, shown in the footer.
    pub email: String,
    /// Further official mailboxes published on the contact page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mailboxes: Vec<Mailbox>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mailbox {
    pub name: String,
    pub address: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    /// ASCII path segment of the column, unique within the site.
    pub slug: String,
    pub name: String,
    /// What the column holds; decides freshness rules in the audit.
    #[serde(default)]
    pub kind: ColumnKind,
    /// Slug of the parent column, for sub-columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Left out of the site's navigation and home page; its pages stay online.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hidden: bool,
    /// A 专题's landing text, shown above its list (plain paragraphs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    /// A 专题's last day, `YYYY-MM-DD`: after it the 专题 is over, as if archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<String>,
    /// A 专题 the site has closed: still online, out of the freshness and empty-column rules.
    #[serde(default, skip_serializing_if = "is_false")]
    pub archived: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl ColumnDef {
    /// A plain column as most sites declare it.
    pub fn new(slug: &str, name: &str, kind: ColumnKind, parent: Option<&str>) -> ColumnDef {
        ColumnDef {
            slug: slug.into(),
            name: name.into(),
            kind,
            parent: parent.map(str::to_string),
            hidden: false,
            intro: None,
            ends: None,
            archived: false,
        }
    }

    /// A 专题 that is archived, or whose last day (`YYYY-MM-DD`) is before `today`.
    pub fn is_over(&self, today: &str) -> bool {
        self.kind == ColumnKind::Topic && (self.archived || self.ends.as_deref().is_some_and(|e| e < today))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// 动态/新闻: stale after two weeks.
    #[default]
    News,
    /// 通知公告.
    Notice,
    /// 政策法规/文件: stale after six months.
    Policy,
    /// 办事指南.
    Guide,
    /// 单位概况 and other rarely changing pages.
    Overview,
    /// 政民互动.
    Interaction,
    /// 专题: a campaign with a landing text and, usually, an end date.
    Topic,
}

impl ColumnKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::News => "news",
            ColumnKind::Notice => "notice",
            ColumnKind::Policy => "policy",
            ColumnKind::Guide => "guide",
            ColumnKind::Overview => "overview",
            ColumnKind::Interaction => "interaction",
            ColumnKind::Topic => "topic",
        }
    }

    pub fn parse(s: &str) -> Option<ColumnKind> {
        [
            ColumnKind::News,
            ColumnKind::Notice,
            ColumnKind::Policy,
            ColumnKind::Guide,
            ColumnKind::Overview,
            ColumnKind::Interaction,
            ColumnKind::Topic,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// What site administrators read.
    pub fn label(self) -> &'static str {
        match self {
            ColumnKind::News => "动态",
            ColumnKind::Notice => "通知公告",
            ColumnKind::Policy => "政策文件",
            ColumnKind::Guide => "办事指南",
            ColumnKind::Overview => "概况",
            ColumnKind::Interaction => "互动",
            ColumnKind::Topic => "专题",
        }
    }

    /// Lists articles that can be shown elsewhere too (引用, 信息报送).
    pub fn shares_articles(self) -> bool {
        matches!(self, ColumnKind::News | ColumnKind::Notice | ColumnKind::Policy | ColumnKind::Topic)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeChoice {
    /// Theme directory under `themes/`; the group's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Colour variant declared in the theme's `theme.yaml`.
    #[serde(default = "default_variant")]
    pub variant: String,
    /// Optional banner image (path relative to `sites/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
}

impl Default for ThemeChoice {
    fn default() -> Self {
        Self { name: None, variant: default_variant(), banner: None }
    }
}

fn default_variant() -> String {
    "blue".into()
}
