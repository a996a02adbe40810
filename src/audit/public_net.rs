//! Outgoing requests of the external link check reach public destinations only. An editor
//! writes the links, so without this the service would fetch `http://127.0.0.1:5432/`, the
//! cloud metadata address or a colleague's intranet host for them, and report what answered.
//! The address is judged after DNS resolution (a resolver that drops every non-public address,
//! so a name pointing inside fails like an unknown host) and again for every redirect (a
//! redirect to an address literal never reaches the resolver).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a destination was refused, as the audit report says it.
pub const REFUSED: &str = "指向内网或本机地址，公众无法访问";

/// Whether an address can be reached from the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Shared address space of carrier NAT (100.64.0.0/10).
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments (192.0.0.0/24) and benchmarking (198.18.0.0/15).
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        // Reserved for future use (240.0.0.0/4).
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return is_public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local (fc00::/7) and link-local (fe80::/10).
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        // Documentation (2001:db8::/32) and the deprecated IPv4-compatible form (::a.b.c.d).
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        || (s[0..6] == [0, 0, 0, 0, 0, 0]))
}

/// Which destinations a client may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The public internet only: what every real check uses.
    Public,
    /// The public internet and this machine's loopback, for tests of the check itself.
    PublicAndLoopback,
}

impl Reach {
    fn allows(self, ip: IpAddr) -> bool {
        is_public(ip) || (self == Reach::PublicAndLoopback && ip.is_loopback())
    }

    /// Whether a URL's host is an address literal this reach refuses (names are judged by the
    /// resolver once they are resolved).
    pub fn refuses_literal(self, url: &reqwest::Url) -> bool {
        // The URL parser has already normalised literals (`2130706433`, `0x7f.1` → `127.0.0.1`).
        let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
        host.parse::<IpAddr>().is_ok_and(|ip| !self.allows(ip))
    }
}

/// A resolver that answers only with the addresses its reach allows.
struct Filtered(Reach);

impl Resolve for Filtered {
    fn resolve(&self, name: Name) -> Resolving {
        let (host, reach) = (name.as_str().to_string(), self.0);
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found.into_iter().filter(|a| reach.allows(a.ip())).collect();
            if allowed.is_empty() {
                return Err(REFUSED.into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// A client builder whose every connection, redirects included, goes where `reach` allows,
/// and never through a proxy (which would resolve the name itself, out of our sight).
pub fn client_builder(reach: Reach, max_redirects: usize) -> reqwest::ClientBuilder {
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > max_redirects {
            attempt.error("重定向过多")
        } else if reach.refuses_literal(attempt.url()) {
            attempt.error(REFUSED)
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder().no_proxy().dns_resolver(Arc::new(Filtered(reach))).redirect(redirects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} must not count as public");
        }
        for ip in ["114.114.114.114", "202.96.128.86", "8.8.8.8", "2400:3200::1", "::ffff:8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} is public");
        }
    }

    #[test]
    fn address_literals_in_urls() {
        let private = |u: &str| Reach::Public.refuses_literal(&reqwest::Url::parse(u).unwrap());
        assert!(private("http://127.0.0.1:5432/"));
        assert!(private("http://[::1]/"));
        assert!(private("http://2130706433/"), "a decimal IPv4 literal is parsed as 127.0.0.1");
        assert!(private("http://0x7f.1/"));
        assert!(!private("http://www.gov.cn/"));
        assert!(!private("http://8.8.8.8/"));
        let test = |u: &str| Reach::PublicAndLoopback.refuses_literal(&reqwest::Url::parse(u).unwrap());
        assert!(!test("http://127.0.0.1:8080/") && test("http://10.0.0.1/") && test("http://169.254.169.254/"));
    }
}
