package io.dbjobs.common.job;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.net.HostPort;
import io.dbjobs.common.time.Durations;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One parameter a task accepts: its name, type, whether it is required, its default and what it
 * means. Parameters travel as strings in the job row's JSON; {@link #check} says whether a value is
 * acceptable, with a message naming the parameter.
 */
public record ParamSpec(
    String name,
    Type type,
    boolean required,
    String defaultValue,
    List<String> choices,
    String doc) {

  /** The kinds of values a parameter may hold. */
  public enum Type {
    STRING,
    INT,
    LONG,
    BOOLEAN,
    DURATION,
    CHOICE,
    /** host:port, {@code [ipv6]:port}; checked by {@link HostPort} */
    ENDPOINT,
    /** comma-separated list of db.table or db.* */
    TABLES
  }

  private static final Pattern TABLE_REF =
      Pattern.compile("[A-Za-z0-9_$\\-]+\\.([A-Za-z0-9_$\\-]+|\\*)");

  public ParamSpec {
    choices = choices == null ? List.of() : List.copyOf(choices);
  }

  public static ParamSpec optional(String name, Type type, String defaultValue, String doc) {
    return new ParamSpec(name, type, false, defaultValue, List.of(), doc);
  }

  public static ParamSpec required(String name, Type type, String doc) {
    return new ParamSpec(name, type, true, null, List.of(), doc);
  }

  public static ParamSpec choice(
      String name, String defaultValue, List<String> choices, String doc) {
    return new ParamSpec(name, Type.CHOICE, defaultValue == null, defaultValue, choices, doc);
  }

  /** Throws BAD_PARAMETER naming the task and this parameter when {@code value} does not fit. */
  public void check(String task, String value) {
    String problem = problemWith(value);
    if (problem != null) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "task " + task + ": parameter '" + name + "'=" + quote(value) + " " + problem);
    }
  }

  private String problemWith(String value) {
    try {
      switch (type) {
        case INT -> Integer.parseInt(value.trim());
        case LONG -> Long.parseLong(value.trim());
        case BOOLEAN -> {
          String v = value.trim().toLowerCase(Locale.ROOT);
          if (!v.equals("true") && !v.equals("false")) {
            return "is not a boolean (true or false)";
          }
        }
        case DURATION -> Durations.parse(value);
        case CHOICE -> {
          if (!choices.contains(value)) {
            return "is not one of " + String.join(", ", choices);
          }
        }
        case ENDPOINT -> {
          String problem = HostPort.problemWith(value);
          if (problem != null) {
            return "is not a host:port: " + problem;
          }
        }
        case TABLES -> {
          for (String ref : value.split(",")) {
            if (!TABLE_REF.matcher(ref.trim()).matches()) {
              return "has '" + ref.trim() + "', which is not db.table or db.*";
            }
          }
        }
        case STRING -> {
          if (value.isEmpty()) {
            return "is empty";
          }
        }
      }
      return null;
    } catch (NumberFormatException e) {
      return "is not a " + type.name().toLowerCase(Locale.ROOT) + " number";
    } catch (DbJobsException e) {
      return "is not a duration (examples: 500ms, 30s, 5m, 2h)";
    }
  }

  /** A value from a row (hostile until checked) as it may appear in a message: printable, short. */
  private static String quote(String v) {
    String t = v.length() > 200 ? v.substring(0, 200) + "..." : v;
    StringBuilder b = new StringBuilder(t.length() + 2).append('\'');
    t.codePoints().forEach(c -> b.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
    return b.append('\'').toString();
  }

  /** "name (type, default x): doc" for help texts. */
  public String describe() {
    String kind =
        type == Type.CHOICE ? String.join("|", choices) : type.name().toLowerCase(Locale.ROOT);
    String dflt =
        required ? "required" : defaultValue == null ? "optional" : "default " + defaultValue;
    return name + " (" + kind + ", " + dflt + "): " + doc;
  }
}
