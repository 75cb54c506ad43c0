-- Least-privilege grants for dbjobs (MariaDB 10.11 names; MySQL equivalents in comments).
--
-- Create the two users first, on every node, with passwords you keep in files
-- readable only by the services (deploy/install.sh does this for you):
--   CREATE USER 'dbjobs_agent'@'localhost' IDENTIFIED BY '...';
--   CREATE USER 'dbjobs_manager'@'<manager host>' IDENTIFIED BY '...';
-- Run this file with `sql_log_bin=0` on each node if the users are per node,
-- or once on the primary if they replicate. Replace the manager host below.
--
-- Why BINLOG ADMIN and READ_ONLY ADMIN: every write to the jobs table runs with
-- `SET SESSION sql_log_bin=0` (needs BINLOG ADMIN; SUPER before 10.5.2; MySQL:
-- SYSTEM_VARIABLES_ADMIN or SESSION_VARIABLES_ADMIN) and must work on a replica
-- with read_only=ON (needs READ_ONLY ADMIN since 10.11; SUPER before; MySQL:
-- CONNECTION_ADMIN or SUPER, and super_read_only must stay OFF on replicas).

-- ---------------------------------------------------------------------------
-- Agent: runs on the node, connects over the local socket or loopback.
-- ---------------------------------------------------------------------------
-- the jobs table (poll, claim, heartbeat, results)
GRANT SELECT, INSERT, UPDATE, DELETE ON replication_manager_schema.* TO 'dbjobs_agent'@'localhost';
GRANT BINLOG ADMIN, READ_ONLY ADMIN ON *.* TO 'dbjobs_agent'@'localhost';
-- optimize: OPTIMIZE/ANALYZE TABLE need SELECT and INSERT on the tables
GRANT SELECT, INSERT ON *.* TO 'dbjobs_agent'@'localhost';
-- backup-physical (mariadb-backup): BACKUP STAGE, log copy, replica position
GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, SLAVE MONITOR ON *.* TO 'dbjobs_agent'@'localhost';
-- backup-logical (the parallel dump: BACKUP STAGE needs RELOAD, SHOW MASTER STATUS needs
-- BINLOG MONITOR, both granted above; format=sql: mariadb-dump --single-transaction --routines
-- --triggers --events)
GRANT SHOW VIEW, TRIGGER, EVENT, EXECUTE ON *.* TO 'dbjobs_agent'@'localhost';
-- reseed-physical, reseed-logical, flashback: rebuilding a node replaces all of its
-- data, users and routines and repositions replication; that takes an
-- administrator. Grant it only on nodes you want to be reseedable:
-- GRANT ALL PRIVILEGES ON *.* TO 'dbjobs_agent'@'localhost';

-- ---------------------------------------------------------------------------
-- Manager: connects over the network to every node.
-- ---------------------------------------------------------------------------
-- creates the jobs schema on first contact, enqueues, cancels, reads results
GRANT SELECT, INSERT, UPDATE, CREATE ON replication_manager_schema.* TO 'dbjobs_manager'@'%';
GRANT BINLOG ADMIN, READ_ONLY ADMIN ON *.* TO 'dbjobs_manager'@'%';
-- topology and preflight: who is primary, binlogs still on the primary, replica lag
GRANT BINLOG MONITOR, SLAVE MONITOR ON *.* TO 'dbjobs_manager'@'%';
-- reseed --method logicalmaster: the manager dumps the primary itself (BACKUP STAGE needs RELOAD)
GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, EXECUTE, LOCK TABLES, RELOAD, PROCESS ON *.* TO 'dbjobs_manager'@'%';

-- ---------------------------------------------------------------------------
-- Scheduler store (only with scheduler.store: jdbc in manager.yml): one database on
-- one MySQL/MariaDB server shared by every manager, holding Quartz's QRTZ_ tables.
-- CREATE, INDEX and REFERENCES are needed only if dbjobs serve creates the tables
-- (scheduler.jdbc.createTables: true); otherwise create them with
-- `dbjobs serve --print-scheduler-ddl | mariadb dbjobs_scheduler` and grant the rest.
-- ---------------------------------------------------------------------------
-- CREATE DATABASE dbjobs_scheduler;
-- CREATE USER 'dbjobs_scheduler'@'<manager host>' IDENTIFIED BY '...';
-- GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, INDEX, REFERENCES ON dbjobs_scheduler.* TO 'dbjobs_scheduler'@'<manager host>';
