-- dbjobs jobs table, version 1.
--
-- One table per database node. The manager applies this on first contact with a
-- node, with `SET SESSION sql_log_bin=0` (a node's jobs never replicate) and a
-- short `lock_wait_timeout` (it never waits behind a backup lock). It is applied
-- only when information_schema shows no table; the table comment carries the
-- schema version that later migrations (V2__...) check.
--
-- Columns id..end keep replication-manager's names and meanings so operators
-- recognise them; unlike replication-manager's one-row-per-task mailbox, every
-- job is its own row (a history).
--
-- state: 0 queued, 1 running, 2 waiting for stream (listener open),
--        3 finished (manager post-processing), 4 succeeded, 5 failed,
--        6 post-processing failed, 7 cancelled.
CREATE DATABASE IF NOT EXISTS replication_manager_schema;

CREATE TABLE IF NOT EXISTS replication_manager_schema.jobs (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  task             VARCHAR(64)   NOT NULL COMMENT 'task name, e.g. backup-physical',
  port             INT           NOT NULL DEFAULT 0 COMMENT 'stream peer port (0: no stream)',
  server           VARCHAR(255)  NOT NULL DEFAULT '' COMMENT 'stream peer host',
  done             TINYINT       NOT NULL DEFAULT 0 COMMENT '1 once the job reached a final state',
  state            TINYINT       NOT NULL DEFAULT 0,
  result           MEDIUMTEXT    NULL COMMENT 'human-readable outcome or error',
  start            DATETIME(3)   NULL,
  end              DATETIME(3)   NULL,
  idempotency_key  VARCHAR(191)  NOT NULL COMMENT 'set by the submitter; a second submit with the same key is the same job',
  params           MEDIUMTEXT    NOT NULL COMMENT 'JSON object of string parameters',
  stream_secret    CHAR(64)      NULL COMMENT 'hex per-job stream secret, only in the rows of the two ends',
  submitted_by     VARCHAR(255)  NOT NULL DEFAULT '',
  created          DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated          DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  attempts         INT           NOT NULL DEFAULT 0 COMMENT 'times an agent claimed the job',
  lease_owner      VARCHAR(255)  NULL COMMENT 'agent instance running the job',
  lease_expires    DATETIME(3)   NULL COMMENT 'server time; past it the agent is considered lost',
  cancel_requested TINYINT       NOT NULL DEFAULT 0,
  phase            VARCHAR(255)  NULL,
  bytes_done       BIGINT        NOT NULL DEFAULT 0,
  bytes_total      BIGINT        NULL,
  digest           CHAR(64)      NULL COMMENT 'SHA-256 (hex) of the streamed bytes',
  error_code       VARCHAR(64)   NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_jobs_idempotency_key (idempotency_key),
  KEY idx_jobs_state (state, id),
  KEY idx_jobs_task_state (task, state),
  KEY idx_jobs_lease (state, lease_expires)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='dbjobs schema v1';
