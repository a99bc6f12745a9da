-- A TOTP code is accepted once: the time step (Unix time / 30 s) of the last
-- code accepted for each user, in the database so that every process behind
-- a load balancer refuses a code another one has already taken.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
