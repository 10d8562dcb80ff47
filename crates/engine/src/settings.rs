//! User settings shared by the CLI and the desktop app: one TOML file in the data directory,
//! with defaults for everything, validation, and a clear error for a bad value.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::time_format::TimeFormat;

/// Why settings could not be read, changed or written.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {message}")]
    Parse { path: String, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("unknown setting {0:?} (see `calbuddy settings`)")]
    UnknownKey(String),
    #[error("invalid value for {key}: {message}")]
    Invalid { key: String, message: String },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub sync: SyncSettings,
    pub notifications: NotificationSettings,
    pub google: GoogleClientSettings,
    pub general: GeneralSettings,
    pub microsoft: MicrosoftClientSettings,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncSettings {
    /// Days before today that a full sync fetches.
    pub days_back: u32,
    /// Days after today that a full sync fetches.
    pub days_ahead: u32,
    /// Minutes between background syncs.
    pub interval_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationSettings {
    pub enabled: bool,
    /// Minutes before the start that the reminder comes.
    pub lead_minutes: u32,
    /// More lead times besides `lead_minutes` (e.g. `[1]` for a second reminder a minute
    /// before). Empty in a file written before they existed.
    pub lead_times: Vec<u32>,
    /// Also remind when the event starts.
    pub at_start: bool,
    /// Only remind of events that have a meeting link.
    pub only_with_meeting_link: bool,
    /// Do not remind of events the user declined.
    pub skip_declined: bool,
    /// Remind at each event's own reminder times from the provider, where it has them,
    /// instead of `lead_minutes` and `lead_times` (`at_start` still applies).
    pub use_event_reminders: bool,
}

/// The user's own Google Cloud OAuth client (as gcalcli asks for). The environment variables
/// `CALBUDDY_GOOGLE_CLIENT_ID` / `CALBUDDY_GOOGLE_CLIENT_SECRET` take precedence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GoogleClientSettings {
    pub client_id: Option<String>,
    /// Google calls an installed app's secret "not treated as a secret"; it is still never
    /// printed.
    pub client_secret: Option<String>,
}

/// The user's own Microsoft Entra app registration (a public client: no secret), and which
/// accounts may sign in with it. `CALBUDDY_MICROSOFT_CLIENT_ID` takes precedence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MicrosoftClientSettings {
    pub client_id: Option<String>,
    /// `common` (work, school and personal accounts), `organizations` (work and school only),
    /// `consumers` (personal only), or one tenant's id or domain name.
    pub tenant: String,
}

impl Default for MicrosoftClientSettings {
    fn default() -> Self {
        MicrosoftClientSettings {
            client_id: None,
            tenant: "common".to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeneralSettings {
    pub start_at_login: bool,
    /// `system` (the locale's choice), `12h` or `24h`: how clock times are written everywhere.
    pub time_format: TimeFormat,
    /// List all-day events in the tray menu (on one line per day); off hides them.
    pub tray_all_day: bool,
    /// The desktop app's global "Join next meeting" shortcut, e.g. `CmdOrCtrl+Alt+J`; none
    /// (the default) is off. The desktop app checks and registers it.
    pub join_shortcut: Option<String>,
}

impl Default for GeneralSettings {
    fn default() -> Self {
        GeneralSettings {
            start_at_login: false,
            time_format: TimeFormat::System,
            tray_all_day: true,
            join_shortcut: None,
        }
    }
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            days_back: 30,
            days_ahead: 90,
            interval_minutes: 15,
        }
    }
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings {
            enabled: true,
            lead_minutes: 10,
            lead_times: Vec::new(),
            at_start: false,
            only_with_meeting_link: false,
            skip_declined: true,
            use_event_reminders: false,
        }
    }
}

/// How many extra lead times a user may keep (a bound on notifications per event).
const MAX_LEAD_TIMES: usize = 4;

