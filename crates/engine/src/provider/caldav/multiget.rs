//! Fetching resource bodies with `calendar-multiget` (RFC 4791 §7.9) in batches, so a calendar
//! of thousands of events costs tens of requests, not thousands.

use url::Url;

use super::error::{malformed, unexpected_status};
use super::multistatus::{self, same_resource};
use super::transport::{self, DavClient, Depth};
use super::xml;
use crate::provider::ProviderError;

/// Hrefs per request: vdirsyncer and python-caldav use 50–100; each answer stays well under
/// the multistatus size cap for ordinary events.
pub const BATCH: usize = 100;

/// One fetched href.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub href: Url,
    pub etag: Option<String>,
    /// `None`: the server no longer has it (a 404 inside the multistatus).
    pub body: Option<String>,
}

/// The bodies of `hrefs` from `calendar`, `batch` at a time; `progress` gets the count fetched
/// so far after each batch. Hrefs the server does not mention are left out.
pub async fn fetch(
    client: &DavClient,
    calendar: &Url,
    hrefs: &[Url],
    batch: usize,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<Vec<Fetched>, ProviderError> {
    let mut out = Vec::with_capacity(hrefs.len());
    for chunk in hrefs.chunks(batch.max(1)) {
        let names: Vec<String> = chunk.iter().map(|h| href_for(calendar, h)).collect();
        let body = xml::calendar_multiget(names.iter().map(String::as_str));
        let reply = client
            .send(transport::report(), calendar, Depth::One, &body, true)
            .await?;
        if reply.status != 207 {
            return Err(unexpected_status(
                calendar,
                reply.status,
                "calendar-multiget",
            ));
        }
        let answer =
            multistatus::parse(&reply.body, calendar).map_err(|e| malformed(calendar, e))?;
        for response in answer.responses {
            if same_resource(&response.href, calendar) {
                continue;
            }
            let gone = response.status == Some(404);
            out.push(Fetched {
                href: response.href,
                etag: response.props.etag,
                body: if gone {
                    None
                } else {
                    // A member without data is read as an empty, unusable body.
                    Some(response.props.calendar_data.unwrap_or_default())
                },
            });
        }
        progress(out.len());
    }
    Ok(out)
}

/// How an href is named in a request: its path on the calendar's own origin, else in full.
fn href_for(calendar: &Url, href: &Url) -> String {
    if href.origin() == calendar.origin() {
        href.path().to_owned()
    } else {
        href.as_str().to_owned()
    }
}
