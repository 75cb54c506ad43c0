package io.dbjobs.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

/**
 * A schema that exercises what a backup or reseed must carry over: InnoDB, MyISAM and Aria tables,
 * partitions, stored and virtual generated columns, binary and Unicode data, a view, a procedure, a
 * function, a trigger and an event.
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
        "CALL " + s + ".add_customer('via procedure')");
  }

  /** Asserts the view, routines, trigger and event exist on {@code server} and work. */
  public static void assertObjectsPresent(DbServer server) {
    String s = SCHEMA;
    assertEquals(
        List.of("v_customers"),
        server.column(
            "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA='" + s + "'"),
        server.name() + ": views");
    assertEquals(
        List.of("add_customer PROCEDURE", "greet FUNCTION"),
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
        List.of("purge_old"),
        server.column(
            "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA='" + s + "'"),
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
  }
}