impl NotificationSettings {
    /// Every lead time in minutes, largest first, without repeats: `lead_minutes`, the
    /// `lead_times`, and 0 when `at_start` is on.
    pub fn leads(&self) -> Vec<u32> {
        let mut leads = vec![self.lead_minutes];
        leads.extend(&self.lead_times);
        if self.at_start {
            leads.push(0);
        }
        leads.sort_unstable_by(|a, b| b.cmp(a));
        leads.dedup();
        leads
    }

    /// The lead times for one event whose own reminder times are `own` (`None`: the provider
    /// said nothing): those, with 0 when `at_start` is on, when `use_event_reminders` is on
    /// and the event has them (an empty list: no reminder but "at start"); else [`Self::leads`].
    pub fn leads_for(&self, own: Option<&[u32]>) -> Vec<u32> {
        match own {
            Some(own) if self.use_event_reminders => {
                let mut leads = own.to_vec();
                if self.at_start {
                    leads.push(0);
                }
                leads.sort_unstable_by(|a, b| b.cmp(a));
                leads.dedup();
                leads
            }
            _ => self.leads(),
        }
    }
}

/// Every settable key, for `calbuddy settings set` and error messages.
pub const KEYS: &[&str] = &[
    "sync.days_back",
    "sync.days_ahead",
    "sync.interval_minutes",
    "notifications.enabled",
    "notifications.lead_minutes",
    "notifications.lead_times",
    "notifications.at_start",
    "notifications.only_with_meeting_link",
    "notifications.skip_declined",
    "notifications.use_event_reminders",
    "google.client_id",
    "google.client_secret",
    "general.start_at_login",
    "general.time_format",
    "general.tray_all_day",
    "microsoft.client_id",
    "microsoft.tenant",
];

impl Settings {
    /// Reads the file, or the defaults when there is none.
    pub fn load(path: &Path) -> Result<Settings, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(source) => {
                return Err(SettingsError::Read {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        let settings: Settings = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
            let message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
            SettingsError::Parse {
                path: path.display().to_string(),
                message: match line {
                    Some(line) => format!("line {line}: {message}"),
                    None => message,
                },
            }
        })?;
        settings.validate()?;
        Ok(settings)
    }

