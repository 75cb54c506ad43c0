package io.dbjobs.manager.receive;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.config.ConfigTree;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamTls;
import io.dbjobs.common.time.Durations;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the manager listens for the streams agents send it (backups, logs), and the address agents
 * are told to connect to. Read from the {@code receiver} section of {@code manager.yml}:
 *
 * <ul>
 *   <li>{@code receiver.bind}: the local address to listen on; default {@code 0.0.0.0} (all).
 *   <li>{@code receiver.port}: the TCP port; default {@value #DEFAULT_PORT}; {@code 0} picks a free
 *       port (tests). The CLI listens on it itself while a command waits for a stream, so a running
 *       {@code dbjobs serve} holding the same port makes such commands fail with a clear message.
 *   <li>{@code receiver.advertise}: {@code host} or {@code host:port} written into the job rows as
 *       the address agents connect to; default: the bind address when it is a specific one, else
 *       this machine's host name; the port defaults to the bound port.
 *   <li>{@code receiver.tls.cert}, {@code receiver.tls.key}, {@code receiver.tls.ca}: mutual TLS
 *       from PEM files (all three or none; default none). Agents must present a certificate issued
 *       by {@code ca}.
 *   <li>{@code receiver.handshakeTimeout} (default 10s), {@code receiver.idleTimeout} (default 60s:
 *       raise it when a dump may wait longer than that for a lock), {@code receiver.jobTimeout}
 *       (default 24h): the stream protocol's timeouts on this side.
 * </ul>
 *
 * @param advertisePort the port agents connect to; 0 means the bound port
 * @param tls null for plain TCP
 */
public record ReceiverSettings(
    String bind,
    int port,
    String advertiseHost,
    int advertisePort,
    StreamTls tls,
    Duration handshakeTimeout,
    Duration idleTimeout,
    Duration jobTimeout) {

  public static final int DEFAULT_PORT = 4447;
  public static final String DEFAULT_BIND = "0.0.0.0";

  /** Listens on all addresses, port {@value #DEFAULT_PORT}, advertised as this host, no TLS. */
  public static ReceiverSettings defaults() {
    return new ReceiverSettings(
        DEFAULT_BIND,
        DEFAULT_PORT,
        localHostName(),
        0,
        null,
        StreamOptions.DEFAULT_HANDSHAKE_TIMEOUT,
        StreamOptions.DEFAULT_IDLE_TIMEOUT,
        StreamOptions.DEFAULT_JOB_TIMEOUT);
  }

  /** Reads the {@code receiver} section; problems go to the tree's problem list. */
  public static ReceiverSettings read(ConfigTree t) {
    String bind = t.string("bind", DEFAULT_BIND);
    if (bind != null && bind.isBlank()) {
      t.problems().add(t.keyOf("bind"), "must not be empty (use 0.0.0.0 to listen everywhere)");
      bind = DEFAULT_BIND;
    }
    int port = t.integer("port", DEFAULT_PORT, 0, 65535);
    String advertiseHost = isWildcard(bind) ? localHostName() : bind;
    int advertisePort = 0;
    String advertise = t.string("advertise", null);
    if (advertise != null) {
      HostPort hp = HostPort.parse(advertise);
      if (hp == null) {
        t.problems()
            .add(
                t.keyOf("advertise"),
                "'"
                    + advertise
                    + "' is not host or host:port (port 1-65535; IPv6 as [addr]:port): the address"
                    + " agents connect to for backups and logs");
      } else {
        advertiseHost = hp.host();
        advertisePort = hp.port();
      }
    } else if (isWildcard(bind) && advertiseHost == null) {
      t.problems()
          .add(
              t.keyOf("advertise"),
              "is required: this machine's host name is unknown, so set the address agents"
                  + " connect to (host or host:port)");
    }
    StreamTls tls = null;
    ConfigTree tt = t.child("tls");
    Path cert = tt.path("cert", null);
    Path key = tt.path("key", null);
    Path ca = tt.path("ca", null);
    List<String> missing = new ArrayList<>();
    if (cert == null) {
      missing.add("cert");
    }
    if (key == null) {
      missing.add("key");
    }
    if (ca == null) {
      missing.add("ca");
    }
    if (missing.size() < 3 && !missing.isEmpty()) {
      for (String m : missing) {
        t.problems()
            .add(
                tt.keyOf(m),
                "is required when TLS is configured: give cert, key and ca (PEM files) together");
      }
    } else if (missing.isEmpty()) {
      try {
        tls = new StreamTls(cert, key, ca);
      } catch (DbJobsException e) {
        t.problems().add(tt.keyOf("cert"), e.getMessage());
      }
    }
    Duration min = Duration.ofMillis(100);
    Duration handshake =
        t.duration("handshakeTimeout", StreamOptions.DEFAULT_HANDSHAKE_TIMEOUT, min);
    Duration idle = t.duration("idleTimeout", StreamOptions.DEFAULT_IDLE_TIMEOUT, min);
    Duration job =
        t.duration("jobTimeout", StreamOptions.DEFAULT_JOB_TIMEOUT, Duration.ofSeconds(1));
    return new ReceiverSettings(
        bind, port, advertiseHost, advertisePort, tls, handshake, idle, job);
  }

  /** The listener's stream options. */
  public StreamOptions streamOptions() {
    return StreamOptions.defaults()
        .withHandshakeTimeout(handshakeTimeout)
        .withIdleTimeout(idleTimeout)
        .withJobTimeout(jobTimeout)
        .withCompression(Compression.NONE)
        .withTls(tls);
  }

  /** The settings, one line, for the effective-config log. */
  public String describe() {
    return "receiver.bind="
        + bind
        + " receiver.port="
        + port
        + " receiver.advertise="
        + advertiseHost
        + (advertisePort == 0 ? "" : ":" + advertisePort)
        + " receiver.tls="
        + (tls == null ? "off" : "cert " + tls.certPem() + ", ca " + tls.caPem())
        + " receiver.handshakeTimeout="
        + Durations.human(handshakeTimeout)
        + " receiver.idleTimeout="
        + Durations.human(idleTimeout)
        + " receiver.jobTimeout="
        + Durations.human(jobTimeout);
  }

  static boolean isWildcard(String bind) {
    return bind == null || bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]");
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getCanonicalHostName();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}; port 0 when absent. */
  record HostPort(String host, int port) {
    static HostPort parse(String text) {
      String s = text.strip();
      if (s.isEmpty()) {
        return null;
      }
      String host;
      String port = null;
      if (s.startsWith("[")) {
        int close = s.indexOf(']');
        if (close < 0) {
          return null;
        }
        host = s.substring(1, close);
        String rest = s.substring(close + 1);
        if (!rest.isEmpty()) {
          if (!rest.startsWith(":")) {
            return null;
          }
          port = rest.substring(1);
        }
      } else if (s.indexOf(':') != s.lastIndexOf(':')) {
        host = s; // a bare IPv6 address
      } else if (s.contains(":")) {
        host = s.substring(0, s.indexOf(':'));
        port = s.substring(s.indexOf(':') + 1);
      } else {
        host = s;
      }
      if (host.isEmpty() || host.contains(" ")) {
        return null;
      }
      int p = 0;
      if (port != null) {
        try {
          p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
          return null;
        }
        if (p < 1 || p > 65535) {
          return null;
        }
      }
      return new HostPort(host, p);
    }
  }
}
