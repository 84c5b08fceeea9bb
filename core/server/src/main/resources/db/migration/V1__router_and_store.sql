-- Sabir schema, version 1. Portable SQL: valid for SQLite and PostgreSQL alike.
-- No auto-increment columns: ids are handed out from the sequences table by the server.

-- Small per-scope key-value maps (KeyValueStore of each account).
CREATE TABLE kv (
    scope VARCHAR(200) NOT NULL,
    k VARCHAR(1000) NOT NULL,
    v TEXT NOT NULL,
    PRIMARY KEY (scope, k)
);

-- Named counters; the server reserves blocks of ids from them.
CREATE TABLE sequences (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    next_value BIGINT NOT NULL
);

INSERT INTO sequences (name, next_value) VALUES ('delivery', 1);

-- Links created at runtime (links from the config file are not stored).
CREATE TABLE links (
    name VARCHAR(200) NOT NULL PRIMARY KEY,
    format TEXT,
    options TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE link_members (
    link_name VARCHAR(200) NOT NULL REFERENCES links (name) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    address VARCHAR(1200) NOT NULL,
    PRIMARY KEY (link_name, position)
);

-- Durable deliveries: written before they are attempted, marked done or dropped afterwards.
-- dedupe is the SHA-256 (hex) of source endpoint, source message id and destination endpoint.
CREATE TABLE deliveries (
    id BIGINT NOT NULL PRIMARY KEY,
    dedupe CHAR(64) NOT NULL UNIQUE,
    target TEXT NOT NULL,
    dest_account VARCHAR(300) NOT NULL,
    destination VARCHAR(1200) NOT NULL,
    source VARCHAR(1200) NOT NULL,
    source_key TEXT NOT NULL,
    source_id VARCHAR(1100) NOT NULL,
    link_name VARCHAR(200) NOT NULL,
    format TEXT NOT NULL,
    event TEXT NOT NULL,
    state VARCHAR(16) NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX deliveries_by_state ON deliveries (state, id);

-- Cross-network message ids: the message (src_key, src_id) was delivered to dst_key as dst_id.
-- origin = SHA-256(src_key, src_id), dst = SHA-256(dst_key), rev = SHA-256(dst_key, dst_id).
CREATE TABLE message_map (
    origin CHAR(64) NOT NULL,
    dst CHAR(64) NOT NULL,
    rev CHAR(64) NOT NULL,
    src_key TEXT NOT NULL,
    src_id VARCHAR(1100) NOT NULL,
    dst_key TEXT NOT NULL,
    dst_id VARCHAR(1100) NOT NULL,
    nick VARCHAR(300) NOT NULL,
    excerpt TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (origin, dst)
);

CREATE INDEX message_map_by_rev ON message_map (rev);
