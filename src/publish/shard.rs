//! `zhanqun build --shard i/n`: a deterministic share of the group's sites, so that `n`
//! builders (processes or machines on one database and one publish folder) each build theirs
//! and together build all. A site's shard follows from its code alone, so adding or removing a
//! site moves no other site to another shard.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based, as written on the command line.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Whether the site `code` is built by this shard.
    pub fn holds(&self, code: &str) -> bool {
        fnv1a(code.as_bytes()) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// FNV-1a: stable across platforms and Rust versions, unlike the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a shard: write i/n, for example 2/4 (the second of four builders)");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard {s}: i must be between 1 and n (here n = {count})"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_written_i_of_n() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!("1/1".parse::<Shard>().unwrap().to_string(), "1/1");
        for bad in ["", "2", "0/4", "5/4", "1/0", "a/b", "-1/4"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_site_is_in_exactly_one_shard_and_shards_are_even() {
        let codes: Vec<String> = (0..3000).map(|i| format!("site{i}")).collect();
        for count in 1..=6u32 {
            let shards: Vec<Shard> = (1..=count).map(|index| Shard { index, count }).collect();
            let mut sizes = vec![0usize; count as usize];
            for code in &codes {
                let holders: Vec<usize> = (0..shards.len()).filter(|&k| shards[k].holds(code)).collect();
                assert_eq!(holders.len(), 1, "{code} in {count} shards");
                sizes[holders[0]] += 1;
            }
            // Shares of a hash: even within a few percent at this size.
            let even = codes.len() / count as usize;
            assert!(sizes.iter().all(|&n| n.abs_diff(even) < even / 10 + 10), "{count}: {sizes:?}");
        }
    }

    #[test]
    fn the_hash_is_fnv1a_so_a_site_keeps_its_shard_across_releases() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
