//! The CalDAV provider: an account's calendar collections, each synced whole (not windowed)
//! with sync-collection (RFC 6578) where the server has it and the ctag + etag fallback where
//! it does not; bodies fetched with calendar-multiget in batches. Read-only for now.
//!
//! - No cursor: every member is listed and fetched, a `Full` change set with the new cursor.
//! - A sync token: only the changes (`ReplaceResource` per changed href, `DeleteResource` per
//!   removed one); a refused token is [`ProviderError::CursorExpired`], and the sync layer
//!   lists in full and applies it in one transaction, so no event vanishes in between.
//! - A body that is not iCalendar is skipped with a warning; the rest of the calendar is kept.
//! - No change costs one request per calendar (the report, or the ctag PROPFIND).

use std::collections::{BTreeMap, BTreeSet};

use url::Url;

use super::account::Locator;
use super::cursor::Cursor;
use super::discovery::{self, DavCalendar};
use super::etag_sync;
use super::multiget::{self, Fetched};
use super::resource::{resource_id, translate_resource};
use super::sync_collection::{self, Listing, SyncCollectionError};
use super::transport::{Credentials, DavClient};
use crate::http::RetryPolicy;
use crate::model::{RemoteCalendar, RemoteChange};
use crate::provider::{
    Capabilities, ChangeSet, ChangeSetKind, FetchRequest, Progress, Provider, ProviderError, Scope,
};
use crate::zones::ZoneDefinitions;

pub struct CalDavProvider {
    client: DavClient,
    locator: Locator,
    batch: usize,
    /// The user name when it is an e-mail address (iCloud, Fastmail): which attendee of an
    /// event is the user. Other user names tell nothing.
    own_address: Option<String>,
}

impl CalDavProvider {
    pub fn new(credentials: Credentials, locator: Locator, retry: RetryPolicy) -> Self {
        let own_address = crate::provider::people::email(Some(&credentials.username));
        CalDavProvider {
            own_address,
            client: DavClient::new(credentials, retry),
            locator,
            batch: multiget::BATCH,
        }
    }

    /// Fetches `batch` bodies per calendar-multiget (tests make batches visible with small
    /// calendars).
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// Fetches `hrefs` and turns them into changes: a usable body replaces its resource, a
    /// missing one deletes it when `deletions` is set, a broken one is skipped with a
    /// warning and what the store holds of it kept. Returns the changes, the etag of each href fetched (broken ones included, so
    /// they are not fetched again until they change) and the bodies' time zones.
    async fn resources(
        &self,
        calendar: &Url,
        hrefs: &[Url],
        deletions: bool,
        progress: Progress<'_>,
    ) -> Result<Resources, ProviderError> {
        let mut report = |n: usize| progress(n);
        let fetched =
            multiget::fetch(&self.client, calendar, hrefs, self.batch, &mut report).await?;
        let mut out = Resources::default();
        for Fetched { href, etag, body } in fetched {
            let id = resource_id(&href);
            let Some(body) = body else {
                if deletions {
                    out.changes
                        .push(RemoteChange::DeleteResource { resource_id: id });
                }
                continue;
            };
            if let Some(etag) = &etag {
                out.etags.insert(id.clone(), etag.clone());
            }
            match translate_resource(&href, etag.as_deref(), &body, self.own_address.as_deref()) {
                Ok(translated) => {
                    for (tzid, rules) in translated.zones.iter() {
                        out.zones.define(tzid, rules.clone());
                    }
                    out.changes.push(translated.change);
                }
                Err(why) => {
                    tracing::warn!(href = %href.path(), "calendar resource skipped: {why}");
                    // What was read of it before stays, also through a full listing.
                    out.changes
                        .push(RemoteChange::KeepResource { resource_id: id });
                }
            }
        }
        Ok(out)
    }

    /// A sync-collection listing as a change set.
    async fn by_sync_token(
        &self,
        calendar: &Url,
        listing: Listing,
        full: bool,
        progress: Progress<'_>,
    ) -> Result<ChangeSet, ProviderError> {
        let hrefs: Vec<Url> = listing.present.into_values().map(|(h, _)| h).collect();
        let mut fetched = self.resources(calendar, &hrefs, !full, progress).await?;
        if !full {
            fetched.changes.extend(
                listing
                    .removed
                    .into_keys()
                    .map(|resource_id| RemoteChange::DeleteResource { resource_id }),
            );
        }
        let cursor = listing
            .token
            .map(|token| Cursor::SyncToken { token }.write());
        Ok(change_set(full, fetched, cursor))
    }

