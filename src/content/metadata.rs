//! Government-information metadata (政府信息公开) carried by every article.

use serde::{Deserialize, Serialize};

/// 公开属性.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Disclosure {
    #[default]
    #[serde(rename = "主动公开")]
    Active,
    #[serde(rename = "依申请公开")]
    OnRequest,
}

impl Disclosure {
    pub fn as_str(self) -> &'static str {
        match self {
            Disclosure::Active => "主动公开",
            Disclosure::OnRequest => "依申请公开",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "主动公开" => Some(Disclosure::Active),
            "依申请公开" => Some(Disclosure::OnRequest),
            _ => None,
        }
    }
}

/// 有效性.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Validity {
    #[default]
    #[serde(rename = "有效")]
    Valid,
    #[serde(rename = "失效")]
    Expired,
}

impl Validity {
    pub fn as_str(self) -> &'static str {
        match self {
            Validity::Valid => "有效",
            Validity::Expired => "失效",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "有效" => Some(Validity::Valid),
            "失效" => Some(Validity::Expired),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovMeta {
    /// 文号, e.g. 衡蒸办发〔2008〕15号.
    pub doc_number: Option<String>,
    /// 发布机构 (full name of the issuing body).
    pub issuer: Option<String>,
    /// 成文日期 (YYYY-MM-DD).
    pub written_date: Option<String>,
    /// 主题分类.
    pub topic: Option<String>,
    pub disclosure: Disclosure,
    pub validity: Validity,
    /// 来源 of a reposted article (新华社, 省政府网站); None for the site's own. Left out of
    /// the serialised form when absent, so that imports hashed before it existed stay equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// 索引号: `<org-code>/<YYYY>-<5-digit serial>`; assigned once and never changed.
pub fn index_no(org_code: &str, year: i32, serial: i64) -> String {
    format!("{org_code}/{year}-{serial:05}")
}

/// 索引号 serials per block: `n·1000 … n·1000+999` of one year (the sitemap's parts).
pub const SERIAL_BLOCK: i64 = 1000;

/// The year and serial block of a 索引号 (`ORG/2026-00042` → (2026, 0)).
pub fn serial_block(index_no: &str) -> Option<(i32, i64)> {
    let (_, number) = index_no.rsplit_once('/')?;
    let (year, serial) = number.split_once('-')?;
    Some((year.parse().ok()?, serial.parse::<i64>().ok()? / SERIAL_BLOCK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_numbers() {
        assert_eq!(index_no("114304000061627440", 2024, 7), "114304000061627440/2024-00007");
        assert_eq!(index_no("A", 2024, 123456), "A/2024-123456");
    }

    #[test]
    fn enums_round_trip() {
        assert_eq!(Disclosure::parse("依申请公开"), Some(Disclosure::OnRequest));
        assert_eq!(Validity::parse("失效").map(Validity::as_str), Some("失效"));
        assert_eq!(Disclosure::parse("公开"), None);
    }
}