    /// Writes the file atomically (a crash never leaves half a file).
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        self.validate()?;
        let write_err = |source| SettingsError::Write {
            path: path.display().to_string(),
            source,
        };
        let text = toml::to_string_pretty(self).map_err(|e| SettingsError::Parse {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        // Private: it may hold the Google client secret.
        crate::paths::write_private_atomically(path, text.as_bytes()).map_err(write_err)
    }

    /// Checks every value is in its allowed range.
    pub fn validate(&self) -> Result<(), SettingsError> {
        check("sync.days_back", self.sync.days_back, 0, 365)?;
        check("sync.days_ahead", self.sync.days_ahead, 1, 730)?;
        check("sync.interval_minutes", self.sync.interval_minutes, 1, 1440)?;
        check(
            "notifications.lead_minutes",
            self.notifications.lead_minutes,
            0,
            1440,
        )?;
        let leads = &self.notifications.lead_times;
        if leads.len() > MAX_LEAD_TIMES {
            return Err(SettingsError::Invalid {
                key: "notifications.lead_times".to_owned(),
                message: format!("at most {MAX_LEAD_TIMES} lead times"),
            });
        }
        for &lead in leads {
            check("notifications.lead_times", lead, 0, 1440)?;
        }
        if !is_tenant(&self.microsoft.tenant) {
            return Err(invalid_tenant(&self.microsoft.tenant));
        }
        Ok(())
    }

    /// Changes one setting from its text form (`sync.days_ahead`, `"120"`).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), SettingsError> {
        let invalid = |message: &str| SettingsError::Invalid {
            key: key.to_owned(),
            message: message.to_owned(),
        };
        let number = || {
            value
                .trim()
                .parse::<u32>()
                .map_err(|_| invalid("expected a whole number"))
        };
        let flag = || match value.trim() {
            "true" | "on" | "yes" | "1" => Ok(true),
            "false" | "off" | "no" | "0" => Ok(false),
            _ => Err(invalid("expected true or false")),
        };
        let text = || {
            let v = value.trim();
            (!v.is_empty()).then(|| v.to_owned())
        };
        match key {
            "sync.days_back" => self.sync.days_back = number()?,
            "sync.days_ahead" => self.sync.days_ahead = number()?,
            "sync.interval_minutes" => self.sync.interval_minutes = number()?,
            "notifications.enabled" => self.notifications.enabled = flag()?,
            "notifications.lead_minutes" => self.notifications.lead_minutes = number()?,
            // "10, 1" (commas or spaces); empty clears the list.
            "notifications.lead_times" => {
                self.notifications.lead_times = value
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|part| !part.is_empty())
                    .map(|part| {
                        part.parse::<u32>()
                            .map_err(|_| invalid("expected whole numbers, e.g. \"10, 1\""))
                    })
                    .collect::<Result<_, _>>()?
            }
            "notifications.at_start" => self.notifications.at_start = flag()?,
            "notifications.only_with_meeting_link" => {
                self.notifications.only_with_meeting_link = flag()?
            }
            "notifications.skip_declined" => self.notifications.skip_declined = flag()?,
            "notifications.use_event_reminders" => self.notifications.use_event_reminders = flag()?,
            "google.client_id" => self.google.client_id = text(),
            "google.client_secret" => self.google.client_secret = text(),
            "general.start_at_login" => self.general.start_at_login = flag()?,
            "general.time_format" => {
                self.general.time_format = TimeFormat::parse(value)
                    .ok_or_else(|| invalid("expected system, 12h or 24h"))?
            }
            "general.tray_all_day" => self.general.tray_all_day = flag()?,
            "microsoft.client_id" => self.microsoft.client_id = text(),
            // The keywords are case-insensitive at Microsoft; written in lower case here.
            "microsoft.tenant" => {
                let tenant = match text() {
                    Some(t) if TENANT_KEYWORDS.contains(&t.to_ascii_lowercase().as_str()) => {
                        t.to_ascii_lowercase()
                    }
                    Some(t) => t,
                    None => MicrosoftClientSettings::default().tenant,
                };
                // Refused before it is kept, so the settings stay valid.
                if !is_tenant(&tenant) {
                    return Err(invalid_tenant(&tenant));
                }
                self.microsoft.tenant = tenant;
            }
            _ => return Err(SettingsError::UnknownKey(key.to_owned())),
        }
        self.validate()
    }
}

fn invalid_tenant(tenant: &str) -> SettingsError {
    SettingsError::Invalid {
        key: "microsoft.tenant".to_owned(),
        message: format!(
            "{:?} is not common, organizations, consumers, a tenant id or a domain",
            crate::text::one_line(tenant)
        ),
    }
}

/// The tenants that are not one organisation's.
const TENANT_KEYWORDS: [&str; 3] = ["common", "organizations", "consumers"];

/// A tenant the Microsoft identity platform accepts in its URL path: a keyword, a tenant id
/// (a GUID) or a domain name (`contoso.onmicrosoft.com`). Anything else is refused here, as
/// it becomes part of the sign-in address.
fn is_tenant(tenant: &str) -> bool {
    if TENANT_KEYWORDS.contains(&tenant) {
        return true;
    }
    let guid = tenant.len() == 36
        && tenant.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    let labels: Vec<&str> = tenant.split('.').collect();
    let domain = tenant.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    guid || domain
}

