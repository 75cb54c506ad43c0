package io.dbjobs.agent.task.reseed.load;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a statement of a SQL dump is, for the parallel load: rows that any session may insert, a
 * session setting every session must follow, a table lock the parallel load does without, or
 * anything else, which runs in order on the main session. Decided from the statement's first bytes
 * only; when in doubt the answer is {@link #OTHER} (safe: in order), and when the dump does
 * something the split cannot follow safely, {@link #UNSPLITTABLE} (the rest loads in one session).
 */
enum StatementKind {
  /** {@code INSERT [IGNORE] INTO t ... VALUES} or {@code REPLACE INTO}: any worker session. */
  DATA,
  /** A session-only {@code SET} or {@code USE}: every session runs it. */
  SESSION,
  /** {@code LOCK TABLES} / {@code UNLOCK TABLES}: skipped (they would block the other sessions). */
  LOCK,
  /** A client command line ({@code DELIMITER}, the sandbox-mode line): the main session. */
  COMMAND,
  /** Everything else: the main session, once every worker has finished what it was given. */
  OTHER,
  /**
   * Cannot be split safely (a multi-byte charset, an odd delimiter, an unreadable SET, a dump that
   * runs its own transactions: {@code SET autocommit}, {@code START TRANSACTION}, {@code COMMIT}).
   */
  UNSPLITTABLE;

  private static final Pattern DATA_HEAD =
      Pattern.compile(
          "^(?:INSERT(?:\\s+IGNORE)?\\s+INTO|REPLACE\\s+INTO)\\s+"
              + "(?:`(?:[^`]|``)+`|\\w+)(?:\\.(?:`(?:[^`]|``)+`|\\w+))?\\s*(?:\\(|VALUES\\b)",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern LOCK_HEAD =
      Pattern.compile("^(?:UN)?LOCK\\s+TABLES?\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern SET_HEAD =
      Pattern.compile("^(?:/\\*M?!\\d{5,6}\\s*)?SET\\s", Pattern.CASE_INSENSITIVE);
  private static final Pattern USE_HEAD = Pattern.compile("^USE\\s", Pattern.CASE_INSENSITIVE);

  /**
   * A dump that manages transactions itself (e.g. {@code mysqldump --no-autocommit}): split, its
   * rows would stay uncommitted in worker sessions, or be committed out of order.
   */
  private static final Pattern TRANSACTION_HEAD =
      Pattern.compile(
          "^(?:/\\*M?!\\d{5,6}\\s*)?(?:START\\s+TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|XA)\\b",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern SETS_AUTOCOMMIT =
      Pattern.compile("\\bautocommit\\b", Pattern.CASE_INSENSITIVE);

  /** SET forms that are not (only) session state: they run once, on the main session. */
  private static final Pattern SET_NOT_SESSION =
      Pattern.compile(
          "\\b(?:GLOBAL|STATEMENT|PASSWORD|ROLE|TRANSACTION)\\b", Pattern.CASE_INSENSITIVE);

  /** A change of the client character set: {@code NAMES x}, {@code CHARACTER SET x}, ... */
  private static final Pattern CHARSET_CHANGE =
      Pattern.compile(
          "\\b(?:NAMES|CHARACTER\\s+SET|CHARSET|character_set_client)\\s*(?:=\\s*)?([@'\"`\\w]+)",
          Pattern.CASE_INSENSITIVE);

  /**
   * Character sets in which a quote or a backslash byte is always that character, never part of a
   * multi-byte one, so the split finds statement ends as the server does. (Not so in big5, cp932,
   * gbk, sjis, gb18030: there the dump loads in one session.)
   */
  private static final Set<String> SAFE_CHARSETS =
      Set.of(
          "utf8mb4",
          "utf8mb3",
          "utf8",
          "latin1",
          "latin2",
          "latin5",
          "latin7",
          "ascii",
          "binary",
          "cp1250",
          "cp1251",
          "cp1256",
          "cp1257",
          "cp850",
          "cp852",
          "cp866",
          "koi8r",
          "koi8u",
          "greek",
          "hebrew",
          "armscii8",
          "dec8",
          "hp8",
          "keybcs2",
          "macce",
          "macroman",
          "swe7",
          "tis620",
          "geostd8",
          "default");

  /**
   * Classifies a statement from its first bytes.
   *
   * @param head the statement's first bytes, read as ISO-8859-1 (comments before it excluded)
   * @param complete true when {@code head} is the whole statement, delimiter included
   * @param delimiterIsSemicolon false inside {@code DELIMITER ;;} blocks (routines, triggers)
   */
  static StatementKind classify(String head, boolean complete, boolean delimiterIsSemicolon) {
    if (!delimiterIsSemicolon) {
      return OTHER;
    }
    if (DATA_HEAD.matcher(head).find()) {
      return DATA;
    }
    if (LOCK_HEAD.matcher(head).find()) {
      return complete ? LOCK : OTHER;
    }
    if (TRANSACTION_HEAD.matcher(head).find()) {
      return UNSPLITTABLE;
    }
    if (USE_HEAD.matcher(head).find()) {
      return complete ? SESSION : UNSPLITTABLE;
    }
    if (SET_HEAD.matcher(head).find()) {
      if (!complete || SETS_AUTOCOMMIT.matcher(head).find()) {
        return UNSPLITTABLE;
      }
      if (SET_NOT_SESSION.matcher(head).find()) {
        return OTHER;
      }
      Matcher m = CHARSET_CHANGE.matcher(head);
      while (m.find()) {
        String cs = m.group(1).replaceAll("['\"`]", "").toLowerCase(Locale.ROOT);
        if (!cs.startsWith("@") && !SAFE_CHARSETS.contains(cs)) {
          return UNSPLITTABLE;
        }
      }
      return SESSION;
    }
    return OTHER;
  }

  /**
   * True when a {@code DELIMITER} value can be followed byte by byte: not empty, and none of the
   * characters that open quotes or comments or escape.
   */
  static boolean splittableDelimiter(String d) {
    if (d.isEmpty() || d.length() > 16) {
      return false;
    }
    for (char c : d.toCharArray()) {
      if ("'\"`\\#-/*".indexOf(c) >= 0 || Character.isWhitespace(c) || c > 127) {
        return false;
      }
    }
    return true;
  }
}
