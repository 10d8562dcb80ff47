//! Groups a feed's events into resources by UID, and settles duplicates: two masters (or two
//! overrides of one instance) with the same UID keep the higher `SEQUENCE`, then the later
//! `LAST-MODIFIED`, then the later `DTSTAMP`, then the later in the file — instead of failing or
//! showing both (PROVIDERS-more.md D).

use std::cmp::Ordering;
use std::collections::HashMap;

use super::{ParsedEvent, ParsedResource};

pub(crate) fn by_uid(events: Vec<ParsedEvent>, warnings: &mut Vec<String>) -> Vec<ParsedResource> {
    let mut resources: Vec<ParsedResource> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for event in events {
        // Events without a UID cannot be matched to anything: each stands alone.
        let slot = if event.uid.is_empty() {
            None
        } else {
            index.get(&event.uid).copied()
        };
        let position = slot.unwrap_or_else(|| {
            resources.push(ParsedResource {
                uid: event.uid.clone(),
                ..ParsedResource::default()
            });
            if !event.uid.is_empty() {
                index.insert(event.uid.clone(), resources.len() - 1);
            }
            resources.len() - 1
        });
        add(&mut resources[position], event, warnings);
    }
    resources
}

fn add(resource: &mut ParsedResource, event: ParsedEvent, warnings: &mut Vec<String>) {
    let existing = match &event.recurrence_id {
        None => resource.master.as_mut(),
        Some(id) => resource
            .overrides
            .iter_mut()
            .find(|other| other.recurrence_id.as_ref().map(|o| &o.time) == Some(&id.time)),
    };
    match existing {
        Some(existing) => {
            warnings.push(format!(
                "duplicate event {}: kept the one with SEQUENCE {}",
                super::short(&event.uid),
                existing.sequence.max(event.sequence)
            ));
            if newer(&event, existing) != Ordering::Less {
                *existing = event;
            }
        }
        None if event.recurrence_id.is_none() => resource.master = Some(event),
        None => resource.overrides.push(event),
    }
}

/// How `a` compares with `b` in recency; `Equal` means nothing tells them apart.
fn newer(a: &ParsedEvent, b: &ParsedEvent) -> Ordering {
    a.sequence
        .cmp(&b.sequence)
        .then(a.last_modified.cmp(&b.last_modified))
        .then(a.dtstamp.cmp(&b.dtstamp))
}
