package io.dbjobs.bench;

import io.dbjobs.agent.Agent;
import io.dbjobs.agent.AgentConfig;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.Task;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.fleet.DirectFleet;
import io.dbjobs.manager.fleet.Fleet;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.ServerOptions;
import io.dbjobs.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Job pickup latency: time from a job's insert to its claim ({@code start - created}, both the
 * database's clock), with the agent at its default 500 ms poll interval.
 *
 * <ol>
 *   <li>single node: {@code jobs} jobs submitted through the manager at random moments (uniform 0-1
 *       s apart, so they land anywhere in the poll cycle);
 *   <li>fan-out: one job on each of {@code nodes} servers' tables at once, through the manager,
 *       time until every one is claimed; repeated {@code rounds} times.
 * </ol>
 *
 * Usage: PickupBench [jobs=200] [nodes=20] [rounds=5]
 */
public final class PickupBench {
  public static void main(String[] args) throws Exception {
    int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Path dir = Files.createTempDirectory("dbjobs-pickup-bench");
    System.out.printf(
        "pickup bench: %d jobs on one node, then fan-out to %d nodes x %d rounds%n",
        jobs, nodes, rounds);

    List<DbServer> servers = new ArrayList<>();
    List<Agent> agents = new ArrayList<>();
    ServerOptions small =
        ServerOptions.defaults().set("innodb-buffer-pool-size", "16M").withoutBinlog();
    try {
      for (int i = 1; i <= nodes; i++) {
        DbServer s = DbBackend.local().start("pick" + i, i, small);
        servers.add(s);
        DbUsers.create(s, "agent-pw", "manager-pw", false);
        s.execute(
            "CREATE DATABASE IF NOT EXISTS b",
            "CREATE TABLE IF NOT EXISTS b.t (id INT PRIMARY KEY)");
      }
      Path apw = ConfigFiles.secret(dir, "agent.pw", "agent-pw");
      Path mpw = ConfigFiles.secret(dir, "manager.pw", "manager-pw");
      ManagerConfig mc =
          ManagerConfig.fromYaml(
              ConfigFiles.managerYaml("bench", servers, mpw, dir.resolve("catalog"), ""),
              "manager.yml",
              System::getenv,
              dir);
      try (DirectFleet fleet = new DirectFleet(mc)) {
        fleet.nodes(); // first contact: creates every jobs table
        for (DbServer s : servers) {
          String yaml =
              ConfigFiles.agentYaml(
                  s,
                  apw,
                  dir.resolve("work-" + s.name()),
                  "http: {port: 0}\n" + ConfigFiles.serviceYaml(s));
          agents.add(Agent.start(AgentConfig.fromYaml(yaml, "agent.yml", System::getenv, dir)));
        }
        single(fleet, servers.get(0).name(), jobs);
        fanOut(fleet, servers, rounds);
      }
    } finally {
      agents.forEach(a -> a.stop("bench over"));
      servers.forEach(DbServer::close);
    }
  }

  private static void single(Fleet fleet, String node, int jobs) throws InterruptedException {
    Random random = new Random(42);
    List<Fleet.Submitted> submitted = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      Thread.sleep(random.nextInt(1000));
      submitted.add(fleet.submit(req(node)));
    }
    Stats s = new Stats();
    for (Fleet.Submitted sub : submitted) {
      Job j = awaitStarted(fleet, node, sub.job().job().id());
      s.add(Duration.between(j.created(), j.started()).toMillis());
    }
    System.out.println("single node, insert -> claim: " + s.summary("ms"));
  }

  private static void fanOut(Fleet fleet, List<DbServer> servers, int rounds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(servers.size());
    Stats allClaimed = new Stats();
    Stats perJob = new Stats();
    try {
      for (int r = 0; r < rounds; r++) {
        Thread.sleep(new Random(r).nextInt(1000));
        long t0 = System.nanoTime();
        List<Future<Fleet.Submitted>> futures = new ArrayList<>();
        for (DbServer s : servers) {
          futures.add(pool.submit(() -> fleet.submit(req(s.name()))));
        }
        List<Fleet.Submitted> subs = new ArrayList<>();
        for (Future<Fleet.Submitted> f : futures) {
          subs.add(f.get());
        }
        long enqueued = System.nanoTime();
        for (Fleet.Submitted sub : subs) {
          Job j = awaitStarted(fleet, sub.job().node(), sub.job().job().id());
          perJob.add(Duration.between(j.created(), j.started()).toMillis());
        }
        long claimed = 0;
        for (Fleet.Submitted sub : subs) {
          Job j = fleet.job(sub.job().node(), sub.job().job().id()).job();
          claimed = Math.max(claimed, j.started().toEpochMilli());
        }
        long firstCreated =
            subs.stream()
                .mapToLong(x -> x.job().job().created().toEpochMilli())
                .min()
                .orElseThrow();
        allClaimed.add(claimed - firstCreated);
        System.out.printf(
            "fan-out round %d: enqueue on %d nodes took %d ms; all claimed %d ms after the first insert%n",
            r + 1, servers.size(), (enqueued - t0) / 1_000_000, claimed - firstCreated);
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.println("fan-out, first insert -> last claim: " + allClaimed.summary("ms"));
    System.out.println("fan-out, per job insert -> claim:    " + perJob.summary("ms"));
  }

  private static Fleet.SubmitRequest req(String node) {
    return new Fleet.SubmitRequest(
        node,
        Task.OPTIMIZE,
        Map.of("mode", "analyze", "tables", "b.t"),
        UUID.randomUUID().toString(),
        "bench");
  }

  private static Job awaitStarted(Fleet fleet, String node, long id) {
    return Waits.until(
        "job " + id + " on " + node + " to start",
        Duration.ofSeconds(30),
        () -> fleet.job(node, id).job(),
        j -> j.started() != null);
  }
}
