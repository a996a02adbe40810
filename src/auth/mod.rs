//! Who may sign in and what they may do: password hashing and rules, roles and permissions,
//! and the random tokens sessions and CSRF protection are made of.

pub mod password;
pub mod role;

pub use role::{Action, Role};

use crate::hex::hex;

/// Fills `buf` from the operating system's random source.
pub fn random_bytes(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random source is available");
}

/// A fresh 256-bit token as 64 hex characters.
pub fn token() -> String {
    let mut b = [0u8; 32];
    random_bytes(&mut b);
    hex(&b)
}

/// SHA-256 of a token, which is what the database keeps of a session cookie.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
