package io.dbjobs.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/**
 * A schema that exercises what a backup or reseed must carry over: InnoDB, MyISAM and Aria tables,
 * a table whose name holds a comment start, quotes and a semicolon, partitions, stored and virtual
 * generated columns, invisible columns, a table without a primary key, foreign keys, binary (with
 * tab, newline, backslash, CR and NUL bytes) and 4-byte Unicode data, per-column character sets,
 * JSON, spatial, BIT, INET6 and UUID values, a system-versioned table with history, a sequence that
 * was used, a table big enough to be dumped in chunks, views (one on another and on a function,
 * created in the reverse of alphabetical order; one whose definer exists only on the primary),
 * procedures, a function, a trigger and events (one disabled, one enabled).
 */
public final class FidelityData {
  public static final String SCHEMA = "fidelity";

  private FidelityData() {}

  /** Creates the schema on {@code primary} (replicated like any other write). */
  public static void create(DbServer primary) {
    String s = SCHEMA;
    primary.execute(
        "CREATE DATABASE " + s + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        "CREATE TABLE "
            + s
            + ".customers (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100) NOT NULL,"
            + " photo BLOB, greeting VARCHAR(120) AS (CONCAT('Dear ', name)) STORED,"
            + " name_len INT AS (CHAR_LENGTH(name)) VIRTUAL) ENGINE=InnoDB",
        "INSERT INTO "
            + s
            + ".customers (name, photo) VALUES"
            + " ('Zoë Ünïcödé ✓', UNHEX('00FF7F80010203')),"
            + " ('日本語のテキスト', UNHEX('DEADBEEF00')),"
            + " ('emoji 🐬🦭', NULL),"
            + " ('quote '' and backslash \\\\', REPEAT(UNHEX('00'), 300))",
        "CREATE TABLE "
            + s
            + ".visits (id INT NOT NULL, at DATE NOT NULL, PRIMARY KEY (id, at))"
            + " ENGINE=InnoDB PARTITION BY RANGE (YEAR(at))"
            + " (PARTITION p2025 VALUES LESS THAN (2026), PARTITION pmax VALUES LESS THAN MAXVALUE)",
        "INSERT INTO " + s + ".visits VALUES (1,'2025-05-01'),(2,'2026-11-23'),(3,'2031-01-01')",
        "CREATE TABLE " + s + ".legacy_myisam (id INT PRIMARY KEY, note TEXT) ENGINE=MyISAM",
        "INSERT INTO " + s + ".legacy_myisam VALUES (1,'myisam row ✓'),(2,NULL)",
        "CREATE TABLE " + s + ".legacy_aria (id INT PRIMARY KEY, note TEXT) ENGINE=Aria",
        "INSERT INTO " + s + ".legacy_aria VALUES (1,'aria row ✓')",
        "CREATE TABLE "
            + s
            + ".audit (id INT PRIMARY KEY AUTO_INCREMENT, what VARCHAR(200)) ENGINE=InnoDB",
        "CREATE VIEW " + s + ".v_customers AS SELECT id, name, greeting FROM " + s + ".customers",
        "CREATE PROCEDURE "
            + s
            + ".add_customer(IN n VARCHAR(100)) INSERT INTO "
            + s
            + ".customers (name) VALUES (n)",
        "CREATE FUNCTION "
            + s
            + ".greet(n VARCHAR(50)) RETURNS VARCHAR(60) DETERMINISTIC RETURN CONCAT('hi ', n)",
        "CREATE TRIGGER "
            + s
            + ".customers_ai AFTER INSERT ON "
            + s
            + ".customers FOR EACH ROW"
            + " INSERT INTO "
            + s
            + ".audit (what) VALUES (CONCAT('added ', NEW.id))",
        "CREATE EVENT "
            + s
            + ".purge_old ON SCHEDULE EVERY 1 DAY DISABLE DO"
            + " DELETE FROM "
            + s
            + ".visits WHERE at < '2000-01-01'",
        "CALL " + s + ".add_customer('via procedure')",
        "CREATE TABLE "
            + s
            + ".kinds (id INT PRIMARY KEY, j JSON, g GEOMETRY, p POINT NOT NULL, b BIT(10),"
            + " ip INET6, u UUID, secret VARCHAR(20) INVISIBLE,"
            + " l VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_german2_ci,"
            + " m3 VARCHAR(20) CHARACTER SET utf8mb3 COLLATE utf8mb3_bin, raw VARBINARY(40),"
            + " ts TIMESTAMP(6) NULL, d DOUBLE, dc DECIMAL(30,10), e ENUM('x','y'),"
            + " st SET('a','b'), y YEAR, tm TIME(3), SPATIAL INDEX (p)) ENGINE=InnoDB",
        "INSERT INTO "
            + s
            + ".kinds (id, j, g, p, b, ip, u, secret, l, m3, raw, ts, d, dc, e, st, y, tm) VALUES"
            + " (1, '{\"k\": [1, \"ü\", null]}', ST_GeomFromText('POLYGON((0 0,3 0,3 3,0 0))'),"
            + " POINT(1.5, -2.25), b'1010101011', '2001:db8::1',"
            + " '123e4567-e89b-12d3-a456-426655440000', 'hidden ✓', 'Straße', 'mb3 ✓',"
            + " UNHEX('0009000A5C0D4E2722'), '2024-02-29 23:59:59.123456', 1.0E-300,"
            + " 12345678901234567890.0123456789, 'y', 'a,b', 2024, '-838:59:59.000'),"
            + " (2, NULL, NULL, POINT(0, 0), NULL, NULL, NULL, NULL, '', '', '', NULL, NULL, NULL,"
            + " NULL, '', NULL, NULL)",
        // a name that is a comment, a quote and a statement end unless quoted right
        "CREATE TABLE " + s + ".`-- it's \"odd\"; x` (id INT PRIMARY KEY, v VARCHAR(20))",
        "INSERT INTO " + s + ".`-- it's \"odd\"; x` VALUES (1, 'odd ✓'), (2, NULL)",
        "CREATE TABLE " + s + ".no_pk (a INT, b VARCHAR(20)) ENGINE=InnoDB",
        "INSERT INTO " + s + ".no_pk VALUES (1, 'one'), (1, 'one'), (NULL, NULL), (2, '\\N')",
        "CREATE TABLE " + s + ".b_parent (id INT PRIMARY KEY) ENGINE=InnoDB",
        "INSERT INTO " + s + ".b_parent VALUES (10), (20)",
        "CREATE TABLE "
            + s
            + ".a_child (id INT PRIMARY KEY, parent_id INT NOT NULL, FOREIGN KEY (parent_id)"
            + " REFERENCES "
            + s
            + ".b_parent (id) ON DELETE CASCADE) ENGINE=InnoDB",
        "INSERT INTO " + s + ".a_child VALUES (1, 10), (2, 10), (3, 20)",
        "CREATE TABLE " + s + ".history (id INT PRIMARY KEY, v VARCHAR(20)) WITH SYSTEM VERSIONING",
        "INSERT INTO " + s + ".history VALUES (1, 'first'), (2, 'second'), (3, 'third')",
        "UPDATE " + s + ".history SET v = 'first, changed' WHERE id = 1",
        "DELETE FROM " + s + ".history WHERE id = 2",
        "CREATE SEQUENCE " + s + ".order_ids START WITH 100 INCREMENT BY 5 CACHE 10",
        "SELECT NEXTVAL(" + s + ".order_ids), NEXTVAL(" + s + ".order_ids)",
        "CREATE TABLE " + s + ".numbers (id INT PRIMARY KEY, v VARCHAR(40), KEY (v)) ENGINE=InnoDB",
        "INSERT INTO "
            + s
            + ".numbers SELECT seq, CONCAT('number ', seq) FROM "
            + s
            + ".seq_1_to_20000",
        "ANALYZE TABLE " + s + ".numbers",
        "CREATE VIEW "
            + s
            + ".z_base AS SELECT id, name FROM "
            + s
            + ".customers WHERE name LIKE 'via %'",
        "CREATE VIEW "
            + s
            + ".a_top AS SELECT id, "
            + s
            + ".greet(name) AS hello FROM "
            + s
            + ".z_base",
        "CREATE EVENT "
            + s
            + ".tick ON SCHEDULE EVERY 1 DAY STARTS '2037-01-01 00:00:00' ENABLE DO"
            + " DELETE FROM "
            + s
            + ".audit WHERE id < 0");
    // a definer that exists only on the primary (not replicated): the replicas, and a joiner,
    // hold its view and procedure without the user
    primary.execute(
        "SET SESSION sql_log_bin = 0",
        "CREATE USER IF NOT EXISTS 'fidelity_owner'@'localhost'",
        "GRANT SELECT, EXECUTE ON " + s + ".* TO 'fidelity_owner'@'localhost'",
        "SET SESSION sql_log_bin = 1",
        "CREATE DEFINER = 'fidelity_owner'@'localhost' SQL SECURITY DEFINER VIEW "
            + s
            + ".v_owned AS SELECT id FROM "
            + s
            + ".customers",
        "CREATE DEFINER = 'fidelity_owner'@'localhost' PROCEDURE "
            + s
            + ".owned_proc() SELECT COUNT(*) FROM "
            + s
            + ".customers");
  }

