//! The `Prefer` header of Graph requests: `odata.maxpagesize` and `outlook.timezone`, and the
//! `Preference-Applied` answer. [GC][GA]

use crate::render::Preferred;
use crate::zones;

/// The largest page served whatever the client asks for (inferred).
const MAX_PAGE: usize = 1000;

/// The `Prefer` header's preferences the fake honours. [GC][GA]
#[derive(Debug, Default)]
pub(crate) struct Preferences {
    pub(crate) page_size: Option<usize>,
    pub(crate) zone: Option<Preferred>,
}

impl Preferences {
    pub(crate) fn read(headers: &[String]) -> Preferences {
        let mut preferences = Preferences::default();
        for item in headers.iter().flat_map(|header| header.split(',')) {
            let Some((name, value)) = item.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match name.trim().to_ascii_lowercase().as_str() {
                "odata.maxpagesize" => {
                    preferences.page_size = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n > 0)
                        .map(|n| n.min(MAX_PAGE));
                }
                "outlook.timezone" => {
                    // An unknown name is ignored (not confirmed in Preference-Applied). (inferred)
                    preferences.zone = zones::resolve(value).map(|zone| Preferred {
                        name: value.to_owned(),
                        zone,
                    });
                }
                _ => {}
            }
        }
        preferences
    }

    /// The `Preference-Applied` header value, if any preference was applied.
    pub(crate) fn applied(&self) -> Option<String> {
        let mut applied = Vec::new();
        if let Some(size) = self.page_size {
            applied.push(format!("odata.maxpagesize={size}"));
        }
        if let Some(zone) = &self.zone {
            applied.push(format!("outlook.timezone=\"{}\"", zone.name));
        }
        (!applied.is_empty()).then(|| applied.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_read_page_size_and_zone() {
        let preferences = Preferences::read(&[
            "odata.maxpagesize=50".into(),
            "outlook.timezone=\"W. Europe Standard Time\"".into(),
        ]);
        assert_eq!(preferences.page_size, Some(50));
        assert_eq!(
            preferences.zone.as_ref().map(|z| z.zone),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(
            preferences.applied().as_deref(),
            Some("odata.maxpagesize=50, outlook.timezone=\"W. Europe Standard Time\"")
        );
        let odd = Preferences::read(&["odata.maxpagesize=0, outlook.timezone=\"Mars\"".into()]);
        assert!(odd.page_size.is_none() && odd.zone.is_none());
        assert!(odd.applied().is_none());
    }
}