fn check(key: &str, value: u32, min: u32, max: u32) -> Result<(), SettingsError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(SettingsError::Invalid {
            key: key.to_owned(),
            message: format!("{value} is out of range (allowed: {min} to {max})"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_and_a_round_trip_keeps_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let mut s = Settings::load(&path).unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.sync.interval_minutes, 15);
        s.set("sync.days_ahead", "120").unwrap();
        s.set("notifications.at_start", "on").unwrap();
        s.set("google.client_id", " abc ").unwrap();
        s.save(&path).unwrap();
        let back = Settings::load(&path).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.google.client_id.as_deref(), Some("abc"));
    }

    #[test]
    fn the_join_shortcut_is_off_by_default_and_kept_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let mut s = Settings::load(&path).unwrap();
        assert_eq!(s.general.join_shortcut, None);
        s.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("join_shortcut"), "{text}");
        s.general.join_shortcut = Some("CmdOrCtrl+Alt+J".into());
        s.save(&path).unwrap();
        assert_eq!(
            Settings::load(&path)
                .unwrap()
                .general
                .join_shortcut
                .as_deref(),
            Some("CmdOrCtrl+Alt+J")
        );
    }

    #[test]
    fn every_listed_key_is_settable() {
        let mut s = Settings::default();
        for key in KEYS {
            let value = if key.starts_with("google.") || *key == "microsoft.client_id" {
                "x"
            } else if *key == "microsoft.tenant" {
                "organizations"
            } else if *key == "general.time_format" {
                "12h"
            } else if matches!(
                *key,
                "sync.days_back"
                    | "sync.days_ahead"
                    | "sync.interval_minutes"
                    | "notifications.lead_minutes"
                    | "notifications.lead_times"
            ) {
                "5"
            } else {
                "true"
            };
            s.set(key, value).unwrap_or_else(|e| panic!("{key}: {e}"));
        }
    }

    #[test]
    fn bad_values_are_refused_with_the_key_named() {
        let mut s = Settings::default();
        let err = s.set("sync.interval_minutes", "0").unwrap_err().to_string();
        assert!(
            err.contains("sync.interval_minutes") && err.contains("1 to 1440"),
            "{err}"
        );
        assert!(s.set("sync.days_ahead", "soon").is_err());
        assert!(s.set("notifications.enabled", "maybe").is_err());
        assert!(matches!(
            s.set("colour", "red"),
            Err(SettingsError::UnknownKey(_))
        ));
    }

    #[test]
    fn the_microsoft_tenant_is_a_keyword_a_tenant_id_or_a_domain() {
        let mut s = Settings::default();
        assert_eq!(s.microsoft.tenant, "common");
        s.set("microsoft.tenant", " Consumers ").unwrap();
        assert_eq!(s.microsoft.tenant, "consumers");
        s.set("microsoft.tenant", "72f988bf-86f1-41af-91ab-2d7cd011db47")
            .unwrap();
        s.set("microsoft.tenant", "contoso.onmicrosoft.com")
            .unwrap();
        assert_eq!(s.microsoft.tenant, "contoso.onmicrosoft.com");
        // Blank goes back to the default.
        s.set("microsoft.tenant", " ").unwrap();
        assert_eq!(s.microsoft.tenant, "common");
        for bad in [
            "contoso",
            "common/oauth2",
            "../evil",
            "a b.com",
            "-x.com",
            "72f988bf-86f1-41af-91ab-2d7cd011db4z",
            "x?.com",
        ] {
            let err = s.set("microsoft.tenant", bad).unwrap_err().to_string();
            assert!(err.contains("microsoft.tenant"), "{bad}: {err}");
        }
        s.set(
            "microsoft.client_id",
            " 00000000-1111-2222-3333-444444444444 ",
        )
        .unwrap();
        assert_eq!(
            s.microsoft.client_id.as_deref(),
            Some("00000000-1111-2222-3333-444444444444")
        );
    }

    #[test]
    fn a_bad_tenant_in_the_file_is_refused_and_an_old_file_reads_with_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[sync]\ndays_ahead = 60\n").unwrap();
        assert_eq!(Settings::load(&path).unwrap().microsoft.tenant, "common");
        std::fs::write(&path, "[microsoft]\ntenant = \"x/../y\"\n").unwrap();
        let err = Settings::load(&path).unwrap_err().to_string();
        assert!(err.contains("microsoft.tenant"), "{err}");
    }

    #[test]
    fn the_time_format_is_system_12h_or_24h_and_all_day_items_can_leave_the_tray() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let mut s = Settings::default();
        assert_eq!(s.general.time_format, TimeFormat::System);
        assert!(s.general.tray_all_day);
        s.set("general.time_format", "24h").unwrap();
        s.set("general.tray_all_day", "off").unwrap();
        s.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("time_format = \"24h\""), "{text}");
        let back = Settings::load(&path).unwrap();
        assert_eq!(back.general.time_format, TimeFormat::TwentyFourHour);
        assert!(!back.general.tray_all_day);
        let err = s
            .set("general.time_format", "am/pm")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("general.time_format") && err.contains("12h"),
            "{err}"
        );
        assert_eq!(s.general.time_format, TimeFormat::TwentyFourHour);
        std::fs::write(&path, "[general]\ntime_format = \"13h\"\n").unwrap();
        assert!(Settings::load(&path).is_err());
        // A file from before these settings reads with their defaults.
        std::fs::write(&path, "[general]\nstart_at_login = true\n").unwrap();
        let old = Settings::load(&path).unwrap();
        assert_eq!(old.general.time_format, TimeFormat::System);
        assert!(old.general.tray_all_day);
    }

    #[test]
    fn several_lead_times_from_an_old_file_a_list_or_the_command_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        // A file from before the list: one number, still read, still the only lead time.
        std::fs::write(&path, "[notifications]\nlead_minutes = 5\n").unwrap();
        let old = Settings::load(&path).unwrap();
        assert_eq!(old.notifications.leads(), [5]);

        std::fs::write(
            &path,
            "[notifications]\nlead_minutes = 10\nlead_times = [1, 10]\nat_start = true\n",
        )
        .unwrap();
        let list = Settings::load(&path).unwrap();
        assert_eq!(list.notifications.leads(), [10, 1, 0]);

        let mut s = Settings::default();
        s.set("notifications.lead_times", " 1, 30 ").unwrap();
        s.set("notifications.lead_minutes", "5").unwrap();
        assert_eq!(s.notifications.leads(), [30, 5, 1]);
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path).unwrap(), s);
        s.set("notifications.lead_times", "").unwrap();
        assert_eq!(s.notifications.leads(), [5]);
    }

    #[test]
    fn each_events_own_reminder_times_when_asked_and_an_old_file_reads_without_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[notifications]\nlead_minutes = 5\nat_start = true\n",
        )
        .unwrap();
        let mut s = Settings::load(&path).unwrap();
        assert!(!s.notifications.use_event_reminders);
        let n = &s.notifications;
        assert_eq!(n.leads_for(Some(&[30, 15])), [5, 0], "off: the app's own");
        s.set("notifications.use_event_reminders", "on").unwrap();
        s.save(&path).unwrap();
        let n = Settings::load(&path).unwrap().notifications;
        assert!(n.use_event_reminders);
        assert_eq!(n.leads_for(Some(&[15, 30])), [30, 15, 0]);
        assert_eq!(
            n.leads_for(Some(&[])),
            [0],
            "none of its own, at start still"
        );
        assert_eq!(n.leads_for(None), [5, 0], "the provider said nothing");
        assert!(s.set("notifications.use_event_reminders", "maybe").is_err());
    }

    #[test]
    fn lead_times_are_validated() {
        let mut s = Settings::default();
        for bad in ["ten", "1,-2", "1441", "1, 2, 3, 4, 5"] {
            let err = s
                .set("notifications.lead_times", bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains("notifications.lead_times"), "{bad}: {err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[notifications]\nlead_times = [5000]\n").unwrap();
        let err = Settings::load(&path).unwrap_err().to_string();
        assert!(err.contains("notifications.lead_times"), "{err}");
    }

    #[test]
    fn a_broken_or_out_of_range_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[sync]\ninterval_minutes = \"often\"\n").unwrap();
        let err = Settings::load(&path).unwrap_err().to_string();
        assert!(err.contains("config.toml is not valid"), "{err}");
        std::fs::write(&path, "[sync]\ndays_ahead = 5000\n").unwrap();
        let err = Settings::load(&path).unwrap_err().to_string();
        assert!(err.contains("sync.days_ahead"), "{err}");
        std::fs::write(&path, "[sink]\n").unwrap();
        assert!(Settings::load(&path).is_err());
    }
}
