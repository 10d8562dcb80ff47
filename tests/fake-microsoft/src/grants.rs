//! The identity platform's grant store: authorization codes, grants, access tokens and
//! rotating refresh tokens, and the switches tests use to kill them.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;

/// The app registration the fake knows: a public client ("Mobile and desktop applications"
/// platform, public client flows allowed). [IA]
pub const CLIENT_ID: &str = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346";
/// The directory id accepted in place of `common`, `organizations` or `consumers`.
pub const TENANT_ID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// How long an authorization code can be redeemed ("about 10 minutes"). [IA]
const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// What the simulated user answers on the sign-in and consent pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Consent {
    /// The user signs in and consents: redirect with a code.
    #[default]
    Approve,
    /// The user refuses: redirect with `error=access_denied` (AADSTS65004).
    Deny,
}

/// The permissions a grant carries, read from the requested `scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Scopes {
    /// `offline_access`: without it there is no refresh token. [IS]
    pub(crate) offline: bool,
    /// `Calendars.Read` or `Calendars.ReadWrite`.
    pub(crate) calendars: bool,
    /// `User.Read` (for `/me`).
    pub(crate) user: bool,
}

impl Scopes {
    /// Reads a space-separated scope; Graph permissions in short or full
    /// (`https://graph.microsoft.com/Calendars.Read`) form. [IS]
    pub(crate) fn parse(scope: &str) -> Scopes {
        let mut scopes = Scopes::default();
        for item in scope.split_whitespace() {
            let name = item
                .strip_prefix("https://graph.microsoft.com/")
                .unwrap_or(item);
            if name.eq_ignore_ascii_case("offline_access") {
                scopes.offline = true;
            } else if name.eq_ignore_ascii_case("Calendars.Read")
                || name.eq_ignore_ascii_case("Calendars.ReadWrite")
            {
                scopes.calendars = true;
            } else if name.eq_ignore_ascii_case("User.Read") {
                scopes.user = true;
            }
        }
        scopes
    }

    /// The granted Graph permissions as the token response names them (full form; the
    /// identity platform leaves `offline_access` out of it). (inferred)
    fn text(self) -> String {
        let mut names = Vec::new();
        if self.calendars {
            names.push("https://graph.microsoft.com/Calendars.Read");
        }
        if self.user {
            names.push("https://graph.microsoft.com/User.Read");
        }
        names.join(" ")
    }
}

/// An authorization code waiting to be redeemed.
pub(crate) struct PendingCode {
    pub(crate) redirect_uri: String,
    pub(crate) challenge: String,
    pub(crate) scopes: Scopes,
    pub(crate) issued: Instant,
    pub(crate) redeemed: bool,
}

struct Grant {
    scopes: Scopes,
    revoked: bool,
    refresh_expired: bool,
}

/// What a refresh token is worth now. Rotation: the fake kills a refresh token the moment it
/// is used. Microsoft does not revoke the old one but asks clients to discard it [IA][IR]; the
/// strict choice makes a client that keeps the old token fail its tests.
#[derive(Clone, Copy)]
struct RefreshToken {
    grant: usize,
    consumed: bool,
}

struct AccessToken {
    grant: usize,
    issued: Instant,
    lifetime: i64,
    force_expired: bool,
}

/// A freshly minted token set, as the token endpoint reports it.
pub(crate) struct Minted {
    pub(crate) access_token: String,
    pub(crate) expires_in: i64,
    pub(crate) refresh_token: Option<String>,
    pub(crate) scope: String,
}

/// A refused token request: `error`, the AADSTS code and its text. [IE]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenError {
    pub(crate) error: &'static str,
    pub(crate) aadsts: u32,
    pub(crate) text: &'static str,
}

impl TokenError {
    const fn grant(aadsts: u32, text: &'static str) -> Self {
        TokenError {
            error: "invalid_grant",
            aadsts,
            text,
        }
    }
}

pub(crate) const UNKNOWN_TOKEN: TokenError =
    TokenError::grant(9002313, "Invalid request. Request is malformed or invalid.");
