-- Sabir schema, version 2. Portable SQL (SQLite 3.35+ and PostgreSQL alike).
-- Ids, nicks and conversation addresses come from chat networks, which do not bound their length
-- the way V1 assumed. SQLite never enforced VARCHAR lengths; PostgreSQL does, so these columns
-- become TEXT. Changing a column's type is not portable, hence: add a TEXT column, copy, drop the
-- old one, rename. None of these columns is indexed.

ALTER TABLE deliveries ADD COLUMN source_id_text TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET source_id_text = source_id;
ALTER TABLE deliveries DROP COLUMN source_id;
ALTER TABLE deliveries RENAME COLUMN source_id_text TO source_id;

ALTER TABLE deliveries ADD COLUMN destination_text TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET destination_text = destination;
ALTER TABLE deliveries DROP COLUMN destination;
ALTER TABLE deliveries RENAME COLUMN destination_text TO destination;

ALTER TABLE deliveries ADD COLUMN source_text TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET source_text = source;
ALTER TABLE deliveries DROP COLUMN source;
ALTER TABLE deliveries RENAME COLUMN source_text TO source;

ALTER TABLE message_map ADD COLUMN src_id_text TEXT NOT NULL DEFAULT '';
UPDATE message_map SET src_id_text = src_id;
ALTER TABLE message_map DROP COLUMN src_id;
ALTER TABLE message_map RENAME COLUMN src_id_text TO src_id;

ALTER TABLE message_map ADD COLUMN dst_id_text TEXT NOT NULL DEFAULT '';
UPDATE message_map SET dst_id_text = dst_id;
ALTER TABLE message_map DROP COLUMN dst_id;
ALTER TABLE message_map RENAME COLUMN dst_id_text TO dst_id;

ALTER TABLE message_map ADD COLUMN nick_text TEXT NOT NULL DEFAULT '';
UPDATE message_map SET nick_text = nick;
ALTER TABLE message_map DROP COLUMN nick;
ALTER TABLE message_map RENAME COLUMN nick_text TO nick;

ALTER TABLE link_members ADD COLUMN address_text TEXT NOT NULL DEFAULT '';
UPDATE link_members SET address_text = address;
ALTER TABLE link_members DROP COLUMN address;
ALTER TABLE link_members RENAME COLUMN address_text TO address;
