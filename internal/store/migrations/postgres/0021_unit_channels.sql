-- The group robots (DingTalk, WeCom) and the JSON webhook that a unit's
-- admin sets for the unit and its subtree (issue 12). Reminders of a unit
-- go to the nearest unit at or above it that has a row here; its
-- ancestors are the ids in its path, so that is one lookup by primary key.
CREATE TABLE unit_channels (
    unit_id         BIGINT PRIMARY KEY REFERENCES units(id),
    dingtalk_url    TEXT   NOT NULL DEFAULT '',
    dingtalk_secret TEXT   NOT NULL DEFAULT '',
    wecom_url       TEXT   NOT NULL DEFAULT '',
    webhook_url     TEXT   NOT NULL DEFAULT '',
    version         BIGINT NOT NULL DEFAULT 1,
    updated_at      BIGINT NOT NULL
);
