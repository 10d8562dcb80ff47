//! What the platform tells us about the machine (Linux, on the system D-Bus): logind's
//! `PrepareForSleep(false)` when it wakes up, and NetworkManager's `StateChanged` to "connected"
//! when the network comes back. Either asks for a sync. Where there is no system bus (or no
//! logind / NetworkManager) nothing happens: the minute loop still notices a wake by the jump in
//! the wall clock.

use futures_util::StreamExt;
use tauri::AppHandle;
use zbus::message::Type;
use zbus::{Connection, MatchRule, MessageStream};

use crate::commands::state;

/// NetworkManager's NM_STATE_CONNECTED_GLOBAL.
const NM_CONNECTED_GLOBAL: u32 = 70;

pub fn start(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = listen(&app).await {
            tracing::debug!("not listening for sleep and network changes: {e}");
        }
    });
}

async fn listen(app: &AppHandle) -> zbus::Result<()> {
    let bus = Connection::system().await?;
    let sleep = MatchRule::builder()
        .msg_type(Type::Signal)
        .interface("org.freedesktop.login1.Manager")?
        .member("PrepareForSleep")?
        .build();
    let network = MatchRule::builder()
        .msg_type(Type::Signal)
        .interface("org.freedesktop.NetworkManager")?
        .member("StateChanged")?
        .build();
    let sleep = MessageStream::for_match_rule(sleep, &bus, None).await?;
    let network = MessageStream::for_match_rule(network, &bus, None).await?;
    let mut signals = futures_util::stream::select(sleep, network);
    while let Some(Ok(message)) = signals.next().await {
        let header = message.header();
        let body = message.body();
        let sync = match header.member().map(|m| m.as_str()) {
            Some("PrepareForSleep") => body.deserialize::<bool>().is_ok_and(|going| !going),
            Some("StateChanged") => body
                .deserialize::<u32>()
                .is_ok_and(|s| s == NM_CONNECTED_GLOBAL),
            _ => false,
        };
        if sync {
            tracing::info!("woke up or back online: syncing");
            let state = state(app);
            state.sync.sync_now();
            state.replan.notify_one();
        }
    }
    Ok(())
}
