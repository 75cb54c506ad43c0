-- dbjobs jobs table, version 2: sealed jobs (docs/security.md).
--
-- The table is not a trust boundary: other accounts may INSERT or SELECT here,
-- and a row written with binary logging on replicates. So:
--   seal        the manager's MAC over node, id, idempotency key, task, params,
--               stream peer, wrapped secret and expiry, made with the node's job
--               key (kept in files outside the database). An agent runs a row
--               only if its seal verifies; anything else fails with
--               UNAUTHENTICATED_JOB and nothing else is done.
--   secret_box  the job's stream secret, encrypted with the node's job key: a
--               SELECT, or a physical backup of the node, gives nothing that
--               authenticates a stream. It replaces v1's clear stream_secret,
--               which this migration drops together with every secret in it.
--   node        the node the manager sealed the row for (for operators; the seal
--               is what binds it).
--   peer_name   the name the stream peer's TLS certificate must carry.
-- The manager applies this on first contact with a v1 table, with
-- sql_log_bin=0 and a short lock_wait_timeout (ALTER ... ADD/DROP COLUMN is
-- instant on MariaDB 10.11 and MySQL 8).
ALTER TABLE replication_manager_schema.jobs
  ADD COLUMN node       VARCHAR(64)  NOT NULL DEFAULT '' COMMENT 'node the manager sealed the job for',
  ADD COLUMN seal       VARCHAR(255) NULL COMMENT 'v1:<key id>:<expiry ms>:<mac>, made by the manager with the node job key',
  ADD COLUMN secret_box VARCHAR(255) NULL COMMENT 'stream secret encrypted with the node job key',
  ADD COLUMN peer_name  VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'name the stream peer TLS certificate must carry',
  DROP COLUMN stream_secret,
  COMMENT='dbjobs schema v2';
