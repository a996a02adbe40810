//! Password hashing (argon2id with the crate's recommended parameters) and the password rules
//! of 等级保护: at least 8 characters from at least three of four character classes.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub const MIN_LENGTH: usize = 8;

/// Hashes a password into a PHC string (`$argon2id$v=19$…`) with a fresh random salt.
pub fn hash(password: &str) -> String {
    let mut salt = [0u8; 16];
    super::random_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 with default parameters").to_string()
}

/// Whether `password` matches `phc`; a malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of a random password: login attempts for unknown accounts verify against it, so that
/// their timing does not tell which user names exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let mut secret = [0u8; 24];
        super::random_bytes(&mut secret);
        hash(&crate::hex::hex(&secret))
    })
}

/// Why a new password is refused, in the words the form shows next to the field.
pub fn check_rules(password: &str, username: &str) -> Result<(), &'static str> {
    if password.chars().count() < MIN_LENGTH {
        return Err("密码至少需要 8 个字符");
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|&&b| b).count() < 3 {
        return Err("密码须包含小写字母、大写字母、数字、符号中的至少三类");
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err("密码不能包含用户名");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("Zhanqun#2026");
        let b = hash("Zhanqun#2026");
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "every hash has its own salt");
        assert!(verify("Zhanqun#2026", &a));
        assert!(!verify("zhanqun#2026", &a));
        assert!(!verify("Zhanqun#2026", "not a hash"));
        assert!(!verify("anything", decoy_hash()));
    }

    #[test]
    fn rules() {
        assert_eq!(check_rules("Ab1!", "u"), Err("密码至少需要 8 个字符"));
        assert!(check_rules("abcdefgh1", "u").is_err(), "two classes");
        assert!(check_rules("abcdefG1", "u").is_ok());
        assert!(check_rules("abcdefg1!", "u").is_ok());
        assert!(check_rules("Wangwei#2026", "wangwei").is_err(), "contains the user name");
        assert!(check_rules("密码密码密码密码A1", "u").is_ok(), "CJK counts as a symbol class");
    }
}
