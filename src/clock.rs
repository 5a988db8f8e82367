//! What time it is, as the app sees it. The system clock in service; a test
//! puts in a clock it can move, since login throttling counts failures over
//! minutes and nobody should wait that long for a test.

use std::fmt::Debug;

use chrono::NaiveDateTime;

pub trait Clock: Debug + Send + Sync {
    /// Local time, as every timestamp in the database is stored.
    fn now(&self) -> NaiveDateTime;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        crate::db::now()
    }
}
