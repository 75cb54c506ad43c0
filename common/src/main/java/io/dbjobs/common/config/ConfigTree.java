package io.dbjobs.common.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.time.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A validating reader over one object of a YAML config file. Every accessor names the full key
 * ({@code clusters[0].nodes[1].port}) in its problem, records problems instead of throwing, and
 * marks the key as known; {@link #rejectUnknownKeys()} then reports every key nobody asked for,
 * with a suggestion when it looks like a typo. Call {@link ConfigProblems#throwIfAny} once at the
 * end to fail with all problems at once.
 */
public final class ConfigTree {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final JsonNode node;
  private final String path;
  private final ConfigProblems problems;
  private final UnaryOperator<String> env;
  private final Path baseDir;
  private final Set<String> known = new LinkedHashSet<>();
  private final List<ConfigTree> children = new ArrayList<>();

  private ConfigTree(
      JsonNode node,
      String path,
      ConfigProblems problems,
      UnaryOperator<String> env,
      Path baseDir) {
    this.node = node;
    this.path = path;
    this.problems = problems;
    this.env = env;
    this.baseDir = baseDir;
  }

  /**
   * Reads a YAML file. Syntax errors fail at once (CONFIG_INVALID with line and column); content
   * problems are collected in {@code problems}.
   */
  public static ConfigTree load(Path file, ConfigProblems problems, UnaryOperator<String> env) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "cannot read config file " + file + ": " + DbJobsException.describe(e),
          e);
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(text, file.toString(), problems, env, base);
  }

  /** Parses YAML text; {@code source} names it in messages. */
  public static ConfigTree parse(
      String yaml,
      String source,
      ConfigProblems problems,
      UnaryOperator<String> env,
      Path baseDir) {
    JsonNode root;
    try {
      root = yaml.isBlank() ? YAML.createObjectNode() : YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      String where =
          loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          source + " is not valid YAML" + where + ": " + e.getOriginalMessage(),
          e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      root = YAML.createObjectNode();
    }
    ConfigTree tree = new ConfigTree(root, "", problems, env, baseDir);
    if (!root.isObject()) {
      problems.add("", "the file must be a mapping of keys to values, not a " + kind(root));
      return new ConfigTree(YAML.createObjectNode(), "", problems, env, baseDir);
    }
    return tree;
  }

  public ConfigProblems problems() {
    return problems;
  }

  /** The full key of a child of this object, for messages. */
  public String keyOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public boolean has(String key) {
    known.add(key);
    JsonNode v = node.get(key);
    return v != null && !v.isNull();
  }

  private JsonNode get(String key) {
    known.add(key);
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  public String string(String key, String dflt) {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isValueNode()) {
      problems.add(keyOf(key), "must be a text value, not a " + kind(v));
      return dflt;
    }
    return v.asText();
  }

  public String requiredString(String key, String hint) {
    String v = string(key, null);
    if (v == null || v.isBlank()) {
      if (get(key) == null) {
        problems.add(keyOf(key), "is required: " + hint);
      } else if (v != null) {
        problems.add(keyOf(key), "must not be empty: " + hint);
      }
      return null;
    }
    return v;
  }

  public String choice(String key, String dflt, List<String> allowed) {
    String v = string(key, dflt);
    if (v != null && !allowed.contains(v)) {
      problems.add(keyOf(key), "is '" + v + "'; must be one of " + String.join(", ", allowed));
      return dflt;
    }
    return v;
  }

  public int integer(String key, int dflt, int min, int max) {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.canConvertToInt() || !(v.isIntegralNumber() || isIntegerText(v))) {
      problems.add(keyOf(key), "must be a whole number, not '" + v.asText() + "'");
      return dflt;
    }
    int i = v.isIntegralNumber() ? v.asInt() : Integer.parseInt(v.asText().trim());
    if (i < min || i > max) {
      problems.add(keyOf(key), "is " + i + "; must be between " + min + " and " + max);
      return dflt;
    }
    return i;
  }

  private static boolean isIntegerText(JsonNode v) {
    return v.isTextual() && v.asText().trim().matches("-?\\d{1,9}");
  }

  public boolean bool(String key, boolean dflt) {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    String t = v.asText().trim();
    if (t.equals("true") || t.equals("false")) {
      return Boolean.parseBoolean(t);
    }
    problems.add(keyOf(key), "must be true or false, not '" + t + "'");
    return dflt;
  }

  /** A duration such as {@code 500ms}, {@code 30s}, {@code 5m}; must be at least {@code min}. */
  public Duration duration(String key, Duration dflt, Duration min) {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    Duration d;
    try {
      d = Durations.parse(v.asText());
    } catch (DbJobsException e) {
      problems.add(
          keyOf(key), "'" + v.asText() + "' is not a duration (examples: 500ms, 30s, 5m, 2h)");
      return dflt;
    }
    if (d.compareTo(min) < 0) {
      problems.add(
          keyOf(key), "is " + Durations.human(d) + "; must be at least " + Durations.human(min));
      return dflt;
    }
    return d;
  }

  /** A path; relative paths are resolved against the config file's folder. */
  public Path path(String key, Path dflt) {
    String v = string(key, null);
    if (v == null) {
      return dflt;
    }
    if (v.isBlank()) {
      problems.add(keyOf(key), "must not be empty");
      return dflt;
    }
    Path p = Path.of(v);
    return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p).normalize();
  }

  /**
   * A file given by reference, {@code {file: /path}} or a plain path (relative paths are resolved
   * against the config file's folder); null when absent. Whether it exists is the caller's check.
   */
  public Path fileReference(String key) {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    String ref;
    if (v.isObject() && v.size() == 1 && v.has("file") && v.get("file").isValueNode()) {
      ref = v.get("file").asText();
    } else if (v.isTextual()) {
      ref = v.asText().startsWith("file:") ? v.asText().substring(5) : v.asText();
    } else {
      problems.add(keyOf(key), "must be a file: {file: /path/to/file}");
      return null;
    }
    if (ref.isBlank()) {
      problems.add(keyOf(key), "file reference is empty");
      return null;
    }
    Path p = Path.of(ref);
    return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p).normalize();
  }

  /** A list of strings, or a single string as a one-element list. */
  public List<String> strings(String key, List<String> dflt) {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    if (v.isValueNode()) {
      return List.of(v.asText());
    }
    if (!v.isArray()) {
      problems.add(keyOf(key), "must be a list of text values, not a " + kind(v));
      return dflt;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isValueNode() || e.isNull()) {
        problems.add(keyOf(key) + "[" + i + "]", "must be a text value, not a " + kind(e));
      } else {
        out.add(e.asText());
      }
    }
    return List.copyOf(out);
  }

  /**
   * A command to run: a list is the argument vector; a single string is run with {@code sh -c}.
   * Returns null when the key is absent.
   */
  public List<String> command(String key) {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (v.isTextual()) {
      if (v.asText().isBlank()) {
        problems.add(keyOf(key), "must not be empty");
        return null;
      }
      return List.of("/bin/sh", "-c", v.asText());
    }
    List<String> argv = strings(key, null);
    if (argv != null && argv.isEmpty()) {
      problems.add(keyOf(key), "must not be an empty list");
      return null;
    }
    return argv;
  }

  /** A nested object; absent gives an empty object, so its defaults apply. */
  public ConfigTree child(String key) {
    JsonNode v = get(key);
    ConfigTree c;
    if (v == null) {
      c = new ConfigTree(MissingNode.getInstance(), keyOf(key), problems, env, baseDir);
    } else if (!v.isObject()) {
      problems.add(keyOf(key), "must be a mapping of keys to values, not a " + kind(v));
      c = new ConfigTree(MissingNode.getInstance(), keyOf(key), problems, env, baseDir);
    } else {
      c = new ConfigTree(v, keyOf(key), problems, env, baseDir);
    }
    children.add(c);
    return c;
  }

  /** A list of objects; absent gives an empty list. */
  public List<ConfigTree> list(String key) {
    JsonNode v = get(key);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      problems.add(keyOf(key), "must be a list, not a " + kind(v));
      return List.of();
    }
    List<ConfigTree> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      String p = keyOf(key) + "[" + i + "]";
      if (!e.isObject()) {
        problems.add(p, "must be a mapping of keys to values, not a " + kind(e));
        continue;
      }
      ConfigTree c = new ConfigTree(e, p, problems, env, baseDir);
      children.add(c);
      out.add(c);
    }
    return out;
  }

  /**
   * A secret given by reference, never literally: {@code {env: NAME}}, {@code {file: /path}},
   * {@code env:NAME} or {@code file:/path}. A file must not be readable by others. Returns null
   * when absent and not required.
   */
  public Secret secret(String key, boolean required) {
    JsonNode v = get(key);
    String k = keyOf(key);
    if (v == null) {
      if (required) {
        problems.add(k, "is required: give it as {env: VARIABLE} or {file: /path/to/file}");
      }
      return null;
    }
    String kind;
    String ref;
    if (v.isObject() && v.size() == 1 && (v.has("env") || v.has("file"))) {
      kind = v.has("env") ? "env" : "file";
      ref = v.get(kind).asText();
    } else if (v.isTextual() && (v.asText().startsWith("env:") || v.asText().startsWith("file:"))) {
      String t = v.asText();
      kind = t.substring(0, t.indexOf(':'));
      ref = t.substring(t.indexOf(':') + 1);
    } else {
      problems.add(
          k,
          "must reference the secret, not contain it: use {env: VARIABLE} or {file: /path/to/file}"
              + " (literal secrets in config files end up in backups and version control)");
      return null;
    }
    if (ref.isBlank()) {
      problems.add(k, kind + " reference is empty");
      return null;
    }
    if (kind.equals("env")) {
      String value = env.apply(ref);
      if (value == null || value.isEmpty()) {
        problems.add(k, "environment variable " + ref + " is not set or empty");
        return null;
      }
      return new Secret(value, "env:" + ref);
    }
    Path file = Path.of(ref);
    if (!file.isAbsolute() && baseDir != null) {
      file = baseDir.resolve(file).normalize();
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.OTHERS_READ)) {
        problems.add(k, "file " + file + " is readable by everyone; run: chmod 600 " + file);
        return null;
      }
      // one trailing line break (what `echo` and editors add) is not part of the secret; spaces
      // are: a password may end with one
      String value = Files.readString(file).replaceFirst("\\r?\\n\\z", "");
      if (value.isEmpty()) {
        problems.add(k, "file " + file + " is empty");
        return null;
      }
      return new Secret(value, "file:" + file);
    } catch (IOException | UnsupportedOperationException e) {
      problems.add(
          k, "cannot read secret file " + file + " (" + e.getClass().getSimpleName() + ")");
      return null;
    }
  }

  /** Reports keys of this object and every child read from it that nobody asked for. */
  public void rejectUnknownKeys() {
    if (node.isObject()) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!known.contains(name)) {
          String hint = closest(name, known);
          problems.add(
              keyOf(name),
              "unknown key"
                  + (hint != null ? "; did you mean '" + hint + "'?" : "")
                  + (known.isEmpty()
                      ? ""
                      : " (known keys here: " + String.join(", ", known) + ")"));
        }
      }
    }
    children.forEach(ConfigTree::rejectUnknownKeys);
  }

  private static String closest(String name, Set<String> candidates) {
    String best = null;
    int bestDistance = 3;
    for (String c : candidates) {
      int d = distance(name.toLowerCase(), c.toLowerCase());
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String kind(JsonNode v) {
    if (v.isArray()) {
      return "list";
    }
    if (v.isObject()) {
      return "mapping";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    return "text value";
  }
}
