//! The shapes of the values the eight unifications prescribe: host labels and domains, column
//! slugs, the ICP and public-security filing numbers of the province, the site identifier
//! (网站标识码) and official mail addresses.

pub fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

pub fn is_domain(s: &str) -> bool {
    s.split('.').count() >= 2 && s.split('.').all(is_label)
}

pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
}

pub fn is_icp(s: &str, province: &str) -> bool {
    let Some(rest) = s.strip_prefix(province).and_then(|r| r.strip_prefix("ICP备")) else {
        return false;
    };
    let Some((digits, tail)) = rest.split_once('号') else {
        return false;
    };
    let digits_ok = (6..=10).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    let tail_ok = tail.is_empty()
        || tail.strip_prefix('-').is_some_and(|n| (1..=3).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()));
    digits_ok && tail_ok
}

pub fn is_psb(s: &str, province: &str) -> bool {
    let Some(rest) = s.strip_prefix(province).and_then(|r| r.strip_prefix("公网安备")) else {
        return false;
    };
    let rest = rest.trim_start();
    let Some(digits) = rest.strip_suffix('号') else {
        return false;
    };
    digits.len() == 14 && digits.bytes().all(|b| b.is_ascii_digit())
}

pub fn is_site_id(s: &str) -> bool {
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    (s.len() == 10 && all_digits(s)) || s.strip_prefix("bm").is_some_and(|t| t.len() == 8 && all_digits(t))
}

pub fn is_official_mail(addr: &str, domain: &str) -> bool {
    match addr.rsplit_once('@') {
        Some((local, d)) => {
            d.eq_ignore_ascii_case(domain)
                && !local.is_empty()
                && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-+".contains(&b))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filing_formats() {
        assert!(is_icp("湘ICP备12345678号", "湘"));
        assert!(is_icp("湘ICP备2021012345号-1", "湘"));
        assert!(!is_icp("湘ICP备12345678", "湘"));
        assert!(!is_icp("京ICP备12345678号", "湘"));
        assert!(!is_icp("湘ICP备1234567a号", "湘"));
        assert!(is_psb("湘公网安备 43040002000123号", "湘"));
        assert!(is_psb("湘公网安备43040002000123号", "湘"));
        assert!(!is_psb("湘公网安备 4304000200012号", "湘"));
        assert!(is_site_id("4304000001"));
        assert!(is_site_id("bm01000001"));
        assert!(!is_site_id("430400001"));
    }

    #[test]
    fn mail_and_labels() {
        assert!(is_official_mail("fgw@shili.gov.cn", "shili.gov.cn"));
        assert!(!is_official_mail("fgw@qq.com", "shili.gov.cn"));
        assert!(!is_official_mail("fgw@mail.shili.gov.cn.evil.com", "shili.gov.cn"));
        assert!(!is_official_mail("@shili.gov.cn", "shili.gov.cn"));
        assert!(is_label("fgw"));
        assert!(!is_label("-fgw"));
        assert!(!is_label("FGW"));
        assert!(is_domain("shili.gov.cn"));
        assert!(!is_domain("shili"));
    }
}
