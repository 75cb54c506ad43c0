-- Least-privilege grants for dbjobs (MariaDB 10.11 names; MySQL equivalents in comments).
--
-- Create the two users first, on every node, with passwords you keep in files
-- readable only by the services (deploy/install.sh does this for you):
--   CREATE USER 'dbjobs_agent'@'localhost' IDENTIFIED BY '...';
--   CREATE USER 'dbjobs_manager'@'<manager host>' IDENTIFIED BY '...';
-- Run this file with `sql_log_bin=0` on each node if the users are per node,
-- or once on the primary if they replicate. Replace the manager host below.
--
-- Every grant says which task needs it. Neither user gets a write privilege on
-- the `mysql` schema (no INSERT, UPDATE or DELETE ON *.*): that, with RELOAD,
-- would let it grant itself anything. The one exception is the opt-in grant of
-- reseedable nodes below, which is an administrator by nature.
-- The test suite creates its users from this file (testkit DbUsers), so every
-- integration test runs with exactly these grants.
--
-- Why BINLOG ADMIN and READ_ONLY ADMIN: every write to the jobs table runs with
-- `SET SESSION sql_log_bin=0` (needs BINLOG ADMIN; SUPER before 10.5.2; MySQL:
-- SYSTEM_VARIABLES_ADMIN or SESSION_VARIABLES_ADMIN) and must work on a replica
-- with read_only=ON (needs READ_ONLY ADMIN since 10.11; SUPER before; MySQL:
-- CONNECTION_ADMIN or SUPER, and super_read_only must stay OFF on replicas).

-- ---------------------------------------------------------------------------
-- Agent: runs on the node, connects over the local socket or loopback.
-- ---------------------------------------------------------------------------
-- every task: the jobs table (poll, claim, heartbeat, results), not binary-logged, on read_only replicas
GRANT SELECT, INSERT, UPDATE, DELETE ON replication_manager_schema.* TO 'dbjobs_agent'@'localhost';
GRANT BINLOG ADMIN, READ_ONLY ADMIN ON *.* TO 'dbjobs_agent'@'localhost';
-- backup-logical: SELECT reads the tables and the routines (mysql.proc), SHOW VIEW, TRIGGER and
-- EVENT their definitions, BINLOG MONITOR the binary log position. format=sql (mariadb-dump
-- --single-transaction --master-data=2 --gtid --routines --triggers --events) takes that position
-- from its consistent snapshot; format=parts (the parallel dump) takes it under BACKUP STAGE
-- BLOCK_COMMIT, which needs RELOAD (granted below for mariadb-backup). SELECT ON *.* includes
-- mysql.*: back up only some databases and you can grant SELECT on those instead.
GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, BINLOG MONITOR ON *.* TO 'dbjobs_agent'@'localhost';
-- backup-physical (mariadb-backup --backup) and backup-logical format=parts: BACKUP STAGE needs
-- RELOAD; mariadb-backup refuses to
-- start without PROCESS; BINLOG MONITOR (above) gives the position.
-- errorlog, slowquery with rotate=true: FLUSH ERROR LOGS / FLUSH SLOW LOGS need RELOAD.
-- RELOAD also allows RESET MASTER and FLUSH PRIVILEGES, but without write access to mysql.* it
-- cannot change a grant. A node that never takes physical backups nor rotates logs can omit it.
GRANT RELOAD, PROCESS ON *.* TO 'dbjobs_agent'@'localhost';
-- optimize: OPTIMIZE / ANALYZE NO_WRITE_TO_BINLOG TABLE need SELECT and INSERT on each table.
-- Grant INSERT per database to optimize, never ON *.*; tables of other databases are skipped
-- (the job's result lists them). One line per database:
-- [per database to optimize] GRANT SELECT, INSERT ON `<database>`.* TO 'dbjobs_agent'@'localhost';
-- reseed-physical, reseed-logical, flashback: rebuilding a node replaces its data, routines, views,
-- events and triggers (a physical copy its users too) and repositions its replication. Loading a
-- dump takes the data and schema privileges on every database, SET USER for other definers; the
-- repositioning REPLICATION SLAVE ADMIN (CHANGE MASTER, START/STOP/RESET SLAVE, gtid_slave_pos),
-- RELOAD (RESET MASTER), SLAVE MONITOR (SHOW SLAVE STATUS), READ_ONLY ADMIN (read_only=1, above)
-- and, for flashback's temporary server_id, REPLICATION MASTER ADMIN. SUPER: with binary logging
-- on, creating a trigger or stored function (putting a schema's definitions back, or loading
-- them) is refused without it (error 1419), even with sql_log_bin=0, unless the server runs with
-- log_bin_trust_function_creators=1. Write access to every database includes mysql.*: an agent
-- that may reseed is an administrator of its node. Grant it only on nodes you want reseedable.
-- A function declared without DETERMINISTIC, NO SQL or READS SQL DATA loads on a server with
-- binary logging only with log_bin_trust_function_creators=1, whatever the privileges.
-- [reseedable nodes only] GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, CREATE TEMPORARY TABLES, LOCK TABLES, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, EXECUTE, EVENT, TRIGGER, SET USER, SUPER, RELOAD, REPLICATION SLAVE ADMIN, REPLICATION MASTER ADMIN, SLAVE MONITOR ON *.* TO 'dbjobs_agent'@'localhost';
-- recover: STOP/START SLAVE, CHANGE MASTER to the primary, gtid_slave_pos (REPLICATION SLAVE
-- ADMIN); every replication connection's state (SHOW ALL SLAVES STATUS: SLAVE MONITOR); read_only
-- back on (READ_ONLY ADMIN, above). The replication user itself needs REPLICATION CLIENT on the
-- primary for the manager's health checks of it.
GRANT REPLICATION SLAVE ADMIN, SLAVE MONITOR ON *.* TO 'dbjobs_agent'@'localhost';

-- The replication user the agents replicate as (reseed.replicationUser in agent.yml,
-- usually 'repl'): REPLICATION SLAVE, and REPLICATION CLIENT (= BINLOG MONITOR), which
-- recover needs to check the primary's binary logs before it changes anything:
--   GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@'%';

-- ---------------------------------------------------------------------------
-- Manager: connects over the network to every node.
-- ---------------------------------------------------------------------------
-- creates the jobs schema on first contact (CREATE) and upgrades an older jobs table in place
-- (ALTER: schema v1 -> v2 added the seal columns), enqueues, cancels, reads results
GRANT SELECT, INSERT, UPDATE, CREATE, ALTER ON replication_manager_schema.* TO 'dbjobs_manager'@'%';
GRANT BINLOG ADMIN, READ_ONLY ADMIN ON *.* TO 'dbjobs_manager'@'%';
-- topology, health and preflight: who is primary, every replication connection
-- (SHOW ALL SLAVES STATUS), binlogs still on the primary, replica lag
GRANT BINLOG MONITOR, SLAVE MONITOR ON *.* TO 'dbjobs_manager'@'%';
-- reseed --method logicalmaster: the manager dumps the primary itself, in parallel sessions from
-- one snapshot taken under BACKUP STAGE BLOCK_COMMIT (RELOAD), and checks which tables have rows
-- (SELECT); no LOCK TABLES or PROCESS
GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, RELOAD ON *.* TO 'dbjobs_manager'@'%';

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
