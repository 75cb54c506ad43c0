package io.dbjobs.agent.task.reseed.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DumpSplitterTest {
  /** What the splitter handed on: one entry per statement, then the unsplit rest if any. */
  static final class Recorder implements DumpSplitter.Handler {
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private StatementKind kind;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private final StatementKind stopAt;

    Recorder(StatementKind stopAt) {
      this.stopAt = stopAt;
    }

    @Override
    public boolean begin(StatementKind k, byte[] head, int length, boolean complete) {
      if (k == StatementKind.UNSPLITTABLE || k == stopAt) {
        events.add(k + " (stop)");
        return false;
      }
      kind = k;
      current.reset();
      current.write(head, 0, length);
      return true;
    }

    @Override
    public void more(byte[] bytes, int offset, int length) {
      current.write(bytes, offset, length);
    }

    @Override
    public void end() {
      events.add(kind + " " + current.toString(StandardCharsets.ISO_8859_1));
    }

    @Override
    public void raw(byte[] bytes, int offset, int length) {
      raw.write(bytes, offset, length);
    }
  }

  private static final String DUMP =
      String.join(
          "\n",
          "/*M!999999\\- enable the sandbox mode */ ",
          "-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB; with a ; in a comment",
          "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;",
          "/*!40101 SET NAMES utf8mb4 */;",
          "# a hash comment; still a comment",
          "/* a plain block comment; also dropped */",
          "/*!40103 SET TIME_ZONE='+00:00' */;",
          "-- SET GLOBAL gtid_slave_pos='0-1-8';",
          "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;",
          "USE `shop`;",
          "DROP TABLE IF EXISTS `t;1`;",
          "CREATE TABLE `t;1` (",
          "  `id` int NOT NULL, -- a column comment; with a semicolon",
          "  `s` varchar(20) # and a hash one;",
          ") ENGINE=InnoDB;",
          "LOCK TABLES `t;1` WRITE;",
          "/*!40000 ALTER TABLE `t;1` DISABLE KEYS */;",
          "INSERT INTO `t;1` VALUES (1,'a;b'),(2,'it\\'s; \\\\'),(3,'dq \"; x'),(4,'two''quotes;'),(5,\"d\\\";q\");",
          "INSERT INTO `t;1` VALUES (6,'-- not a comment;'),(7,'/* nor this; */'),(8,'# nor; this');",
          "/*!40000 ALTER TABLE `t;1` ENABLE KEYS */;",
          "UNLOCK TABLES;",
          "DELIMITER ;;",
          "/*!50003 CREATE*/ /*!50003 TRIGGER `tr` BEFORE INSERT ON `t;1` FOR EACH ROW BEGIN SET NEW.s = 'x;y'; SET NEW.id = NEW.id + 1; END */;;",
          "DELIMITER ;",
          "SET @x = 1, sql_mode = 'NO_AUTO_VALUE_ON_ZERO';",
          "SET GLOBAL gtid_slave_pos = '0-1-8';",
          "REPLACE INTO shop.t2 (a) VALUES (1);",
          "INSERT INTO t3 SELECT * FROM t2;",
          "-- Dump completed on 2026-11-23  6:48:10",
          "");

  private static List<String> split(String dump, int chunk) throws Exception {
    Recorder r = new Recorder(null);
    DumpSplitter s = new DumpSplitter(r);
    byte[] b = dump.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < b.length; i += chunk) {
      s.push(b, i, Math.min(chunk, b.length - i));
    }
    s.finish();
    return r.events;
  }

  @Test
  void splitsADumpAsTheClientDoesAndClassifiesEachStatement() throws Exception {
    assertThat(split(DUMP, 1 << 16))
        .containsExactly(
            "COMMAND /*M!999999\\- enable the sandbox mode */ ",
            "SESSION /*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;",
            "SESSION /*!40101 SET NAMES utf8mb4 */;",
            "SESSION /*!40103 SET TIME_ZONE='+00:00' */;",
            "OTHER CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;",
            "SESSION USE `shop`;",
            "OTHER DROP TABLE IF EXISTS `t;1`;",
            "OTHER CREATE TABLE `t;1` (\n  `id` int NOT NULL, -- a column comment; with a semicolon\n"
                + "  `s` varchar(20) # and a hash one;\n) ENGINE=InnoDB;",
            "LOCK LOCK TABLES `t;1` WRITE;",
            "OTHER /*!40000 ALTER TABLE `t;1` DISABLE KEYS */;",
            "DATA INSERT INTO `t;1` VALUES (1,'a;b'),(2,'it\\'s; \\\\'),(3,'dq \"; x'),"
                + "(4,'two''quotes;'),(5,\"d\\\";q\");",
            "DATA INSERT INTO `t;1` VALUES (6,'-- not a comment;'),(7,'/* nor this; */'),"
                + "(8,'# nor; this');",
            "OTHER /*!40000 ALTER TABLE `t;1` ENABLE KEYS */;",
            "LOCK UNLOCK TABLES;",
            "COMMAND DELIMITER ;;",
            "OTHER /*!50003 CREATE*/ /*!50003 TRIGGER `tr` BEFORE INSERT ON `t;1` FOR EACH ROW BEGIN"
                + " SET NEW.s = 'x;y'; SET NEW.id = NEW.id + 1; END */;;",
            "COMMAND DELIMITER ;",
            "SESSION SET @x = 1, sql_mode = 'NO_AUTO_VALUE_ON_ZERO';",
            "OTHER SET GLOBAL gtid_slave_pos = '0-1-8';",
            "DATA REPLACE INTO shop.t2 (a) VALUES (1);",
            "OTHER INSERT INTO t3 SELECT * FROM t2;");
  }

  @Test
  void mariadbsSixDigitExecutableCommentsAreSessionSettingsForEverySession() {
    // mariadb-dump --dump-history: every session must accept history rows
    assertThat(
            StatementKind.classify(
                "/*M!101100 SET @old_system_versioning_insert_history=@@session.system_versioning_insert_history,"
                    + " @@session.system_versioning_insert_history=1 */;",
                true,
                true))
        .isEqualTo(StatementKind.SESSION);
    assertThat(StatementKind.classify("/*M!100100 START TRANSACTION */;", true, true))
        .isEqualTo(StatementKind.UNSPLITTABLE);
  }

  @Test
  void givesTheSameStatementsWhateverTheChunksTheBytesArriveIn() throws Exception {
    List<String> whole = split(DUMP, 1 << 16);
    for (int chunk = 1; chunk <= 64; chunk++) {
      assertThat(split(DUMP, chunk)).as("chunks of %d bytes", chunk).isEqualTo(whole);
    }
  }

  @Test
  void streamsStatementsLongerThanItsHeadWithoutChangingAByte() throws Exception {
    StringBuilder rows = new StringBuilder("INSERT INTO `big` VALUES ");
    Random random = new Random(7);
    for (int i = 0; i < 5000; i++) {
      rows.append(i == 0 ? "" : ",").append("(").append(i).append(",'");
      for (int j = 0; j < 20; j++) {
        char c = "ab;'\\\"`#-/*\n".charAt(random.nextInt(12));
        rows.append(c == '\'' ? "\\'" : c == '\\' ? "\\\\" : String.valueOf(c));
      }
      rows.append("')");
    }
    rows.append(";");
    String dump = "SET NAMES utf8mb4;\n" + rows + "\nUNLOCK TABLES;\n";
    assertThat(rows.length()).isGreaterThan(10 * DumpSplitter.HEAD_LIMIT);
    for (int chunk : new int[] {7, 1000, 1 << 16}) {
      assertThat(split(dump, chunk))
          .containsExactly("SESSION SET NAMES utf8mb4;", "DATA " + rows, "LOCK UNLOCK TABLES;");
    }
  }

  @Test
  void passesTheRestThroughUnsplitFromAStatementItCannotFollow() throws Exception {
    String dump =
        "SET NAMES utf8mb4;\nINSERT INTO t VALUES (1);\n/*!40101 SET NAMES sjis */;\n"
            + "INSERT INTO t VALUES ('\\');\n";
    Recorder r = new Recorder(null);
    DumpSplitter s = new DumpSplitter(r);
    byte[] b = dump.getBytes(StandardCharsets.ISO_8859_1);
    s.push(b, 0, 30);
    s.push(b, 30, b.length - 30);
    s.finish();
    assertThat(r.events)
        .containsExactly(
            "SESSION SET NAMES utf8mb4;", "DATA INSERT INTO t VALUES (1);", "UNSPLITTABLE (stop)");
    assertThat(r.raw.toString(StandardCharsets.ISO_8859_1))
        .isEqualTo("/*!40101 SET NAMES sjis */;\nINSERT INTO t VALUES ('\\');\n");
    assertThat(s.splitting()).isFalse();
  }

  @Test
  void aDelimiterItCannotFollowStopsTheSplitToo() throws Exception {
    Recorder r = new Recorder(null);
    DumpSplitter s = new DumpSplitter(r);
    byte[] b = "USE `a`;\nDELIMITER '\nSELECT 1'\n".getBytes(StandardCharsets.ISO_8859_1);
    s.push(b, 0, b.length);
    s.finish();
    assertThat(r.events).containsExactly("SESSION USE `a`;", "UNSPLITTABLE (stop)");
    assertThat(r.raw.toString(StandardCharsets.ISO_8859_1)).isEqualTo("DELIMITER '\nSELECT 1'\n");
  }

  @Test
  void aHandlerThatDeclinesGetsTheRestRaw() throws Exception {
    Recorder r = new Recorder(StatementKind.OTHER);
    DumpSplitter s = new DumpSplitter(r);
    byte[] b =
        "USE `a`;\nCREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    s.push(b, 0, b.length);
    s.push(b, 0, 9);
    s.finish();
    assertThat(r.events).containsExactly("SESSION USE `a`;", "OTHER (stop)");
    assertThat(r.raw.toString(StandardCharsets.ISO_8859_1))
        .isEqualTo("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\nUSE `a`;\n");
  }

  @Test
  void aDumpCutInsideAStatementIsAnError() throws Exception {
    Recorder r = new Recorder(null);
    DumpSplitter s = new DumpSplitter(r);
    byte[] b =
        "SET NAMES utf8mb4;\nINSERT INTO t VALUES (1,'a;".getBytes(StandardCharsets.ISO_8859_1);
    s.push(b, 0, b.length);
    assertThatThrownBy(s::finish)
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("the dump ends inside a statement (statement 2");
  }

  @Test
  void classifiesSetStatementsByWhatTheyChange() {
    assertThat(StatementKind.classify("SET @a = 1;", true, true)).isEqualTo(StatementKind.SESSION);
    assertThat(StatementKind.classify("SET character_set_client = @saved_cs_client;", true, true))
        .isEqualTo(StatementKind.SESSION);
    assertThat(StatementKind.classify("SET @@GLOBAL.GTID_PURGED='x';", true, true))
        .isEqualTo(StatementKind.OTHER);
    assertThat(
            StatementKind.classify(
                "SET STATEMENT max_statement_time=1 FOR INSERT INTO t VALUES (1);", true, true))
        .isEqualTo(StatementKind.OTHER);
    assertThat(StatementKind.classify("SET NAMES big5;", true, true))
        .isEqualTo(StatementKind.UNSPLITTABLE);
    assertThat(StatementKind.classify("SET @a = 'very long", false, true))
        .isEqualTo(StatementKind.UNSPLITTABLE);
    assertThat(StatementKind.classify("INSERT IGNORE INTO `a`.`b` VALUES (1);", true, true))
        .isEqualTo(StatementKind.DATA);
    assertThat(StatementKind.classify("INSERT INTO t VALUES (1);", true, false))
        .isEqualTo(StatementKind.OTHER);
  }

  @Test
  void aDumpThatRunsItsOwnTransactionsIsNotSplit() {
    // mysqldump --no-autocommit: split, its rows would sit uncommitted in the worker sessions
    for (String sql :
        List.of(
            "set autocommit=0;",
            "SET @OLD_AUTOCOMMIT=@@AUTOCOMMIT, AUTOCOMMIT=0;",
            "commit;",
            "START TRANSACTION;",
            "BEGIN;",
            "/*!40101 ROLLBACK */;")) {
      assertThat(StatementKind.classify(sql, true, true))
          .as(sql)
          .isEqualTo(StatementKind.UNSPLITTABLE);
    }
    assertThat(StatementKind.classify("SET @begin = 1;", true, true))
        .isEqualTo(StatementKind.SESSION);
    assertThat(StatementKind.classify("COMMITTEE_ROWS_ARE_NOT_A_STATEMENT;", true, true))
        .isEqualTo(StatementKind.OTHER);
  }
}
