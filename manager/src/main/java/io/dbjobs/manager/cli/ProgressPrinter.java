package io.dbjobs.manager.cli;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.units.Sizes;
import io.dbjobs.manager.fleet.JobView;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Objects;

/**
 * Shows a waited-for job's progress: phase, bytes done of total, percent, rate over the last
 * seconds, ETA. On a terminal it rewrites one line; elsewhere (logs, pipes) it prints a line when
 * the phase changes and at most every 10 seconds otherwise.
 */
final class ProgressPrinter {
  private static final long WINDOW_NANOS = Duration.ofSeconds(10).toNanos();
  private static final long QUIET_NANOS = Duration.ofSeconds(10).toNanos();

  private record Sample(long nanos, long bytes) {}

  private final PrintWriter out;
  private final boolean terminal;
  private final Deque<Sample> samples = new ArrayDeque<>();
  private String lastPhase;
  private String lastLine = "";
  private long lastPrinted;
  private boolean wroteInPlace;

  ProgressPrinter(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  void update(JobView v, long nowNanos) {
    Job j = v.job();
    samples.addLast(new Sample(nowNanos, j.bytesDone()));
    while (samples.size() > 2 && nowNanos - samples.peekFirst().nanos() > WINDOW_NANOS) {
      samples.removeFirst();
    }
    String line = line(v, nowNanos);
    if (terminal) {
      String padded = line + " ".repeat(Math.max(0, lastLine.length() - line.length()));
      out.print("\r" + padded);
      out.flush();
      wroteInPlace = true;
    } else if (!Objects.equals(j.phase(), lastPhase) || nowNanos - lastPrinted > QUIET_NANOS) {
      if (!line.equals(lastLine)) {
        out.println(line);
        out.flush();
      }
      lastPrinted = nowNanos;
    }
    lastPhase = j.phase();
    lastLine = line;
  }

  /** Ends the in-place line so what follows starts on a fresh one. */
  void done() {
    if (wroteInPlace) {
      out.println();
      out.flush();
      wroteInPlace = false;
    }
  }

  void note(String message) {
    done();
    out.println(message);
    out.flush();
  }

  String line(JobView v, long nowNanos) {
    Job j = v.job();
    StringBuilder sb = new StringBuilder();
    sb.append(v.node()).append(" #").append(j.id()).append(' ').append(j.task()).append("  ");
    sb.append(j.state().label());
    if (j.phase() != null && !j.phase().equals(j.state().label())) {
      sb.append(": ").append(j.phase());
    }
    if (j.bytesDone() > 0 || j.bytesTotal() != null) {
      sb.append("  ").append(Sizes.human(j.bytesDone()));
      if (j.bytesTotal() != null && j.bytesTotal() > 0) {
        sb.append(" / ").append(Sizes.human(j.bytesTotal()));
        sb.append(String.format(Locale.ROOT, "  %.0f%%", 100.0 * j.bytesDone() / j.bytesTotal()));
      }
      double rate = rate();
      if (rate > 0) {
        sb.append("  ").append(Sizes.rate(rate));
        if (j.bytesTotal() != null && j.bytesTotal() > j.bytesDone()) {
          long etaMillis = (long) ((j.bytesTotal() - j.bytesDone()) * 1000.0 / rate);
          sb.append("  ETA ").append(Durations.human(Duration.ofMillis(etaMillis)));
        }
      }
    }
    return sb.toString();
  }

  /** Bytes per second over the window of samples, 0 when unknown. */
  double rate() {
    if (samples.size() < 2) {
      return 0;
    }
    Sample first = samples.peekFirst();
    Sample last = samples.peekLast();
    long dt = last.nanos() - first.nanos();
    long db = last.bytes() - first.bytes();
    return dt <= 0 || db <= 0 ? 0 : db * 1e9 / dt;
  }
}
