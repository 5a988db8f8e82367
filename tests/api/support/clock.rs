//! A clock the test moves: login throttling counts failures over minutes, and
//! no test should wait that long.

use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDateTime};
use hyoka::clock::Clock;

/// Stands still at the time it was made until the test moves it on; give it
/// to the app with `TestApp::init().clock(&clock)`.
#[derive(Debug, Clone)]
pub struct TestClock(Arc<Mutex<NaiveDateTime>>);

impl TestClock {
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(hyoka::db::now())))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> NaiveDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
