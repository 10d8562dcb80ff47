//! Listing a calendar's changes with `sync-collection` (RFC 6578): every member and its etag
//! from an empty token, or only what changed since a token (removed members come back as 404).
//! A truncated answer (a `507` for the collection) is followed up from the token it carries,
//! for at most [`MAX_ROUNDS`] rounds.

use std::collections::BTreeMap;

use url::Url;

use super::error::{malformed, unexpected_status};
use super::multistatus::{self, names_invalid_sync_token, same_resource};
use super::transport::{self, DavClient, Depth};
use super::xml;
use crate::provider::ProviderError;

/// Follow-up requests after truncated answers: a server that keeps truncating is runaway.
pub const MAX_ROUNDS: usize = 50;

/// Members one calendar may list: far beyond any real calendar, well within memory.
pub const MAX_MEMBERS: usize = 200_000;

/// What the server listed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Listing {
    /// Present members by resource id (href path): href and etag.
    pub present: BTreeMap<String, (Url, Option<String>)>,
    /// Members removed since the token, by resource id.
    pub removed: BTreeMap<String, Url>,
    /// The token to save.
    pub token: Option<String>,
}

/// Why the report could not list the calendar.
#[derive(Debug)]
pub enum SyncCollectionError {
    /// The server does not do sync-collection here (it refused the report from an empty
    /// token): the ctag + etag fallback applies.
    Unsupported(u16),
    Provider(ProviderError),
}

impl From<ProviderError> for SyncCollectionError {
    fn from(e: ProviderError) -> Self {
        SyncCollectionError::Provider(e)
    }
}

/// Lists `calendar` from `token` (`None`: every member).
pub async fn list(
    client: &DavClient,
    calendar: &Url,
    token: Option<&str>,
) -> Result<Listing, SyncCollectionError> {
    let mut listing = Listing {
        token: token.map(str::to_owned),
        ..Listing::default()
    };
    let mut round = 0;
    loop {
        round += 1;
        let body = xml::sync_collection(listing.token.as_deref());
        let reply = client
            .send(transport::report(), calendar, Depth::Zero, &body, true)
            .await
            .map_err(ProviderError::from)?;
        match reply.status {
            207 => {}
            404 | 410 => return Err(ProviderError::CalendarGone.into()),
            // RFC 6578 §3.2 and PROVIDERS-more B4: Radicale 403, Xandikos 412, others 409 or
            // 400; any refusal of a token (not of the report itself) means it is gone.
            status if listing.token.is_some() => {
                if !names_invalid_sync_token(&reply.body) {
                    tracing::info!(%calendar, status, "sync token refused");
                }
                return Err(ProviderError::CursorExpired.into());
            }
            status if (400..500).contains(&status) || status == 501 => {
                return Err(SyncCollectionError::Unsupported(status))
            }
            status => return Err(unexpected_status(calendar, status, "sync-collection").into()),
        }
        let answer =
            multistatus::parse(&reply.body, calendar).map_err(|e| malformed(calendar, e))?;
        for response in answer.responses {
            if same_resource(&response.href, calendar) {
                continue;
            }
            let id = super::resource::resource_id(&response.href);
            if response.status == Some(404) {
                listing.present.remove(&id);
                listing.removed.insert(id, response.href);
            } else {
                listing.removed.remove(&id);
                listing
                    .present
                    .insert(id, (response.href, response.props.etag));
            }
        }
        if listing.present.len() + listing.removed.len() > MAX_MEMBERS {
            return Err(ProviderError::Malformed(format!(
                "{calendar} lists more than {MAX_MEMBERS} members"
            ))
            .into());
        }
        let Some(next) = answer.sync_token else {
            return Err(ProviderError::Malformed(format!(
                "{calendar} sent no sync token with its changes"
            ))
            .into());
        };
        let stuck = listing.token.as_deref() == Some(next.as_str());
        listing.token = Some(next);
        if !answer.truncated {
            return Ok(listing);
        }
        if stuck || round >= MAX_ROUNDS {
            // Truncated, yet the same token again (following it up would repeat the answer),
            // or truncated round after round: a runaway server.
            return Err(ProviderError::EndlessListing {
                listing: "sync-collection rounds",
                pages: round,
            }
            .into());
        }
    }
}
