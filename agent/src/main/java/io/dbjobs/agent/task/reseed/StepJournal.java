package io.dbjobs.agent.task.reseed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal of one destructive step of a job (a datadir swap, a logical set-aside): a file of
 * JSON lines, forced to disk line by line. The first line is the plan (everything a later agent
 * needs to finish or undo the step), written atomically before anything is touched; each later line
 * records an intent or a fact ({@link Line}), and is on disk before the action it announces starts,
 * or before the step after the fact it records.
 *
 * <p>A crash may leave a last line half-written: it is ignored when read (its action never started,
 * since it starts only after the line is forced) and cut off before anything is appended.
 */
final class StepJournal implements AutoCloseable {
  static final ObjectMapper JSON =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  static final int VERSION = 1;

  /**
   * One line after the plan.
   *
   * @param at what it records: an intent ({@code intent}), its completion ({@code done}), or a mark
   *     (e.g. {@code verified})
   * @param step for intents and completions, which move (e.g. {@code out}); else null
   * @param name the entry or schema concerned, or null
   * @param note free text (a reason, a GTID), or null
   */
  record Line(String at, String step, String name, String note) {
    static Line mark(String at) {
      return new Line(at, null, null, null);
    }

    static Line mark(String at, String name, String note) {
      return new Line(at, null, name, note);
    }
  }

  /** A journal as read back: its kind, plan and lines. */
  record Replay(Path file, String kind, JsonNode plan, List<Line> lines) {
    <T> T plan(Class<T> type) {
      try {
        return JSON.treeToValue(plan, type);
      } catch (IOException e) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED, "the journal " + file + " has an unreadable plan: " + e, e);
      }
    }

    boolean has(String mark) {
      return lines.stream().anyMatch(l -> l.at().equals(mark) && l.step() == null);
    }

    boolean has(String mark, String name) {
      return lines.stream()
          .anyMatch(l -> l.at().equals(mark) && l.step() == null && name.equals(l.name()));
    }

    /** The note of the first line with this mark, or null. */
    String note(String mark) {
      return lines.stream()
          .filter(l -> l.at().equals(mark) && l.step() == null)
          .map(Line::note)
          .findFirst()
          .orElse(null);
    }

    /** The last mark (not an intent or completion), or "begun". */
    String lastMark() {
      String last = "begun";
      for (Line l : lines) {
        if (l.step() == null) {
          last = l.at();
        }
      }
      return last;
    }
  }

  private final Path file;
  private final FileChannel channel;

  private StepJournal(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  Path file() {
    return file;
  }

  /** Writes a new journal whose first line is {@code plan}; refuses when one exists already. */
  static StepJournal create(Path file, String kind, Object plan) {
    try {
      if (Files.exists(file)) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            "the journal "
                + file
                + " exists already: an earlier run of this job was not settled; restart the agent"
                + " so that it settles it first");
      }
      ObjectNode head = JSON.createObjectNode();
      head.put("journal", kind);
      head.put("version", VERSION);
      head.set("plan", JSON.valueToTree(plan));
      DurableFiles.writeAtomically(file, lineBytes(head));
      return open(file);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED, "cannot write the journal " + file + ": " + e, e);
    }
  }

  /** Opens an existing journal for appending, cutting off a half-written last line. */
  static StepJournal open(Path file) {
    try {
      long goodEnd = goodLength(Files.readAllBytes(file));
      FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
      if (ch.size() > goodEnd) {
        ch.truncate(goodEnd);
        ch.force(true);
      }
      ch.position(goodEnd);
      return new StepJournal(file, ch);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED, "cannot open the journal " + file + ": " + e, e);
    }
  }

  /** Appends a line and forces it to disk before returning. */
  void append(Line line) {
    try {
      ByteBuffer b = ByteBuffer.wrap(lineBytes(JSON.valueToTree(line)));
      while (b.hasRemaining()) {
        channel.write(b);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED, "cannot write to the journal " + file + ": " + e, e);
    }
  }

  void mark(String at) {
    append(Line.mark(at));
  }

  void mark(String at, String name, String note) {
    append(Line.mark(at, name, note));
  }

  /** Reads a journal; a half-written last line is left out. */
  static Replay read(Path file) {
    try {
      byte[] all = Files.readAllBytes(file);
      String text = new String(all, 0, (int) goodLength(all), StandardCharsets.UTF_8);
      List<Line> lines = new ArrayList<>();
      JsonNode head = null;
      for (String l : text.split("\n")) {
        if (l.isEmpty()) {
          continue;
        }
        if (head == null) {
          head = JSON.readTree(l);
        } else {
          lines.add(JSON.readValue(l, Line.class));
        }
      }
      if (head == null || !head.has("journal") || !head.has("plan")) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED, "the journal " + file + " has no plan line");
      }
      if (head.path("version").asInt() != VERSION) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            "the journal "
                + file
                + " is of version "
                + head.path("version").asText()
                + "; this agent reads version "
                + VERSION);
      }
      return new Replay(file, head.get("journal").asText(), head.get("plan"), List.copyOf(lines));
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED, "cannot read the journal " + file + ": " + e, e);
    }
  }

  /**
   * The length of the whole lines that parse: a trailing line that does not end in a newline, or
   * the last line when it does not parse (a torn write), is not counted. A line that does not parse
   * followed by others is corruption and refused.
   */
  private static long goodLength(byte[] all) throws IOException {
    int end = 0;
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] != '\n') {
        continue;
      }
      String line = new String(all, start, i - start, StandardCharsets.UTF_8);
      boolean parses = parses(line);
      if (!parses) {
        if (hasLaterLine(all, i + 1)) {
          throw new IOException(
              "line at byte " + start + " is not JSON, and lines follow it: corrupt journal");
        }
        return end;
      }
      end = i + 1;
      start = i + 1;
    }
    return end;
  }

  private static boolean hasLaterLine(byte[] all, int from) {
    for (int i = from; i < all.length; i++) {
      if (all[i] == '\n') {
        return true;
      }
    }
    return false;
  }

  private static boolean parses(String line) {
    if (line.isEmpty()) {
      return true;
    }
    try {
      return JSON.readTree(line).isObject();
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] lineBytes(JsonNode node) throws IOException {
    return (JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Closes the file; the journal stays until {@link #delete}. */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED, "cannot close the journal " + file + ": " + e, e);
    }
  }

  /** The step is settled: the journal goes (after its last line is on disk). */
  void delete() {
    close();
    try {
      DurableFiles.deleteDurably(file);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "the step is settled but its journal " + file + " cannot be removed: " + e,
          e);
    }
  }
}