pub(crate) const CODE_REDEEMED: TokenError = TokenError::grant(
    54005,
    "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
);
pub(crate) const EXPIRED_OR_CONSUMED: TokenError = TokenError::grant(
    70008,
    "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
);
pub(crate) const VERIFIER_MISMATCH: TokenError = TokenError::grant(
    501481,
    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
);
/// The code was issued for another redirect URI. (the AADSTS number is inferred)
pub(crate) const REDIRECT_MISMATCH: TokenError = TokenError::grant(
    70000,
    "The provided value for the 'redirect_uri' is not valid. The value must exactly match the redirect URI used to obtain the authorization code.",
);
pub(crate) const REVOKED: TokenError = TokenError::grant(
    50173,
    "The provided grant has expired due to it being revoked, a fresh auth token is needed.",
);
pub(crate) const INACTIVE: TokenError = TokenError::grant(
    700082,
    "The refresh token has expired due to inactivity. The token was issued and was inactive for 90.00:00:00.",
);

/// Why an access token was refused on Graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccessError {
    Missing,
    Expired,
    Unknown,
}

/// Every code, grant and token the fake issued.
pub(crate) struct Credentials {
    pub(crate) consent: Consent,
    pub(crate) codes: HashMap<String, PendingCode>,
    grants: Vec<Grant>,
    refresh_tokens: HashMap<String, RefreshToken>,
    access_tokens: HashMap<String, AccessToken>,
    /// Every access and refresh token, in issue order.
    issued: Vec<String>,
    /// Seconds; `None` draws 60–90 minutes per token, as the platform does. [IT]
    access_lifetime: Option<i64>,
}

impl Credentials {
    pub(crate) fn new() -> Self {
        Credentials {
            consent: Consent::Approve,
            codes: HashMap::new(),
            grants: Vec::new(),
            refresh_tokens: HashMap::new(),
            access_tokens: HashMap::new(),
            issued: Vec::new(),
            access_lifetime: None,
        }
    }

    pub(crate) fn set_access_lifetime(&mut self, secs: Option<i64>) {
        self.access_lifetime = secs;
    }

    /// Stores a code for a consented request and returns it.
    pub(crate) fn issue_code(&mut self, pending: PendingCode) -> String {
        let code = format!("M.C5_BAY.2.U.{}", random_text(64));
        self.codes.insert(code.clone(), pending);
        code
    }

    /// Redeems a code: single use, short-lived, bound to its redirect URI and PKCE challenge.
    pub(crate) fn redeem(
        &mut self,
        code: &str,
        redirect_uri: &str,
        derived_challenge: &str,
    ) -> Result<Minted, TokenError> {
        let pending = self.codes.get_mut(code).ok_or(UNKNOWN_TOKEN)?;
        if pending.redeemed {
            return Err(CODE_REDEEMED);
        }
        if pending.issued.elapsed() > CODE_LIFETIME {
            return Err(EXPIRED_OR_CONSUMED);
        }
        if pending.redirect_uri != redirect_uri {
            return Err(REDIRECT_MISMATCH);
        }
        if pending.challenge != derived_challenge {
            return Err(VERIFIER_MISMATCH);
        }
        pending.redeemed = true;
        let scopes = pending.scopes;
        self.grants.push(Grant {
            scopes,
            revoked: false,
            refresh_expired: false,
        });
        Ok(self.mint(self.grants.len() - 1))
    }

    /// The refresh grant: a new access token and a new refresh token; the old one is dead.
    pub(crate) fn refresh(&mut self, token: &str) -> Result<Minted, TokenError> {
        let refresh = *self.refresh_tokens.get(token).ok_or(UNKNOWN_TOKEN)?;
        let grant = &self.grants[refresh.grant];
        if grant.revoked {
            return Err(REVOKED);
        }
        if grant.refresh_expired {
            return Err(INACTIVE);
        }
        if refresh.consumed {
            return Err(EXPIRED_OR_CONSUMED);
        }
        if let Some(entry) = self.refresh_tokens.get_mut(token) {
            entry.consumed = true;
        }
        Ok(self.mint(refresh.grant))
    }

    fn mint(&mut self, grant: usize) -> Minted {
        let scopes = self.grants[grant].scopes;
        let lifetime = self
            .access_lifetime
            .unwrap_or_else(|| rand::rng().random_range(3600..=5400));
        // Personal-account access tokens are opaque, not JWTs. [IA][IT]
        let access_token = format!("EwB{}", random_text(96));
        self.access_tokens.insert(
            access_token.clone(),
            AccessToken {
                grant,
                issued: Instant::now(),
                lifetime,
                force_expired: false,
            },
        );
        self.issued.push(access_token.clone());
        let refresh_token = scopes.offline.then(|| {
            let token = format!("M.C5_BL2.0.U.-{}", random_text(96));
            self.refresh_tokens.insert(
                token.clone(),
                RefreshToken {
                    grant,
                    consumed: false,
                },
            );
            self.issued.push(token.clone());
            token
        });
        Minted {
            access_token,
            expires_in: lifetime,
            refresh_token,
            scope: scopes.text(),
        }
    }

