//! What every handler shares.

use crate::limiter::LoginLimiter;
use std::sync::Arc;
use vuonlen_store::Db;

/// The application's shared state: the database, the standards, the login limiter.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub(crate) db: Db,
    pub(crate) standards: vuonlen_core::Registry,
    pub(crate) limiter: LoginLimiter,
    /// Session cookies carry `Secure` (served over HTTPS, or anywhere but loopback).
    pub(crate) secure_cookies: bool,
    pub(crate) cache: crate::cache::Cache,
    pub(crate) staging: crate::pages::import::Staging,
}

impl AppState {
    pub fn new(db: Db, standards: vuonlen_core::Registry, secure_cookies: bool) -> AppState {
        AppState(Arc::new(Inner {
            db,
            standards,
            limiter: LoginLimiter::default(),
            secure_cookies,
            cache: crate::cache::Cache::default(),
            staging: crate::pages::import::Staging::default(),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
