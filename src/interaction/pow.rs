//! Proof of work instead of a third-party captcha: the form asks for a signed challenge, the
//! browser searches a nonce whose SHA-256 with the challenge starts with `bits` zero bits (about
//! half a second in a browser at 18 bits, the same for a script: it is the flood that gets
//! expensive), and the submission carries both. A challenge is bound to its site, expires after
//! `TTL` seconds, and is spent by the submission that uses it (`store::messages`).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::hex::{hex, unhex};

/// Zero bits a solution needs.
pub const BITS: u32 = 18;
/// Seconds a challenge stays valid: long enough to write a long letter.
pub const TTL: i64 = 2 * 3600;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PowError {
    #[error("验证信息无效，请刷新页面后重新提交")]
    Malformed,
    #[error("验证信息已过期，请重新提交")]
    Expired,
    #[error("验证未通过，请重新提交")]
    Unsolved,
}

/// A new challenge for `site`: `<site>.<expires>.<bits>.<random>.<signature>`.
pub fn issue(secret: &[u8], site: &str, now: i64) -> String {
    let mut random = [0u8; 12];
    getrandom::fill(&mut random).expect("the system's random source");
    let body = format!("{site}.{}.{BITS}.{}", now + TTL, hex(&random));
    format!("{body}.{}", sign(secret, &body))
}

/// Checks `nonce` solves `challenge` for `site` at `now`; returns when the challenge expires,
/// which is how long it must be remembered as spent.
pub fn verify(secret: &[u8], site: &str, challenge: &str, nonce: &str, now: i64) -> Result<i64, PowError> {
    let (body, signature) = challenge.rsplit_once('.').ok_or(PowError::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(body.as_bytes());
    let expected = unhex(signature).ok_or(PowError::Malformed)?;
    mac.verify_slice(&expected).map_err(|_| PowError::Malformed)?;
    let parts: Vec<&str> = body.split('.').collect();
    let [for_site, expires, bits, _random] = parts[..] else { return Err(PowError::Malformed) };
    if for_site != site {
        return Err(PowError::Malformed);
    }
    let expires: i64 = expires.parse().map_err(|_| PowError::Malformed)?;
    let bits: u32 = bits.parse().map_err(|_| PowError::Malformed)?;
    if now > expires {
        return Err(PowError::Expired);
    }
    if nonce.is_empty() || nonce.len() > 32 || !solves(challenge, nonce, bits) {
        return Err(PowError::Unsolved);
    }
    Ok(expires)
}

/// Whether SHA-256 of `challenge:nonce` starts with `bits` zero bits.
pub fn solves(challenge: &str, nonce: &str, bits: u32) -> bool {
    let digest = Sha256::digest(format!("{challenge}:{nonce}").as_bytes());
    leading_zero_bits(&digest) >= bits
}

/// Finds a nonce, as the browser does; for tests and the benchmark.
pub fn solve(challenge: &str) -> String {
    let bits = challenge.split('.').nth(2).and_then(|b| b.parse().ok()).unwrap_or(BITS);
    (0u64..).map(|n| n.to_string()).find(|n| solves(challenge, n, bits)).unwrap_or_default()
}

/// The key a stored challenge is remembered by.
pub fn spent_key(challenge: &str) -> String {
    hex(&Sha256::digest(challenge.as_bytes()))
}

fn sign(secret: &[u8], body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(body.as_bytes());
    hex(&mac.finalize().into_bytes())
}

fn leading_zero_bits(bytes: &[u8]) -> u32 {
    let mut n = 0;
    for b in bytes {
        if *b == 0 {
            n += 8;
        } else {
            return n + b.leading_zeros();
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test key";

    #[test]
    fn a_solved_challenge_passes_once_checked() {
        let c = issue(KEY, "fgw", 1000);
        let nonce = solve(&c);
        assert_eq!(verify(KEY, "fgw", &c, &nonce, 1001), Ok(1000 + TTL));
        assert_eq!(verify(KEY, "fgw", &c, &nonce, 1001 + TTL), Err(PowError::Expired));
        // Another site's challenge, another key, a tampered challenge, a wrong nonce.
        assert_eq!(verify(KEY, "czj", &c, &nonce, 1001), Err(PowError::Malformed));
        assert_eq!(verify(b"other", "fgw", &c, &nonce, 1001), Err(PowError::Malformed));
        let longer = c.replacen(&format!(".{}.", 1000 + TTL), &format!(".{}.", 9_000_000), 1);
        assert_eq!(verify(KEY, "fgw", &longer, &nonce, 1001), Err(PowError::Malformed));
        let wrong = (0u64..).map(|n| n.to_string()).find(|n| !solves(&c, n, BITS)).unwrap();
        assert_eq!(verify(KEY, "fgw", &c, &wrong, 1001), Err(PowError::Unsolved));
        assert_eq!(verify(KEY, "fgw", "garbage", "1", 1001), Err(PowError::Malformed));
    }

    #[test]
    fn zero_bits() {
        assert_eq!(leading_zero_bits(&[0, 0x0f, 0xff]), 12);
        assert_eq!(leading_zero_bits(&[0x80]), 0);
    }
}
