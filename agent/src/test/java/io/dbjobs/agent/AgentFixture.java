package io.dbjobs.agent;

import com.zaxxer.hikari.HikariDataSource;
import io.dbjobs.common.auth.JobSealer;
import io.dbjobs.common.auth.KeyRing;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.db.DataSources;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.jobs.JobsSchema;
import io.dbjobs.common.jobs.ManagerJobsTable;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.TestKeys;
import io.dbjobs.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An agent's surroundings for one test server: the dbjobs users (from sql/grants.sql), a config
 * file with the password in a 0600 file, the jobs table, and a manager-side DAO to submit jobs and
 * read them back the way the manager would.
 */
public final class AgentFixture implements AutoCloseable {
  public static final String AGENT_PASSWORD = "agent-" + UUID.randomUUID();
  public static final String MANAGER_PASSWORD = "manager-" + UUID.randomUUID();

  public final DbServer server;
  public final Path dir;
  final HikariDataSource managerPool;
  public final TestJobs jobs;
  private final List<Agent> agents = new ArrayList<>();

  public AgentFixture(DbServer server, Path dir) {
    this(server, dir, false);
  }

  /** With {@code reseedable}, the agent user also gets the admin grant reseeds need. */
  public AgentFixture(DbServer server, Path dir, boolean reseedable) {
    this.server = server;
    this.dir = dir;
    DbUsers.create(server, AGENT_PASSWORD, MANAGER_PASSWORD, reseedable);
    DatabaseEndpoint manager =
        new DatabaseEndpoint(
            server.host(),
            server.port(),
            null,
            DbUsers.MANAGER,
            new Secret(MANAGER_PASSWORD, "test"));
    managerPool =
        DataSources.pool(manager, "test-manager-" + server.name(), 2, Duration.ofSeconds(5));
    JobsSchema.ensure(managerPool, server.name());
    jobs =
        new TestJobs(
            new ManagerJobsTable(
                managerPool,
                server.name(),
                server.name(),
                () ->
                    new JobSealer(
                        KeyRing.load(TestKeys.managerFile(server.name()), server.name()),
                        Duration.ofHours(1),
                        java.time.Clock.systemUTC())));
  }

  /** Writes an agent.yml for this server; {@code extra} is YAML appended at the top level. */
  public Path writeConfig(String extra) {
    Path pw = dir.resolve("agent.password");
    if (!Files.exists(pw)) {
      ConfigFiles.secret(dir, "agent.password", AGENT_PASSWORD);
    }
    // never the machine's own database service: the test server's control script, unless set
    String service = extra.contains("service:") ? "" : ConfigFiles.serviceYaml(server);
    String yaml =
        ConfigFiles.agentYaml(
            server, pw, dir.resolve("work"), "http:\n  port: 0\n" + service + extra);
    return ConfigFiles.write(dir.resolve("agent-" + UUID.randomUUID() + ".yml"), yaml);
  }

  static AgentConfig parse(Path file) {
    return AgentConfig.load(file, System::getenv);
  }

  static AgentConfig parseYaml(String yaml) {
    return AgentConfig.fromYaml(yaml, "agent.yml", name -> null, Path.of("/"));
  }

  /** Starts an in-process agent with the given extra config; stopped by {@link #close()}. */
  public Agent startAgent(String extra) {
    Agent a =
        Agent.start(
            parse(writeConfig("jobs:\n  pollInterval: 100ms\n  sweepInterval: 500ms\n" + extra)));
    agents.add(a);
    return a;
  }

  public long submit(Task task, Map<String, String> params) {
    return jobs.insert(NewJob.of(task, params, UUID.randomUUID().toString(), "test")).id();
  }

  public Job job(long id) {
    return jobs.find(id).orElseThrow();
  }

  /** Waits until the job reaches {@code state} (fails fast, with the row, if it ends otherwise). */
  public Job await(long id, JobState state, Duration timeout) {
    // the node may be restarting (stop, restart, reseed): a failed read is "not yet"
    Job j =
        Waits.until(
            "job " + id + " to be " + state,
            timeout,
            () -> {
              try {
                return jobs.find(id).orElse(null);
              } catch (io.dbjobs.common.DbJobsException e) {
                return null;
              }
            },
            r -> r != null && (r.state() == state || r.state().isFinal()));
    if (j.state() != state) {
      throw new AssertionError(
          "job " + id + " ended " + j.state() + " instead of " + state + ": " + j);
    }
    return j;
  }

  @Override
  public void close() {
    for (Agent a : agents) {
      a.stop("test over");
    }
    managerPool.close();
  }
}
