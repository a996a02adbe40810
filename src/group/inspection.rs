//! The rules the audit applies, each with an id, a severity, a title and the fix, in one table
//! so that reports, documentation and tests name them the same way. Thresholds follow the
//! national inspection rules (全国政府网站普查 2015; 政府网站与政务新媒体检查指标 2019).
//!
//! The table lives with the group because `group.yaml` configures it (`audit.weights` may weigh
//! only the deduction rules named here) and the group is checked before anything else runs;
//! the audit reaches it as `audit::rules`.

use serde::Serialize;

/// How much a finding weighs, after the national inspection rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// 否决: the site fails the inspection whatever its score.
    Veto,
    /// 扣分: points off the score.
    Deduction,
    /// 提示: worth knowing, no points off.
    Notice,
}

impl Severity {
    /// The name stored and exported (`veto`, `deduction`, `notice`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Veto => "veto",
            Severity::Deduction => "deduction",
            Severity::Notice => "notice",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Veto => "否决",
            Severity::Deduction => "扣分",
            Severity::Notice => "提示",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub fix: &'static str,
    /// Points off per finding (deductions only).
    pub weight: u32,
    /// Most points the rule takes off one site, however many findings.
    pub cap: u32,
}

/// News and dynamics columns are stale after this many days without a new article.
pub const NEWS_STALE_DAYS: i64 = 14;
/// Notice and policy columns are stale after this many months.
pub const NOTICE_STALE_MONTHS: u32 = 6;
/// The home page must change within this many days.
pub const HOME_STALE_DAYS: i64 = 14;
/// A column of any kind is "long un-updated" after this many days.
pub const LONG_UNUPDATED_DAYS: i64 = 365;
/// Stale news/notice/policy columns, counted together, that veto a site.
pub const STALE_COLUMNS_VETO: usize = 5;
/// Long un-updated columns that veto a site.
pub const LONG_UNUPDATED_VETO: usize = 10;
/// Empty columns that veto a site.
pub const EMPTY_COLUMNS_VETO: usize = 5;
/// A submission waiting longer than this for review is reported.
pub const REVIEW_WAIT_HOURS: i64 = 72;
/// The public-security filing must be completed within this many days of opening.
pub const PSB_FILING_DAYS: i64 = 30;

