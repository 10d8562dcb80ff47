//! The settings as the settings window sees and sends them: the Google client secret only as
//! "set or not", each provider's client marked when it comes from the environment (and then
//! not written into the settings file), and the Microsoft tenant checked by the engine.

use calbuddy_engine::settings::{
    GeneralSettings, NotificationSettings, Settings, SettingsError, SyncSettings,
};
use calbuddy_engine::time_format::HourCycle;
use calbuddy_engine::{google_client_from_env, microsoft_client_from_env};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct SettingsView {
    pub sync: SyncSettings,
    pub notifications: NotificationSettings,
    pub google: GoogleView,
    pub microsoft: MicrosoftView,
    pub general: GeneralSettings,
    /// How the dashboard writes clock times: `general.time_format` with `system` resolved
    /// from the locale here, since the webview cannot read the process's `LC_TIME`.
    pub hour_cycle: HourCycle,
    /// Why the saved join shortcut could not be registered when the app started, if it could
    /// not (another app holds it); a refused change is the save's error instead.
    #[serde(default)]
    pub join_shortcut_problem: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct GoogleView {
    pub client_id: Option<String>,
    pub client_secret_set: bool,
    /// The client comes from CALBUDDY_GOOGLE_CLIENT_ID/_SECRET and cannot be changed here.
    pub from_environment: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct MicrosoftView {
    pub client_id: Option<String>,
    /// `common`, `organizations`, `consumers`, or one tenant's id or domain.
    pub tenant: String,
    /// The client ID comes from CALBUDDY_MICROSOFT_CLIENT_ID and cannot be changed here (the
    /// tenant still can).
    pub from_environment: bool,
}

/// Settings from the UI. A `null` client secret keeps the saved one.
#[derive(Debug, Deserialize)]
pub struct SettingsInput {
    pub sync: SyncSettings,
    pub notifications: NotificationSettings,
    pub google: GoogleInput,
    /// Absent (a UI from before Microsoft): the saved Microsoft settings are kept.
    #[serde(default)]
    pub microsoft: Option<MicrosoftInput>,
    pub general: GeneralSettings,
}

#[derive(Debug, Deserialize)]
pub struct GoogleInput {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct MicrosoftInput {
    pub client_id: Option<String>,
    /// Empty or `null`: `common`.
    pub tenant: Option<String>,
}

/// Which clients the environment gives (they win over the settings file).
#[derive(Debug, Clone, Default)]
pub struct ClientsFromEnv {
    pub google_id: Option<String>,
    pub google_secret: Option<String>,
    pub microsoft_id: Option<String>,
}

impl ClientsFromEnv {
    pub fn read() -> Self {
        let (google_id, google_secret) = google_client_from_env();
        ClientsFromEnv {
            google_id,
            google_secret,
            microsoft_id: microsoft_client_from_env(),
        }
    }
}

pub fn view(s: Settings, env: ClientsFromEnv) -> SettingsView {
    SettingsView {
        sync: s.sync,
        notifications: s.notifications,
        google: GoogleView {
            client_secret_set: env.google_secret.is_some() || s.google.client_secret.is_some(),
            from_environment: env.google_id.is_some(),
            client_id: env.google_id.or(s.google.client_id),
        },
        microsoft: MicrosoftView {
            from_environment: env.microsoft_id.is_some(),
            client_id: env.microsoft_id.or(s.microsoft.client_id),
            tenant: s.microsoft.tenant,
        },
        hour_cycle: s.general.time_format.hour_cycle(),
        general: s.general,
        join_shortcut_problem: None,
    }
}

/// Applies the UI's settings to the saved ones. A client given in the environment is not
/// written into the settings file; a tenant the engine refuses fails the whole save, with the
/// engine's message (`invalid value for microsoft.tenant: ...`).
pub fn apply(
    saved: &mut Settings,
    input: SettingsInput,
    env: &ClientsFromEnv,
) -> Result<(), SettingsError> {
    let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if let Some(microsoft) = input.microsoft {
        // Normalised (keywords in lower case, empty → common) and checked by the engine;
        // first, so a refused tenant leaves everything as it was.
        saved.set(
            "microsoft.tenant",
            microsoft.tenant.as_deref().unwrap_or(""),
        )?;
        if env.microsoft_id.is_none() {
            saved.microsoft.client_id = clean(microsoft.client_id);
        }
    }
    saved.sync = input.sync;
    saved.notifications = input.notifications;
    if env.google_id.is_none() {
        saved.google.client_id = clean(input.google.client_id);
        if let Some(secret) = clean(input.google.client_secret) {
            saved.google.client_secret = Some(secret);
        }
    }
    saved.general = input.general;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(microsoft: Option<(&str, &str)>) -> SettingsInput {
        let s = Settings::default();
        SettingsInput {
            sync: s.sync,
            notifications: s.notifications,
            google: GoogleInput {
                client_id: Some(" g-id ".into()),
                client_secret: None,
            },
            microsoft: microsoft.map(|(id, tenant)| MicrosoftInput {
                client_id: Some(id.into()),
                tenant: Some(tenant.into()),
            }),
            general: s.general,
        }
    }

    #[test]
    fn the_microsoft_client_and_tenant_are_saved_trimmed_and_normalised() {
        let mut saved = Settings::default();
        let env = ClientsFromEnv::default();
        apply(
            &mut saved,
            input(Some((" ms-id ", " Organizations "))),
            &env,
        )
        .unwrap();
        assert_eq!(saved.microsoft.client_id.as_deref(), Some("ms-id"));
        assert_eq!(saved.microsoft.tenant, "organizations");
        assert_eq!(saved.google.client_id.as_deref(), Some("g-id"));
        apply(&mut saved, input(Some(("", ""))), &env).unwrap();
        assert_eq!(saved.microsoft.client_id, None);
        assert_eq!(saved.microsoft.tenant, "common");
        apply(
            &mut saved,
            input(Some(("x", "contoso.onmicrosoft.com"))),
            &env,
        )
        .unwrap();
        assert_eq!(saved.microsoft.tenant, "contoso.onmicrosoft.com");
    }

    #[test]
    fn a_refused_tenant_fails_the_save_and_changes_nothing() {
        let mut saved = Settings::default();
        saved.microsoft.tenant = "consumers".into();
        let before = saved.clone();
        let err = apply(
            &mut saved,
            input(Some(("ms-id", "x/../y"))),
            &ClientsFromEnv::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("invalid value for microsoft.tenant"),
            "{err}"
        );
        assert_eq!(saved, before);
    }

    #[test]
    fn the_view_tells_the_ui_which_hour_cycle_to_use() {
        use calbuddy_engine::time_format::TimeFormat;
        let mut s = Settings::default();
        s.general.time_format = TimeFormat::TwelveHour;
        let json = serde_json::to_value(view(s.clone(), ClientsFromEnv::default())).unwrap();
        assert_eq!(json["hour_cycle"], "12h");
        assert_eq!(json["general"]["time_format"], "12h");
        s.general.time_format = TimeFormat::TwentyFourHour;
        let json = serde_json::to_value(view(s, ClientsFromEnv::default())).unwrap();
        assert_eq!(json["hour_cycle"], "24h");
    }

    #[test]
    fn no_microsoft_input_keeps_the_saved_microsoft_settings() {
        let mut saved = Settings::default();
        saved.microsoft.client_id = Some("kept".into());
        saved.microsoft.tenant = "consumers".into();
        apply(&mut saved, input(None), &ClientsFromEnv::default()).unwrap();
        assert_eq!(saved.microsoft.client_id.as_deref(), Some("kept"));
        assert_eq!(saved.microsoft.tenant, "consumers");
        // A UI from before Microsoft sends no `microsoft` at all.
        let old: SettingsInput = serde_json::from_value(serde_json::json!({
            "sync": Settings::default().sync,
            "notifications": Settings::default().notifications,
            "google": { "client_id": null, "client_secret": null },
            "general": { "start_at_login": false },
        }))
        .unwrap();
        assert!(old.microsoft.is_none());
    }

    #[test]
    fn a_microsoft_client_from_the_environment_is_shown_but_never_written() {
        let env = ClientsFromEnv {
            microsoft_id: Some("env-id".into()),
            ..ClientsFromEnv::default()
        };
        let mut saved = Settings::default();
        saved.microsoft.client_id = Some("file-id".into());
        apply(&mut saved, input(Some(("typed", "consumers"))), &env).unwrap();
        assert_eq!(saved.microsoft.client_id.as_deref(), Some("file-id"));
        assert_eq!(saved.microsoft.tenant, "consumers");
        let shown = view(saved, env);
        assert_eq!(shown.microsoft.client_id.as_deref(), Some("env-id"));
        assert!(shown.microsoft.from_environment);
        assert_eq!(shown.microsoft.tenant, "consumers");
        assert!(!shown.google.from_environment);
    }
}
