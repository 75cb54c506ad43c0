package io.dbjobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbjobs.agent.Agent;
import io.dbjobs.agent.AgentConfig;
import io.dbjobs.common.job.JobState;
import io.dbjobs.manager.api.ApiJson;
import io.dbjobs.manager.api.FleetEndpoints;
import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.ServerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Manager fan-out: how long the manager daemon ({@code dbjobs serve}, a separate process at {@code
 * -Xmx128m}) takes to enqueue one job on every node of a large fleet through its HTTP API, and to
 * report every one of those jobs as succeeded through the same API.
 *
 * <p>Every node is a real local mariadbd (the testkit's local backend, with a small memory
 * footprint); every node has its agent, in this JVM, at the default 500 ms poll interval. Each
 * round enqueues one {@code optimize} (mode analyze, one empty table) per node with {@code POST
 * /v1/jobs}, {@value #SUBMIT_CONCURRENCY} calls at a time, and measures (a) until every call
 * returned, (b) until {@code GET /v1/jobs} shows every one of those jobs succeeded (polled every
 * {@value #LIST_PAUSE_MS} ms after the last submit returned). A failed job, an unreachable node or
 * the {@link #DEADLINE} fails the run.
 *
 * <p>Usage: FanoutBench [nodes=200] [rounds=3]
 */
public final class FanoutBench {
  private static final String MANAGER_HEAP = "-Xmx128m";
  private static final int SUBMIT_CONCURRENCY = 16;
  private static final long LIST_PAUSE_MS = 100;
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final long RESERVE_KIB = 2L * 1024 * 1024; // this JVM, the daemon, the system
  private static final int START_THREADS = 4;

  /**
   * The default local test server, made small: a 16 MiB buffer pool (as PickupBench), a 2 MiB log
   * buffer (the 16 MiB default is allocated twice and touched), no MyISAM key buffer and a 1 MiB
   * Aria page cache (both 128 MiB by default and touched at start) and an 8 MiB redo log (disk
   * only). The testkit already turns performance_schema off.
   */
  private static final ServerOptions SMALL =
      ServerOptions.defaults()
          .set("innodb-buffer-pool-size", "16M")
          .set("innodb-log-buffer-size", "2M")
          .set("innodb-log-file-size", "8M")
          .set("key-buffer-size", "64K")
          .set("aria-pagecache-buffer-size", "1M")
          .withoutBinlog();

  private FanoutBench() {}

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    if (nodes < 1 || nodes > FleetEndpoints.MAX_LIMIT || rounds < 1) {
      throw new IllegalArgumentException(
          "usage: FanoutBench [nodes 1-" + FleetEndpoints.MAX_LIMIT + "] [rounds >= 1]");
    }
    Path repo = Proc.repo();
    Path jar = repo.resolve("manager/target/dbjobs.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: build first (bench/lib.sh bench_build)");
    }
    Path dir = Files.createTempDirectory("dbjobs-fanout-bench");
    System.out.printf(
        "fan-out bench: one optimize job on each of %d nodes x %d rounds, through the manager"
            + " daemon's HTTP API%n",
        nodes, rounds);
    System.out.println("server options: " + String.join(" ", SMALL.lines()) + " (no binlog)");

    List<DbServer> servers = Collections.synchronizedList(new ArrayList<>());
    List<Agent> agents = new ArrayList<>();
    Daemon daemon = null;
    try {
      // 1. the servers: measure the first one before starting the others
      long t = System.nanoTime();
      DbServer first = startNode(1);
      servers.add(first);
      long firstRss = Proc.rss(pid(first));
      System.out.printf(
          Locale.ROOT,
          "per-server RSS (one idle server after setup): %.1f MiB (PSS %.1f MiB)%n",
          firstRss / 1024.0,
          Proc.pss(pid(first)) / 1024.0);
      requireMemory(nodes, firstRss);
      startOthers(nodes, servers);
      servers.sort((a, b) -> Integer.compare(a.serverId(), b.serverId()));
      System.out.printf(
          "servers: %d local mariadbd started in %d s%n",
          servers.size(), (System.nanoTime() - t) / 1_000_000_000);

      // 2. the daemon, a process of its own
      Path apw = ConfigFiles.secret(dir, "agent.pw", "agent-pw");
      Path mpw = ConfigFiles.secret(dir, "manager.pw", "manager-pw");
      String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
      Path tokenFile = ConfigFiles.secret(dir, "api.token", token);
      int apiPort = FreePorts.next();
      Path yml =
          ConfigFiles.write(
              dir.resolve("manager.yml"),
              ConfigFiles.managerYaml(
                  "bench",
                  servers,
                  mpw,
                  dir.resolve("catalog"),
                  // schedules: [] ends the node list: no default nightly backup in the cluster
                  "    schedules: []\n"
                      + "api:\n  bind: 127.0.0.1\n  port: "
                      + apiPort
                      + "\n  token: {file: "
                      + tokenFile
                      + "}\n"
                      + "receiver:\n  bind: 127.0.0.1\n  port: 0\n"));
      Path log = dir.resolve("manager-daemon.log");
      daemon = Daemon.start(jar, yml, log);
      Api api = new Api(URI.create("http://127.0.0.1:" + apiPort), token);
      daemon.awaitHealthy(api, Duration.ofSeconds(60));
      t = System.nanoTime();
      JsonNode status = api.get(ManagerApi.NODES);
      long up = 0;
      for (JsonNode n : status) {
        up += n.path("up").asBoolean() ? 1 : 0;
      }
      if (up != nodes) {
        throw new IllegalStateException(
            "the daemon reaches " + up + " of " + nodes + " nodes: " + status);
      }
      System.out.printf(
          "manager daemon: dbjobs serve in its own process, %s, API on 127.0.0.1:%d, log %s;"
              + " GET /v1/nodes (first contact, creates the jobs tables) took %d ms%n",
          MANAGER_HEAP, apiPort, log, (System.nanoTime() - t) / 1_000_000);

      // 3. the agents, in this JVM
      t = System.nanoTime();
      for (DbServer s : servers) {
        String agentYml =
            ConfigFiles.agentYaml(
                s,
                apw,
                dir.resolve("work-" + s.name()),
                "http: {port: 0}\n" + ConfigFiles.serviceYaml(s));
        agents.add(Agent.start(AgentConfig.fromYaml(agentYml, "agent.yml", System::getenv, dir)));
      }
      System.out.printf(
          "agents: %d in-process agents at the default poll interval (500 ms), started in %d"
              + " ms; this JVM has %d threads%n",
          agents.size(),
          (System.nanoTime() - t) / 1_000_000,
          ManagementFactory.getThreadMXBean().getThreadCount());

      // 4. the rounds
      List<Double> enqueueMs = new ArrayList<>();
      List<Double> seenMs = new ArrayList<>();
      Stats listing = new Stats();
      ExecutorService submitters = Executors.newFixedThreadPool(SUBMIT_CONCURRENCY);
      try {
        for (int r = 1; r <= rounds; r++) {
          Round round = round(api, servers, submitters, listing, r);
          enqueueMs.add((double) round.enqueueMs());
          seenMs.add((double) round.seenMs());
          System.out.printf(
              "round %d: enqueue-all %d ms; all-results-seen %d ms (last job ended %d ms after"
                  + " the round started; %d listing calls)%n",
              r, round.enqueueMs(), round.seenMs(), round.lastEndedMs(), round.listings());
        }
      } finally {
        submitters.shutdownNow();
      }

      // 5. the summary
      List<Long> rss = new ArrayList<>();
      long pssSum = 0;
      for (DbServer s : servers) {
        rss.add(Proc.rss(pid(s)));
        pssSum += Proc.pss(pid(s));
      }
      Collections.sort(rss);
      System.out.println("---");
      System.out.println("nodes: " + nodes);
      System.out.printf(
          Locale.ROOT,
          "per-server RSS: %.1f MiB (one idle server after setup); after the rounds median %.1f"
              + " MiB, max %.1f MiB; PSS of all %d servers together %.2f GiB%n",
          firstRss / 1024.0,
          rss.get(rss.size() / 2) / 1024.0,
          rss.get(rss.size() - 1) / 1024.0,
          nodes,
          pssSum / 1024.0 / 1024.0);
      System.out.printf(
          "agents: %d in-process agents at the default poll interval (500 ms)%n", agents.size());
      for (int r = 0; r < rounds; r++) {
        System.out.printf(
            "round %d: enqueue-all %.0f ms, all-results-seen %.0f ms%n",
            r + 1, enqueueMs.get(r), seenMs.get(r));
      }
      System.out.printf(
          "median enqueue-all: %.0f ms (%d POST /v1/jobs, %d at a time)%n",
          Stats.median(enqueueMs), nodes, SUBMIT_CONCURRENCY);
      System.out.printf(
          "median all-results-seen: %.0f ms (GET /v1/jobs every %d ms once all were enqueued)%n",
          Stats.median(seenMs), LIST_PAUSE_MS);
      System.out.println("GET /v1/jobs over " + nodes + " nodes: " + listing.summary("ms"));
      daemon.close();
      System.out.printf(
          Locale.ROOT,
          "manager daemon peak RSS: %.0f MiB (heap %s), peak threads: %d%n",
          daemon.sampler.peakRssKib() / 1024.0,
          MANAGER_HEAP,
          daemon.sampler.peakThreads());
      System.out.printf(
          Locale.ROOT,
          "bench JVM (the %d agents) peak RSS: %.0f MiB, threads now: %d%n",
          agents.size(),
          Proc.peakRss(ProcessHandle.current().pid()) / 1024.0,
          ManagementFactory.getThreadMXBean().getThreadCount());
      daemon.printLogProblems();
    } finally {
      closeAll(agents, a -> a.stop("bench over"));
      if (daemon != null) {
        daemon.close();
      }
      closeAll(servers, DbServer::close);
    }
  }

  private record Round(long enqueueMs, long seenMs, long lastEndedMs, int listings) {}

  /** One job on every node, then polls the listing until every one succeeded. */
  private static Round round(
      Api api, List<DbServer> servers, ExecutorService submitters, Stats listing, int r)
      throws Exception {
    Thread.sleep(new Random(r).nextInt(1000)); // land anywhere in the agents' poll cycle
    Instant wall0 = Instant.now();
    long t0 = System.nanoTime();
    List<Future<JsonNode>> calls = new ArrayList<>();
    for (DbServer s : servers) {
      ManagerApi.SubmitBody body =
          new ManagerApi.SubmitBody(
              s.name(),
              "optimize",
              Map.of("mode", "analyze", "tables", "b.t"),
              "fanout-" + UUID.randomUUID(),
              "fanout-bench");
      calls.add(submitters.submit(() -> api.post(ManagerApi.JOBS, body)));
    }
    Map<String, Long> want = new HashMap<>();
    for (Future<JsonNode> f : calls) {
      JsonNode doc;
      try {
        doc = f.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("round " + r + ": a submit failed", e.getCause());
      }
      if (!doc.path("created").asBoolean()) {
        throw new IllegalStateException("round " + r + ": a submit created no job: " + doc);
      }
      want.put(doc.path("job").path("node").asText(), doc.path("job").path("id").asLong());
    }
    long enqueued = System.nanoTime();
    if (want.size() != servers.size()) {
      throw new IllegalStateException(
          "round " + r + ": " + want.size() + " jobs for " + servers.size() + " nodes");
    }
    long deadline = t0 + DEADLINE.toNanos();
    int listings = 0;
    while (true) {
      long l0 = System.nanoTime();
      ManagerApi.JobListDoc list =
          api.get(
              ManagerApi.JOBS + "?task=optimize&limit=" + FleetEndpoints.MAX_LIMIT,
              ManagerApi.JobListDoc.class);
      long now = System.nanoTime();
      listing.add((now - l0) / 1e6);
      listings++;
      int succeeded = 0;
      Instant lastEnded = wall0;
      Map<String, String> pending = new TreeMap<>();
      Map<String, Long> missing = new TreeMap<>(want);
      for (ManagerApi.JobDoc j : list.jobs()) {
        Long id = want.get(j.node());
        if (id == null || id != j.id()) {
          continue;
        }
        missing.remove(j.node());
        JobState state = JobState.fromCode(j.stateCode());
        if (state == JobState.SUCCEEDED) {
          succeeded++;
          if (j.ended() != null && j.ended().isAfter(lastEnded)) {
            lastEnded = j.ended();
          }
        } else if (state.isFinal()) {
          throw new IllegalStateException(
              "round "
                  + r
                  + ": job "
                  + j.id()
                  + " on "
                  + j.node()
                  + " ended "
                  + j.state()
                  + " ("
                  + j.errorCode()
                  + "): "
                  + j.result());
        } else {
          pending.put(j.node(), j.state());
        }
      }
      if (succeeded == want.size()) {
        return new Round(
            (enqueued - t0) / 1_000_000,
            (now - t0) / 1_000_000,
            Duration.between(wall0, lastEnded).toMillis(),
            listings);
      }
      if (now > deadline) {
        throw new IllegalStateException(
            String.format(
                "round %d: after %s the daemon shows %d of %d jobs succeeded; not in the listing:"
                    + " %s; not final: %s; unreachable nodes: %s",
                r,
                DEADLINE,
                succeeded,
                want.size(),
                first(missing),
                first(pending),
                list.unreachable()));
      }
      Thread.sleep(LIST_PAUSE_MS);
    }
  }

  private static String first(Map<String, ?> m) {
    List<String> out = new ArrayList<>();
    m.forEach((k, v) -> out.add(k + "=" + v));
    return out.size() <= 10
        ? out.toString()
        : out.subList(0, 10) + " and " + (out.size() - 10) + " more";
  }

  private static DbServer startNode(int i) {
    DbServer s = DbBackend.local().start("fan" + i, i, SMALL);
    try {
      DbUsers.create(s, "agent-pw", "manager-pw", false);
      s.execute(
          "CREATE DATABASE IF NOT EXISTS b", "CREATE TABLE IF NOT EXISTS b.t (id INT PRIMARY KEY)");
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Starts servers 2..nodes, {@value #START_THREADS} at a time, into {@code servers}. */
  private static void startOthers(int nodes, List<DbServer> servers) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(START_THREADS);
    try {
      List<Future<?>> started = new ArrayList<>();
      for (int i = 2; i <= nodes; i++) {
        int id = i;
        started.add(pool.submit(() -> servers.add(startNode(id))));
      }
      for (Future<?> f : started) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw new IllegalStateException("a server did not start", e.getCause());
        }
      }
    } finally {
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.MINUTES);
    }
  }

  /** Fails, saying how much one server takes, unless {@code nodes} such servers fit in memory. */
  private static void requireMemory(int nodes, long perServerKib) {
    long available = memAvailableKib();
    long need = (nodes - 1) * perServerKib + RESERVE_KIB;
    if (need > available) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "%d servers do not fit: one takes %.1f MiB RSS, the other %d need %.2f GiB plus a"
                  + " %.0f GiB reserve, and only %.2f GiB is available (MemAvailable)",
              nodes,
              perServerKib / 1024.0,
              nodes - 1,
              (nodes - 1) * perServerKib / 1024.0 / 1024.0,
              RESERVE_KIB / 1024.0 / 1024.0,
              available / 1024.0 / 1024.0));
    }
    System.out.printf(
        Locale.ROOT,
        "memory: %d servers need ~%.2f GiB by RSS; %.2f GiB available%n",
        nodes,
        nodes * perServerKib / 1024.0 / 1024.0,
        available / 1024.0 / 1024.0);
  }

  private static long memAvailableKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) {
          return Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no MemAvailable in /proc/meminfo");
  }

  /** The pid of a local server's mariadbd. */
  private static long pid(DbServer s) {
    try {
      return Long.parseLong(Files.readString(s.baseDir().resolve("mariadbd.pid")).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code close} on every item, 8 at a time; a failure is printed, the rest still run. */
  private static <T> void closeAll(List<T> items, Consumer<T> close) {
    List<T> copy;
    synchronized (items) {
      copy = new ArrayList<>(items);
      items.clear();
    }
    if (copy.isEmpty()) {
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (T item : copy) {
        pool.submit(
            () -> {
              try {
                close.accept(item);
              } catch (RuntimeException e) {
                System.err.println("cleanup: " + item + ": " + e);
              }
            });
      }
    } finally {
      pool.shutdown();
      try {
        if (!pool.awaitTermination(5, TimeUnit.MINUTES)) {
          System.err.println("cleanup: still closing after 5 minutes");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** {@code dbjobs serve} at {@link #MANAGER_HEAP}, its output in a log, RSS sampled. */
  private static final class Daemon implements AutoCloseable {
    private final Process process;
    private final ProcessSampler sampler;
    private final Path log;
    private final Thread hook;

    private Daemon(Process process, Path log) {
      this.process = process;
      this.sampler = ProcessSampler.start(process);
      this.log = log;
      this.hook = new Thread(process::destroyForcibly, "fanout-daemon-kill");
      Runtime.getRuntime().addShutdownHook(hook);
    }

    static Daemon start(Path jar, Path yml, Path log) {
      try {
        return new Daemon(
            new ProcessBuilder(
                    Proc.java(),
                    MANAGER_HEAP,
                    "-jar",
                    jar.toString(),
                    "serve",
                    "--config",
                    yml.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start(),
            log);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start dbjobs serve", e);
      }
    }

    void awaitHealthy(Api api, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "dbjobs serve exited " + process.exitValue() + ":\n" + tail());
        }
        try {
          api.get(ManagerApi.HEALTH);
          return;
        } catch (IllegalStateException | UncheckedIOException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "dbjobs serve did not answer within " + timeout + ":\n" + tail(), e);
          }
        }
        Thread.sleep(100);
      }
    }

    /** The daemon's WARN and ERROR lines, counted, the first few shown. */
    void printLogProblems() throws IOException {
      List<String> problems =
          Files.readAllLines(log).stream()
              .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
              .toList();
      System.out.println("manager daemon log: " + problems.size() + " WARN/ERROR lines");
      problems.stream().limit(10).forEach(l -> System.out.println("  " + l));
    }

    private String tail() {
      try {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
      } catch (IOException e) {
        return "(no log: " + e + ")";
      }
    }

    /** SIGTERM, then SIGKILL after 30 s; idempotent. */
    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroy();
        try {
          if (!process.waitFor(30, TimeUnit.SECONDS)) {
            System.err.println("dbjobs serve did not stop within 30 s of SIGTERM: killing it");
            process.destroyForcibly().waitFor();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          process.destroyForcibly();
        }
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook runs anyway
      }
    }
  }

  /** The daemon's HTTP API with the JDK client and the bearer token. */
  private static final class Api {
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI base;
    private final String token;

    Api(URI base, String token) {
      this.base = base;
      this.token = token;
    }

    JsonNode get(String path) {
      return send(request(path).GET().build());
    }

    <T> T get(String path, Class<T> type) {
      return ApiJson.MAPPER.convertValue(get(path), type);
    }

    JsonNode post(String path, Object body) {
      try {
        return send(
            request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ApiJson.MAPPER.writeValueAsString(body)))
                .build());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private HttpRequest.Builder request(String path) {
      return HttpRequest.newBuilder(base.resolve(path))
          .timeout(Duration.ofSeconds(60))
          .header("Authorization", "Bearer " + token);
    }

    private JsonNode send(HttpRequest req) {
      try {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
          throw new IllegalStateException(
              req.method()
                  + " "
                  + req.uri().getPath()
                  + " answered "
                  + r.statusCode()
                  + ": "
                  + r.body());
        }
        return ApiJson.MAPPER.readTree(r.body());
      } catch (IOException e) {
        throw new UncheckedIOException(req.method() + " " + req.uri() + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }
}