pub const RULES: &[Rule] = &[
    Rule {
        id: "fresh.home",
        severity: Severity::Veto,
        title: "首页超过 2 周未更新",
        fix: "在首页展示的栏目（工作动态、通知公告等）及时发布新信息",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "fresh.columns_stale",
        severity: Severity::Veto,
        title: "累计 5 个及以上栏目不更新",
        fix: "动态类栏目每 2 周、通知公告和政策文件类栏目每 6 个月至少更新一次；确无内容的栏目应合并或撤销",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "fresh.column",
        severity: Severity::Deduction,
        title: "栏目未按时更新",
        fix: "动态类栏目每 2 周、通知公告和政策文件类栏目每 6 个月至少更新一次",
        weight: 2,
        cap: 20,
    },
    Rule {
        id: "fresh.long_unupdated",
        severity: Severity::Veto,
        title: "10 个及以上栏目长期未更新（超过 1 年）",
        fix: "更新或撤并长期没有新信息的栏目",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "fresh.column_long",
        severity: Severity::Notice,
        title: "栏目超过 1 年未更新",
        fix: "更新栏目，或将其合并、撤销",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "fresh.empty_columns",
        severity: Severity::Veto,
        title: "空白栏目 5 个及以上",
        fix: "为空白栏目发布内容，或将其合并、撤销",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "fresh.empty_column",
        severity: Severity::Deduction,
        title: "空白栏目",
        fix: "为栏目发布内容，或将其合并、撤销",
        weight: 2,
        cap: 20,
    },
    Rule {
        id: "interaction.unanswered",
        severity: Severity::Veto,
        title: "咨询留言超过 3 个月未答复",
        fix: "立即答复积压的咨询留言，并按期限（一般 7 个工作日）办理新留言",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "interaction.no_channel",
        severity: Severity::Veto,
        title: "没有咨询渠道",
        fix: "开设领导信箱或咨询留言栏目",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "ops.review_waiting",
        severity: Severity::Notice,
        title: "稿件等待审核时间过长",
        fix: "审核员及时审核待审稿件",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "ops.zero_traffic",
        severity: Severity::Deduction,
        title: "网站昨日访问量为零",
        fix: "检查网站能否访问、页面是否保留统一计数代码",
        weight: 5,
        cap: 5,
    },
    Rule {
        id: "unify.psb_filing",
        severity: Severity::Deduction,
        title: "未在开通后 30 日内完成公安机关备案",
        fix: "到公安机关办理网站备案，并在站点配置中填写 psb_filed 日期",
        weight: 5,
        cap: 5,
    },
    Rule {
        id: "output.missing",
        severity: Severity::Veto,
        title: "网站没有发布内容",
        fix: "运行 zhanqun build（或在管理后台发布信息）生成网站；nginx 只应提供本系统生成的页面",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "output.locked_parts",
        severity: Severity::Veto,
        title: "页面缺少统一部件或被改动",
        fix: "页面应由本系统生成且不得改动；重新发布网站（zhanqun build --site 代码），并查明页面被改动的原因",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "content.private_mail",
        severity: Severity::Deduction,
        title: "页面公布私人邮箱",
        fix: "改用统一公务邮箱（统一公务邮箱登记的地址）",
        weight: 2,
        cap: 10,
    },
    Rule {
        id: "content.forbidden_word",
        severity: Severity::Veto,
        title: "页面含有禁用词或敏感词",
        fix: "立即修改或撤下该信息，并查明审核疏漏",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "content.leader_name",
        severity: Severity::Veto,
        title: "领导姓名错误（严重表述错误）",
        fix: "立即更正领导姓名并重新发布；核对同一信息中的其他表述",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "content.wrong_term",
        severity: Severity::Veto,
        title: "错误或过时的表述（错敏词）",
        fix: "按站群错敏词表改为规范表述并重新发布；确属引用原文的，由审核员核实后写明理由",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "content.reviewed",
        severity: Severity::Notice,
        title: "经审核员核实后发布的表述",
        fix: "审核员已写明理由确认发布；如理由不成立，请修改后重新发布",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "content.image_alt",
        severity: Severity::Deduction,
        title: "图片缺少替代文字",
        fix: "为每张图片填写图片说明（替代文字）",
        weight: 1,
        cap: 5,
    },
    Rule {
        id: "output.tampered",
        severity: Severity::Veto,
        title: "网页被篡改",
        fix: "在巡检页面点击“恢复为发布时的版本”（或运行 zhanqun audit --restore 站点代码），并查明服务器被改动的原因",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "ops.unreachable",
        severity: Severity::Veto,
        title: "站点无法访问",
        fix: "检查 nginx 与服务器网络；一周内首页访问失败不得达到 5%",
        weight: 0,
        cap: 0,
    },
    Rule {
        id: "links.home_broken",
        severity: Severity::Deduction,
        title: "首页链接不可用",
        fix: "修改或删除首页上打不开的链接",
        weight: 2,
        cap: 10,
    },
    Rule {
        id: "links.broken",
        severity: Severity::Deduction,
        title: "其他页面链接不可用",
        fix: "修改或删除打不开的链接",
        weight: 1,
        cap: 10,
    },
    Rule {
        id: "links.attachment_missing",
        severity: Severity::Deduction,
        title: "附件无法下载",
        fix: "重新上传缺失的附件，或删除对它的链接",
        weight: 1,
        cap: 10,
    },
    Rule {
        id: "links.external_broken",
        severity: Severity::Deduction,
        title: "外部链接不可用",
        fix: "修改或删除指向群外网站的失效链接（仅在开启外链检查时检查）",
        weight: 1,
        cap: 10,
    },
    Rule {
        id: "ops.page_date",
        severity: Severity::Deduction,
        title: "信息无发布日期或日期在未来",
        fix: "每条信息须标注准确的发布日期；核对发布时间后重新发布",
        weight: 1,
        cap: 10,
    },
    Rule {
        id: "unify.mailbox_cancelled",
        severity: Severity::Deduction,
        title: "页面仍公布已注销的公务邮箱",
        fix: "改为统一公务邮箱登记簿中已开通的地址，并重新发布相关页面",
        weight: 5,
        cap: 20,
    },
];

/// The rule with `id`; every id used in code is in the table (a test checks it).
pub fn rule(id: &str) -> &'static Rule {
    RULES.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("audit rule {id} is not in RULES"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_unique_and_only_deductions_weigh() {
        for (i, r) in super::RULES.iter().enumerate() {
            assert!(super::RULES[..i].iter().all(|o| o.id != r.id), "{} twice", r.id);
            assert_eq!(r.weight > 0, r.severity == super::Severity::Deduction, "{}", r.id);
            assert!(r.cap >= r.weight, "{}", r.id);
        }
    }
}