  /**
   * Asserts {@code other} holds what {@code primary} holds beyond what table checksums compare: the
   * system-versioned table's history (row_start/row_end included), the sequence's state, each
   * column's character set and collation, every object's definer, and the events' status as a
   * replica has them.
   */
  public static void assertSameAs(DbServer primary, DbServer other) {
    String s = SCHEMA;
    List<String> queries =
        List.of(
            "SELECT CONCAT_WS('|', id, v, ROW_START, ROW_END) FROM "
                + s
                + ".history FOR SYSTEM_TIME ALL ORDER BY id, ROW_START",
            "SELECT CONCAT_WS('|', next_not_cached_value, cycle_count) FROM " + s + ".order_ids",
            "SELECT CONCAT_WS('|', TABLE_NAME, COLUMN_NAME, COLUMN_TYPE,"
                + " IFNULL(CHARACTER_SET_NAME, '-'), IFNULL(COLLATION_NAME, '-'), EXTRA)"
                + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '"
                + s
                + "' ORDER BY TABLE_NAME, ORDINAL_POSITION",
            "SELECT CONCAT_WS('|', TABLE_NAME, DEFINER, SECURITY_TYPE, VIEW_DEFINITION)"
                + " FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '"
                + s
                + "' ORDER BY 1",
            "SELECT CONCAT_WS('|', ROUTINE_NAME, DEFINER, SQL_MODE, ROUTINE_DEFINITION)"
                + " FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '"
                + s
                + "' ORDER BY 1",
            "SELECT CONCAT_WS('|', TRIGGER_NAME, DEFINER, ACTION_STATEMENT)"
                + " FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '"
                + s
                + "' ORDER BY 1",
            "SELECT CONCAT_WS('|', TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE,"
                + " INDEX_TYPE) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '"
                + s
                + "' ORDER BY 1",
            "SELECT CONCAT_WS('|', CONSTRAINT_NAME, TABLE_NAME, REFERENCED_TABLE_NAME, DELETE_RULE)"
                + " FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '"
                + s
                + "' ORDER BY 1",
            "SELECT CONCAT_WS('|', id, HEX(j), HEX(g), HEX(p), HEX(b), ip, u, secret, HEX(l),"
                + " HEX(m3), HEX(raw), ts, d, dc, e, st, y, tm) FROM "
                + s
                + ".kinds ORDER BY id",
            "SELECT CONCAT_WS('|', IFNULL(a, 'null'), IFNULL(b, 'null')) FROM "
                + s
                + ".no_pk ORDER BY 1");
    for (String q : queries) {
      assertEquals(
          primary.column(q), other.column(q), other.name() + " vs " + primary.name() + ": " + q);
    }
    // a disabled event is DISABLED or SLAVESIDE_DISABLED on a replica (by what it was copied
    // from); one enabled on the primary must be SLAVESIDE_DISABLED, never enabled
    List<String> events =
        other.column(
            "SELECT CONCAT(EVENT_NAME, ' ', STATUS) FROM information_schema.EVENTS"
                + " WHERE EVENT_SCHEMA = '"
                + s
                + "' ORDER BY 1");
    assertEquals(2, events.size(), other.name() + ": events " + events);
    assertTrue(
        events.get(0).equals("purge_old DISABLED")
            || events.get(0).equals("purge_old SLAVESIDE_DISABLED"),
        other.name() + ": events " + events);
    assertEquals("tick SLAVESIDE_DISABLED", events.get(1), other.name() + ": events " + events);
  }

