//! What every handler shares.

use crate::limiter::LoginLimiter;
use std::sync::Arc;
use vuonlen_store::Db;

/// The application's shared state: the database, the standards, the login limiter.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub(crate) db: Db,
    pub(crate) standards: vuonlen_core::Standards,
    pub(crate) limiter: LoginLimiter,
    /// Session cookies carry `Secure` (served over HTTPS, or anywhere but loopback).
    pub(crate) secure_cookies: bool,
    pub(crate) cache: crate::cache::Cache,
    pub(crate) staging: crate::pages::import::Staging,
    pub(crate) deadlines: Deadlines,
    /// Uploads above this many bytes are refused (at most [`crate::UPLOAD_LIMIT`]).
    pub(crate) upload_limit: u64,
}

/// How long a request may take before the server answers 503 (the database is frozen or too
/// slow): the answer comes in time even when the database does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// Pages and API calls.
    pub request: std::time::Duration,
    /// Uploads, imports and report downloads.
    pub long: std::time::Duration,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines { request: std::time::Duration::from_secs(45), long: std::time::Duration::from_secs(600) }
    }
}

impl AppState {
    pub fn new(db: Db, standards: vuonlen_core::Standards, secure_cookies: bool) -> AppState {
        Self::with_deadlines(db, standards, secure_cookies, Deadlines::default())
    }

    /// [`AppState::new`] with other request deadlines.
    pub fn with_deadlines(
        db: Db,
        standards: vuonlen_core::Standards,
        secure_cookies: bool,
        deadlines: Deadlines,
    ) -> AppState {
        AppState(Arc::new(Inner {
            deadlines,
            db,
            standards,
            limiter: LoginLimiter::default(),
            secure_cookies,
            cache: crate::cache::Cache::default(),
            staging: crate::pages::import::Staging::default(),
            upload_limit: crate::UPLOAD_LIMIT as u64,
        }))
    }

    /// This state with uploads refused above `bytes` (capped at [`crate::UPLOAD_LIMIT`]); call it
    /// before the state is handed to the router (a shared state keeps its limit).
    #[must_use]
    pub fn with_upload_limit(mut self, bytes: u64) -> AppState {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.upload_limit = bytes.min(crate::UPLOAD_LIMIT as u64);
        }
        self
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
