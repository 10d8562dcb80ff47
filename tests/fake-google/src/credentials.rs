//! The OAuth grant store: authorization codes, grants, access and refresh tokens, revocation.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::distr::{Alphanumeric, SampleString};

/// The OAuth client registered from the start (a desktop client).
pub const CLIENT_ID: &str = "test-client.apps.googleusercontent.com";
/// The secret of [`CLIENT_ID`].
pub const CLIENT_SECRET: &str = "test-secret";

/// How long an authorization code can be exchanged.
const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// What the simulated user answers on the consent screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Consent {
    /// The user grants access: redirect with a code.
    #[default]
    Approve,
    /// The user refuses: redirect with `error=access_denied`.
    Deny,
}

/// How the PKCE challenge was derived from the verifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChallengeMethod {
    Plain,
    S256,
}

/// An authorization code waiting to be exchanged.
pub(crate) struct PendingCode {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) challenge: String,
    pub(crate) method: ChallengeMethod,
    pub(crate) scope: String,
    pub(crate) offline: bool,
    pub(crate) issued: Instant,
}

impl PendingCode {
    pub(crate) fn expired(&self) -> bool {
        self.issued.elapsed() > CODE_LIFETIME
    }
}

/// One user consent: the refresh token and the access tokens minted from it.
struct Grant {
    client_id: String,
    scope: String,
    revoked_by_endpoint: bool,
    refresh_revoked: bool,
}

struct AccessToken {
    grant: usize,
    issued: Instant,
    lifetime: i64,
    force_expired: bool,
}

/// A freshly minted token pair, as the token endpoint reports it.
pub(crate) struct Minted {
    pub(crate) access_token: String,
    pub(crate) expires_in: i64,
    pub(crate) refresh_token: Option<String>,
    pub(crate) scope: String,
}

/// Why a refresh was refused.
pub(crate) enum RefreshError {
    /// Unknown, revoked or expired: `invalid_grant`.
    InvalidGrant,
    /// The token belongs to another client: `unauthorized_client`.
    WrongClient,
}

pub(crate) struct Credentials {
    pub(crate) consent: Consent,
    access_lifetime: i64,
    pub(crate) codes: HashMap<String, PendingCode>,
    grants: Vec<Grant>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, usize>,
    issued: Vec<String>,
    /// Every refresh issues a new refresh token and retires the one used, as Microsoft's
    /// identity platform does (Google keeps one refresh token per grant).
    pub(crate) rotate_refresh_tokens: bool,
}

impl Credentials {
    pub(crate) fn new() -> Self {
        Credentials {
            consent: Consent::Approve,
            access_lifetime: 3599,
            codes: HashMap::new(),
            grants: Vec::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            issued: Vec::new(),
            rotate_refresh_tokens: false,
        }
    }

    pub(crate) fn set_access_lifetime(&mut self, secs: i64) {
        self.access_lifetime = secs;
    }

    /// Stores a new authorization code and returns it.
    pub(crate) fn issue_code(&mut self, pending: PendingCode) -> String {
        let code = format!("4/0A{}", random_text(70));
        self.codes.insert(code.clone(), pending);
        code
    }

    /// Starts a grant from an exchanged code.
    pub(crate) fn grant(&mut self, code: &PendingCode) -> Minted {
        let grant = self.grants.len();
        self.grants.push(Grant {
            client_id: code.client_id.clone(),
            scope: code.scope.clone(),
            revoked_by_endpoint: false,
            refresh_revoked: false,
        });
        let refresh_token = code.offline.then(|| self.mint_refresh(grant));
        let mut minted = self.mint_access(grant);
        minted.refresh_token = refresh_token;
        minted
    }

    /// A new access token from a refresh token.
    pub(crate) fn refresh(&mut self, token: &str, client_id: &str) -> Result<Minted, RefreshError> {
        let grant = *self.refresh.get(token).ok_or(RefreshError::InvalidGrant)?;
        let record = &self.grants[grant];
        if record.revoked_by_endpoint || record.refresh_revoked {
            return Err(RefreshError::InvalidGrant);
        }
        if record.client_id != client_id {
            return Err(RefreshError::WrongClient);
        }
        let mut minted = self.mint_access(grant);
        if self.rotate_refresh_tokens {
            self.refresh.remove(token);
            minted.refresh_token = Some(self.mint_refresh(grant));
        }
        Ok(minted)
    }

    fn mint_refresh(&mut self, grant: usize) -> String {
        let token = format!("1//0{}", random_text(100));
        self.refresh.insert(token.clone(), grant);
        self.issued.push(token.clone());
        token
    }

    fn mint_access(&mut self, grant: usize) -> Minted {
        let token = format!("ya29.a0{}", random_text(150));
        self.access.insert(
            token.clone(),
            AccessToken {
                grant,
                issued: Instant::now(),
                lifetime: self.access_lifetime,
                force_expired: false,
            },
        );
        self.issued.push(token.clone());
        Minted {
            access_token: token,
            expires_in: self.access_lifetime.max(0),
            refresh_token: None,
            scope: self.grants[grant].scope.clone(),
        }
    }

    /// Whether `token` is a live access token.
    pub(crate) fn access_valid(&self, token: &str) -> bool {
        let Some(access) = self.access.get(token) else {
            return false;
        };
        let age = access.issued.elapsed().as_secs_f64();
        !access.force_expired
            && !self.grants[access.grant].revoked_by_endpoint
            && age < access.lifetime as f64
    }

    pub(crate) fn expire_access_tokens(&mut self) {
        for access in self.access.values_mut() {
            access.force_expired = true;
        }
    }

    pub(crate) fn revoke_refresh_tokens(&mut self) {
        for grant in &mut self.grants {
            grant.refresh_revoked = true;
        }
    }

    fn grant_of(&self, token: &str) -> Option<usize> {
        self.refresh
            .get(token)
            .copied()
            .or_else(|| self.access.get(token).map(|access| access.grant))
    }

    /// Revokes the grant behind an access or refresh token; false if it was unknown or already revoked.
    pub(crate) fn revoke(&mut self, token: &str) -> bool {
        match self.grant_of(token) {
            Some(grant) if !self.grants[grant].revoked_by_endpoint => {
                self.grants[grant].revoked_by_endpoint = true;
                true
            }
            _ => false,
        }
    }

    pub(crate) fn is_revoked(&self, token: &str) -> bool {
        self.grant_of(token)
            .is_some_and(|grant| self.grants[grant].revoked_by_endpoint)
    }

    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        self.issued.clone()
    }
}

fn random_text(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}