    /// The permissions behind a bearer token, if it is live.
    pub(crate) fn access_scopes(&self, token: Option<&str>) -> Result<Scopes, AccessError> {
        let token = token.ok_or(AccessError::Missing)?;
        let access = self.access_tokens.get(token).ok_or(AccessError::Unknown)?;
        let grant = &self.grants[access.grant];
        let age = i64::try_from(access.issued.elapsed().as_secs()).unwrap_or(i64::MAX);
        if access.force_expired || age >= access.lifetime {
            return Err(AccessError::Expired);
        }
        // Revoking sign-in sessions does not end access tokens already issued (they live out
        // their lifetime), so only the refresh grant checks `revoked`. [IV]
        Ok(grant.scopes)
    }

    pub(crate) fn expire_access_tokens(&mut self) {
        for token in self.access_tokens.values_mut() {
            token.force_expired = true;
        }
    }

    /// Every grant so far is revoked: its refresh tokens give AADSTS50173.
    pub(crate) fn revoke_grants(&mut self) {
        for grant in &mut self.grants {
            grant.revoked = true;
        }
    }

    /// Every grant so far has been inactive too long: its refresh tokens give AADSTS700082.
    pub(crate) fn expire_refresh_tokens(&mut self) {
        for grant in &mut self.grants {
            grant.refresh_expired = true;
        }
    }

    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        self.issued.clone()
    }
}

fn random_text(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(scope: &str) -> PendingCode {
        PendingCode {
            redirect_uri: "http://127.0.0.1:5000/".into(),
            challenge: "challenge".into(),
            scopes: Scopes::parse(scope),
            issued: Instant::now(),
            redeemed: false,
        }
    }

    #[test]
    fn scopes_read_short_and_full_forms() {
        let scopes = Scopes::parse(
            "offline_access https://graph.microsoft.com/User.Read Calendars.ReadWrite",
        );
        assert_eq!(
            scopes,
            Scopes {
                offline: true,
                calendars: true,
                user: true
            }
        );
        assert_eq!(Scopes::parse("openid profile"), Scopes::default());
    }

    #[test]
    fn codes_are_single_use_and_bound_to_redirect_and_challenge() {
        let mut credentials = Credentials::new();
        let code = credentials.issue_code(pending("offline_access Calendars.Read"));
        assert_eq!(
            credentials
                .redeem(&code, "http://127.0.0.1:5001/", "challenge")
                .err(),
            Some(REDIRECT_MISMATCH)
        );
        assert_eq!(
            credentials
                .redeem(&code, "http://127.0.0.1:5000/", "other")
                .err(),
            Some(VERIFIER_MISMATCH)
        );
        assert!(credentials
            .redeem(&code, "http://127.0.0.1:5000/", "challenge")
            .is_ok());
        assert_eq!(
            credentials
                .redeem(&code, "http://127.0.0.1:5000/", "challenge")
                .err(),
            Some(CODE_REDEEMED)
        );
        assert_eq!(
            credentials.redeem("nope", "x", "y").err(),
            Some(UNKNOWN_TOKEN)
        );
    }

    #[test]
    fn refresh_rotates_and_the_old_token_dies() {
        let mut credentials = Credentials::new();
        let code = credentials.issue_code(pending("offline_access Calendars.Read"));
        let first = credentials
            .redeem(&code, "http://127.0.0.1:5000/", "challenge")
            .expect("redeemed");
        let old = first.refresh_token.expect("refresh token");
        let second = credentials.refresh(&old).expect("refreshed");
        let new = second.refresh_token.expect("rotated");
        assert_ne!(old, new);
        assert_eq!(credentials.refresh(&old).err(), Some(EXPIRED_OR_CONSUMED));
        assert!(credentials.refresh(&new).is_ok());
    }

    #[test]
    fn no_offline_access_means_no_refresh_token() {
        let mut credentials = Credentials::new();
        let code = credentials.issue_code(pending("Calendars.Read"));
        let minted = credentials
            .redeem(&code, "http://127.0.0.1:5000/", "challenge")
            .expect("redeemed");
        assert!(minted.refresh_token.is_none());
    }
}
