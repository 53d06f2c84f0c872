//! Passwords (Argon2id, PHC strings) and random tokens (sessions, CSRF, API), stored as SHA-256.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

/// Why a password cannot be set.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error(
        "mật khẩu cần ít nhất 8 ký tự, không kể khoảng trắng đầu cuối / a password needs at least 8 characters besides leading and trailing spaces"
    )]
    TooShort,
    #[error(
        "mật khẩu quá dễ đoán (phổ biến hoặc lặp một ký tự) / the password is too easy to guess (a common one, or one character repeated)"
    )]
    Common,
    #[error("không tạo được mật khẩu / could not hash the password: {0}")]
    Hash(String),
}

/// Hashes a password with Argon2id (default parameters: m = 19 MiB, t = 2, p = 1) and a random
/// salt. Slow on purpose: call it off the async threads.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    check(password)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// The passwords refused as too common (`data/common-passwords.txt`, with its sources).
const COMMON: &str = include_str!("../data/common-passwords.txt");

/// Whether a password may be set: at least 8 characters besides leading and trailing spaces
/// (NIST SP 800-63B's minimum), not one character repeated, not a common password.
pub fn check(password: &str) -> Result<(), PasswordError> {
    let core = password.trim();
    if core.chars().count() < 8 {
        return Err(PasswordError::TooShort);
    }
    let lower = core.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first)
        || COMMON.lines().map(str::trim).any(|l| !l.is_empty() && !l.starts_with('#') && l == lower)
    {
        return Err(PasswordError::Common);
    }
    Ok(())
}

/// Whether `password` matches the stored PHC string.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A fresh random token: 32 bytes as 64 hex digits.
pub fn token() -> String {
    let mut b = [0u8; 32];
    // The operating system's generator does not fail on the systems we run on; if it did, a
    // zero token would still be refused because its hash is stored nowhere.
    let _ = getrandom::fill(&mut b);
    hex(&b)
}

/// SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(b: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(char::from(H[usize::from(x >> 4)]));
        s.push(char::from(H[usize::from(x & 15)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_itself() {
        let h = hash("mật khẩu đúng").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("mật khẩu đúng", &h));
        assert!(!verify("mat khau dung", &h));
        assert!(!verify("mật khẩu đúng", "not a hash"));
        assert!(matches!(hash("short"), Err(PasswordError::TooShort)));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (token(), token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }
}

#[cfg(test)]
mod policy_tests {
    use super::{PasswordError, check};

    #[test]
    fn short_common_and_repeated_passwords_are_refused() {
        for (pw, why) in [
            ("12345678", "common"),
            ("password", "common"),
            ("PassWord", "common"),
            ("        ", "short"),
            ("  abc12  ", "short"),
            ("aaaaaaaaaaaa", "common"),
            ("matkhau123", "common"),
            ("1234567", "short"),
        ] {
            let got = check(pw);
            match why {
                "short" => assert!(matches!(got, Err(PasswordError::TooShort)), "{pw:?}: {got:?}"),
                _ => assert!(matches!(got, Err(PasswordError::Common)), "{pw:?}: {got:?}"),
            }
        }
        for ok in ["mật khẩu thử 123", "vuonlen-demo", "Sơn La 2025 hộ"] {
            assert!(check(ok).is_ok(), "{ok}");
        }
    }
}
