-- API tokens expire and can be revoked (issue 11): their owner or an administrator lists and
-- revokes them; a token past `expires_at` or with `revoked_at` set no longer signs in.
ALTER TABLE api_token ADD COLUMN expires_at TEXT;
ALTER TABLE api_token ADD COLUMN revoked_at TEXT;
