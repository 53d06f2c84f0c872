//! Login rate limiting: after [`MAX_FAILURES`] failed sign-ins for one username from one
//! address, or [`MAX_FAILURES_PER_ADDRESS`] from one address, within [`WINDOW`], further
//! attempts are refused until the window has passed — also with the right password.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: u32 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u32 = 50;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<Key, (u32, Instant)>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    User(IpAddr, String),
    Address(IpAddr),
}

impl LoginLimiter {
    /// How long until `username` may try again from `ip` (`None`: it may now).
    pub fn blocked_for(&self, ip: IpAddr, username: &str) -> Option<Duration> {
        let now = Instant::now();
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let wait = |k: &Key, max: u32| {
            map.get(k).and_then(|&(n, since)| {
                let age = now.duration_since(since);
                (n >= max && age < WINDOW).then(|| WINDOW - age)
            })
        };
        wait(&Key::User(ip, username.to_lowercase()), MAX_FAILURES)
            .or_else(|| wait(&Key::Address(ip), MAX_FAILURES_PER_ADDRESS))
    }

    /// Counts a failed attempt.
    pub fn failed(&self, ip: IpAddr, username: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| now.duration_since(*since) < WINDOW);
        }
        for k in [Key::User(ip, username.to_lowercase()), Key::Address(ip)] {
            let e = map.entry(k).or_insert((0, now));
            if now.duration_since(e.1) >= WINDOW {
                *e = (0, now);
            }
            e.0 += 1;
        }
    }

    /// Forgets the failures of `username` from `ip` after a successful sign-in.
    pub fn succeeded(&self, ip: IpAddr, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&Key::User(ip, username.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_block_that_username_from_that_address() {
        let l = LoginLimiter::default();
        let ip: IpAddr = [10, 0, 0, 1].into();
        let other: IpAddr = [10, 0, 0, 2].into();
        for _ in 0..MAX_FAILURES - 1 {
            l.failed(ip, "Xa.Demo");
        }
        assert!(l.blocked_for(ip, "xa.demo").is_none());
        l.failed(ip, "xa.demo");
        assert!(l.blocked_for(ip, "xa.demo").is_some_and(|d| d <= WINDOW));
        assert!(l.blocked_for(other, "xa.demo").is_none());
        assert!(l.blocked_for(ip, "tinh.demo").is_none());
    }

    #[test]
    fn many_usernames_from_one_address_block_the_address() {
        let l = LoginLimiter::default();
        let ip: IpAddr = [10, 0, 0, 3].into();
        for i in 0..MAX_FAILURES_PER_ADDRESS {
            l.failed(ip, &format!("user{i}"));
        }
        assert!(l.blocked_for(ip, "someone.else").is_some());
    }
}
