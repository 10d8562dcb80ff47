//! The ctag + etag fallback for servers without sync-collection (RFC 6578): the collection's
//! ctag (CalendarServer's `getctag`, else its `DAV:sync-token` property) says whether anything
//! changed, in one request; if it did, a Depth 1 PROPFIND lists every member's etag, to be
//! diffed against the etags applied last time (vdirsyncer's way).

use std::collections::BTreeMap;

use url::Url;

use super::error::{malformed, unexpected_status};
use super::multistatus::{self, same_resource, Multistatus};
use super::resource::resource_id;
use super::sync_collection::MAX_MEMBERS;
use super::transport::{self, DavClient, Depth};
use super::xml;
use crate::provider::ProviderError;

/// The collection's change tag, if the server keeps one.
pub async fn ctag(client: &DavClient, calendar: &Url) -> Result<Option<String>, ProviderError> {
    let answer = propfind(client, calendar, Depth::Zero, &xml::propfind_collections()).await?;
    let own = answer
        .response_for(calendar)
        .or_else(|| answer.responses.first());
    Ok(own.and_then(|r| r.props.ctag.clone().or(r.props.sync_token.clone())))
}

/// Every member of the collection (sub-collections left out) by resource id: href and etag.
pub async fn members(
    client: &DavClient,
    calendar: &Url,
) -> Result<BTreeMap<String, (Url, Option<String>)>, ProviderError> {
    let answer = propfind(client, calendar, Depth::One, &xml::propfind_etags()).await?;
    if answer.responses.len() > MAX_MEMBERS {
        return Err(ProviderError::Malformed(format!(
            "{calendar} lists more than {MAX_MEMBERS} members"
        )));
    }
    Ok(answer
        .responses
        .into_iter()
        .filter(|r| !same_resource(&r.href, calendar))
        .filter(|r| !r.props.resource_type.is_some_and(|t| t.collection))
        .filter(|r| r.status.is_none_or(|s| (200..300).contains(&s)))
        .map(|r| (resource_id(&r.href), (r.href, r.props.etag)))
        .collect())
}

async fn propfind(
    client: &DavClient,
    calendar: &Url,
    depth: Depth,
    body: &str,
) -> Result<Multistatus, ProviderError> {
    let reply = client
        .send(transport::propfind(), calendar, depth, body, true)
        .await?;
    if reply.status != 207 {
        return Err(unexpected_status(calendar, reply.status, "PROPFIND"));
    }
    multistatus::parse(&reply.body, calendar).map_err(|e| malformed(calendar, e))
}
