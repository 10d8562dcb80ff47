//! The fake's shared state: one lock over credentials, calendars, faults and the request log.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

use crate::calendar_list::Calendars;
use crate::credentials::Credentials;
use crate::faults::Fault;
use crate::log::RecordedRequest;
use crate::tokens::Sealer;

/// Everything the request handlers share.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// Seals this server's sync and page tokens.
    pub(crate) sealer: Sealer,
    /// Turns true when the server shuts down (ends hanging and delayed answers).
    pub(crate) shutdown: watch::Receiver<bool>,
}

pub(crate) struct State {
    pub(crate) credentials: Credentials,
    pub(crate) calendars: Calendars,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) requests: Vec<RecordedRequest>,
}

/// The user the fake signs in.
pub(crate) const DEFAULT_EMAIL: &str = "user@example.com";

impl Shared {
    pub(crate) fn new(shutdown: watch::Receiver<bool>) -> Self {
        Shared {
            state: Mutex::new(State {
                credentials: Credentials::new(),
                calendars: Calendars::new(DEFAULT_EMAIL),
                faults: VecDeque::new(),
                requests: Vec::new(),
            }),
            sealer: Sealer::random(),
            shutdown,
        }
    }

    /// Locks the state (a panic elsewhere never makes the fake unusable).
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
