package io.dbjobs.common.tool;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Reads a tool's output line by line on its own thread: logs each line tagged with the tool's name,
 * keeps the last lines for error messages, and hands lines to an optional listener.
 */
final class LinePump implements Runnable {
  private static final int MAX_LINE = 4000;

  private final InputStream in;
  private final String tag;
  private final Logger log;
  private final int keep;
  private final Consumer<String> listener;
  private final StringBuilder captured;
  private final int captureLimit;
  private final Deque<String> tail = new ArrayDeque<>();
  private final CountDownLatch finished = new CountDownLatch(1);

  LinePump(
      InputStream in,
      String tag,
      Logger log,
      int keep,
      Consumer<String> listener,
      boolean capture,
      int captureLimit) {
    this.in = in;
    this.tag = tag;
    this.log = log;
    this.keep = keep;
    this.listener = listener;
    this.captured = capture ? new StringBuilder() : null;
    this.captureLimit = captureLimit;
  }

  @Override
  public void run() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.length() > MAX_LINE) {
          line = line.substring(0, MAX_LINE) + " [...]";
        }
        if (captured != null) {
          if (captured.length() < captureLimit) {
            captured.append(line).append('\n');
          }
        } else {
          log.info("[{}] {}", tag, line);
        }
        synchronized (tail) {
          tail.addLast(line);
          while (tail.size() > keep) {
            tail.removeFirst();
          }
        }
        if (listener != null) {
          listener.accept(line);
        }
      }
    } catch (IOException e) {
      // the process was killed or closed its end; what we read so far stays in the tail
      log.debug("[{}] output closed: {}", tag, e.toString());
    } finally {
      finished.countDown();
    }
  }

  void awaitEnd(java.time.Duration timeout) throws InterruptedException {
    finished.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  List<String> tail() {
    synchronized (tail) {
      return new ArrayList<>(tail);
    }
  }

  String captured() {
    return captured == null ? "" : captured.toString();
  }
}
