-- What identifies an account to its owner beyond its name, safe to show: for an ICS
-- subscription, its redacted address (the full address is a secret and lives in the keychain).
ALTER TABLE accounts ADD COLUMN detail TEXT;