    /// The ctag + etag fallback from `previous` (ctag and etags applied last time), or in full.
    async fn by_etags(
        &self,
        calendar: &Url,
        saved: Option<&str>,
        previous: Option<(Option<String>, BTreeMap<String, String>)>,
        progress: Progress<'_>,
    ) -> Result<ChangeSet, ProviderError> {
        let ctag = etag_sync::ctag(&self.client, calendar).await?;
        if let Some((before, _)) = &previous {
            if ctag.is_some() && ctag == *before {
                return Ok(ChangeSet {
                    kind: ChangeSetKind::Delta,
                    changes: vec![],
                    cursor: saved.map(str::to_owned),
                    zones: None,
                });
            }
        }
        let members = etag_sync::members(&self.client, calendar).await?;
        let known = previous.as_ref().map(|(_, etags)| etags);
        let changed: Vec<Url> = members
            .iter()
            .filter(|(id, (_, etag))| {
                etag.is_none() || known.and_then(|k| k.get(*id)) != etag.as_ref()
            })
            .map(|(_, (href, _))| href.clone())
            .collect();
        let full = previous.is_none();
        let mut fetched = self.resources(calendar, &changed, !full, progress).await?;
        let mut etags: BTreeMap<String, String> = members
            .iter()
            .filter_map(|(id, (_, etag))| Some((id.clone(), etag.clone()?)))
            .filter(|(id, etag)| known.and_then(|k| k.get(id)) == Some(etag))
            .collect();
        etags.append(&mut fetched.etags);
        if let Some(known) = known {
            let listed: BTreeSet<&String> = members.keys().collect();
            fetched
                .changes
                .extend(known.keys().filter(|id| !listed.contains(id)).map(|id| {
                    RemoteChange::DeleteResource {
                        resource_id: id.clone(),
                    }
                }));
        }
        let cursor = Cursor::Etags { ctag, etags }.write();
        Ok(change_set(full, fetched, Some(cursor)))
    }
}

/// What fetching a set of hrefs produced.
#[derive(Default)]
struct Resources {
    changes: Vec<RemoteChange>,
    etags: BTreeMap<String, String>,
    zones: ZoneDefinitions,
}

/// A full listing brings the collection's whole set of time zones; a delta only those of the
/// changed resources, which must not replace the calendar's others.
fn change_set(full: bool, fetched: Resources, cursor: Option<String>) -> ChangeSet {
    ChangeSet {
        kind: if full {
            ChangeSetKind::Full
        } else {
            ChangeSetKind::Delta
        },
        changes: fetched.changes,
        cursor,
        zones: full.then_some(fetched.zones),
    }
}

fn remote_calendar(calendar: &DavCalendar, primary: bool) -> RemoteCalendar {
    RemoteCalendar {
        external_id: calendar.href.to_string(),
        name: crate::text::one_line(&calendar.display_name),
        color: calendar.color.as_ref().map(|c| c.to_ascii_lowercase()),
        time_zone: None,
        primary,
        read_only: calendar.read_only,
    }
}

#[async_trait::async_trait]
impl Provider for CalDavProvider {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            scope: Scope::WholeCollection,
            writable: false,
        }
    }

    async fn list_calendars(&self) -> Result<Vec<RemoteCalendar>, ProviderError> {
        let calendars = if self.locator.homes.is_empty() {
            // A calendar URL was entered: it is the account's one calendar.
            discovery::discover(&self.client, self.locator.start.as_str())
                .await?
                .calendars
        } else {
            discovery::calendars_in(&self.client, &self.locator.start, &self.locator.homes).await?
        };
        Ok(calendars
            .iter()
            .enumerate()
            .map(|(i, c)| remote_calendar(c, i == 0))
            .collect())
    }

    async fn fetch_changes(
        &self,
        request: FetchRequest<'_>,
        progress: Progress<'_>,
    ) -> Result<ChangeSet, ProviderError> {
        let calendar = Url::parse(request.calendar_external_id)
            .map_err(|_| ProviderError::Malformed("the calendar's address is not a URL".into()))?;
        match Cursor::read(request.cursor) {
            Some(Cursor::SyncToken { token }) => {
                match sync_collection::list(&self.client, &calendar, Some(&token)).await {
                    Ok(listing) => {
                        self.by_sync_token(&calendar, listing, false, progress)
                            .await
                    }
                    // A refusal of a token is always an expired token.
                    Err(SyncCollectionError::Unsupported(_)) => Err(ProviderError::CursorExpired),
                    Err(SyncCollectionError::Provider(e)) => Err(e),
                }
            }
            Some(Cursor::Etags { ctag, etags }) => {
                self.by_etags(&calendar, request.cursor, Some((ctag, etags)), progress)
                    .await
            }
            None => match sync_collection::list(&self.client, &calendar, None).await {
                Ok(listing) => self.by_sync_token(&calendar, listing, true, progress).await,
                Err(SyncCollectionError::Unsupported(status)) => {
                    tracing::info!(%calendar, status, "no sync-collection; listing etags");
                    self.by_etags(&calendar, None, None, progress).await
                }
                Err(SyncCollectionError::Provider(e)) => Err(e),
            },
        }
    }
}