  /** Asserts the view, routines, trigger and event exist on {@code server} and work. */
  public static void assertObjectsPresent(DbServer server) {
    String s = SCHEMA;
    assertEquals(
        List.of("a_top", "v_customers", "v_owned", "z_base"),
        server.column(
            "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA='"
                + s
                + "' ORDER BY 1"),
        server.name() + ": views");
    assertEquals(
        List.of("add_customer PROCEDURE", "greet FUNCTION", "owned_proc PROCEDURE"),
        server.column(
            "SELECT CONCAT(ROUTINE_NAME, ' ', ROUTINE_TYPE) FROM information_schema.ROUTINES"
                + " WHERE ROUTINE_SCHEMA='"
                + s
                + "' ORDER BY ROUTINE_NAME"),
        server.name() + ": routines");
    assertEquals(
        List.of("customers_ai"),
        server.column(
            "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='"
                + s
                + "'"),
        server.name() + ": triggers");
    assertEquals(
        List.of("purge_old", "tick"),
        server.column(
            "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA='"
                + s
                + "' ORDER BY 1"),
        server.name() + ": events");
    assertEquals(
        "hi there",
        server.value("SELECT " + s + ".greet('there')"),
        server.name() + ": function works");
    assertEquals(
        "Dear Zoë Ünïcödé ✓",
        server.value("SELECT greeting FROM " + s + ".v_customers WHERE id=1"),
        server.name() + ": view, generated column and Unicode");
    assertEquals(
        "00FF7F80010203",
        server.value("SELECT HEX(photo) FROM " + s + ".customers WHERE id=1"),
        server.name() + ": binary data");
    assertEquals(
        "2",
        server.value(
            "SELECT COUNT(*) FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA='"
                + s
                + "' AND TABLE_NAME='visits' AND PARTITION_NAME IS NOT NULL"),
        server.name() + ": partitions");
    assertEquals(
        "hi via procedure",
        server.value("SELECT hello FROM " + s + ".a_top"),
        server.name() + ": a view on a view and a function");
    assertEquals(
        List.of("order_ids"),
        server.column(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE='SEQUENCE'"
                + " AND TABLE_SCHEMA='"
                + s
                + "'"),
        server.name() + ": sequences");
    assertEquals(
        "20000",
        server.value("SELECT COUNT(*) FROM " + s + ".numbers"),
        server.name() + ": the chunked table");
  }
}
