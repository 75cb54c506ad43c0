package io.dbjobs.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs commands for fixtures and reads their output; fails with the output when they fail. */
public final class Shell {
  private Shell() {}

  /** Output (stdout and stderr merged) and exit code of a command. */
  public record Result(int exit, String output) {}

  public static Result run(long timeoutSeconds, List<String> argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + argv);
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + argv + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + argv, e);
    }
  }

  public static String check(long timeoutSeconds, String... argv) {
    Result r = run(timeoutSeconds, List.of(argv));
    if (r.exit() != 0) {
      throw new IllegalStateException(
          "exit " + r.exit() + " from " + List.of(argv) + ":\n" + r.output());
    }
    return r.output();
  }

  /** The first executable named {@code name} in /usr/sbin, /usr/bin, /sbin, /bin, or null. */
  public static Path find(String... names) {
    List<Path> dirs = new ArrayList<>();
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty()) {
        dirs.add(Path.of(d));
      }
    }
    dirs.addAll(
        List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"), Path.of("/bin")));
    for (String name : names) {
      for (Path d : dirs) {
        Path p = d.resolve(name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }

  /** Deletes a folder tree; missing is fine. */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new IllegalStateException("cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }

  public static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The last {@code n} lines of a text file, or a note that it is missing. */
  public static String tail(Path file, int n) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "(" + file + " not readable: " + e.getMessage() + ")";
    }
  }
}
