//! The fake's shared state: one lock over credentials, the mailbox, delta tokens, faults and
//! the request log.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

use crate::delta::DeltaCache;
use crate::faults::Fault;
use crate::grants::Credentials;
use crate::log::RecordedRequest;
use crate::mailbox::Mailbox;

/// Everything the request handlers share.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// `http://127.0.0.1:PORT`, for the links in answers.
    pub(crate) base_url: String,
    /// Turns true when the server shuts down (ends hanging and delayed answers).
    pub(crate) shutdown: watch::Receiver<bool>,
}

pub(crate) struct State {
    pub(crate) credentials: Credentials,
    pub(crate) mailbox: Mailbox,
    pub(crate) delta: DeltaCache,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) requests: Vec<RecordedRequest>,
}

impl Shared {
    pub(crate) fn new(base_url: String, shutdown: watch::Receiver<bool>) -> Self {
        Shared {
            state: Mutex::new(State {
                credentials: Credentials::new(),
                mailbox: Mailbox::new(),
                delta: DeltaCache::default(),
                faults: VecDeque::new(),
                requests: Vec::new(),
            }),
            base_url,
            shutdown,
        }
    }

    /// Locks the state (a panic elsewhere never makes the fake unusable).
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
