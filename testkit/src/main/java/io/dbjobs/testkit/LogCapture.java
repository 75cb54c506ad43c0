package io.dbjobs.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures every log line (message and stack trace, all levels) written in this JVM while open, so
 * a test can search them, e.g. for a password that must never appear.
 */
public final class LogCapture implements AutoCloseable {
  private final List<String> lines = new ArrayList<>();
  private final AppenderBase<ILoggingEvent> appender;
  private final Logger root;
  private final ch.qos.logback.classic.Level previous;

  private LogCapture() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    previous = root.getLevel();
    root.setLevel(ch.qos.logback.classic.Level.ALL);
    appender =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent e) {
            String line = e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage();
            if (e.getThrowableProxy() != null) {
              line += "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy());
            }
            synchronized (lines) {
              lines.add(line);
            }
          }
        };
    appender.setContext(ctx);
    appender.start();
    root.addAppender(appender);
  }

  /** Starts capturing at every level. */
  public static LogCapture start() {
    return new LogCapture();
  }

  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** Lines that contain {@code text}. */
  public List<String> linesContaining(String text) {
    return lines().stream().filter(l -> l.contains(text)).toList();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    root.setLevel(previous);
  }
}
