package io.dbjobs.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A subprocess for benchmarks: wall time, output, and peak RSS (VmHWM) sampled until it exits. */
final class Proc {
  /**
   * @param startedAtMillis the wall clock when the process was started (epoch ms)
   */
  record Result(int exit, double seconds, long peakRssKib, String output, long startedAtMillis) {}

  private Proc() {}

  static Result run(List<String> cmd, Path log) {
    return run(cmd, log, Map.of());
  }

  /** Runs {@code cmd} with {@code env} added to this process's environment. */
  static Result run(List<String> cmd, Path log, Map<String, String> env) {
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(env);
      long startedAt = System.currentTimeMillis();
      long t0 = System.nanoTime();
      Process p = pb.start();
      long peak = 0;
      while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
        peak = Math.max(peak, peakRss(p.pid()));
      }
      double s = (System.nanoTime() - t0) / 1e9;
      return new Result(
          p.exitValue(), s, peak, Files.readString(log, StandardCharsets.UTF_8), startedAt);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** VmHWM of a process in KiB (the kernel's peak resident set), 0 when gone. */
  static long peakRss(long pid) {
    return status(pid, "VmHWM:");
  }

  /** VmRSS of a process in KiB (its resident set now), 0 when gone. */
  static long rss(long pid) {
    return status(pid, "VmRSS:");
  }

  /** The number of threads of a process, 0 when gone. */
  static long threads(long pid) {
    return status(pid, "Threads:");
  }

  /**
   * The proportional set size of a process in KiB (its private pages plus its share of the pages it
   * shares, e.g. a binary's code shared by many servers), 0 when gone.
   */
  static long pss(long pid) {
    return field(Path.of("/proc/" + pid + "/smaps_rollup"), "Pss:");
  }

  /** A number from a line of {@code /proc/PID/status}, 0 when the process is gone. */
  private static long status(long pid, String key) {
    return field(Path.of("/proc/" + pid + "/status"), key);
  }

  private static long field(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).replaceAll("\\D", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0; // the process ended between two samples
    }
    return 0;
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The repository root (where bench/ is). */
  static Path repo() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("bench")) && Files.exists(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("run the benchmarks from the repository");
  }
}
