package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "run it" command from a clean folder: deploy/sandbox/sandbox.sh sets up a primary
 * and two replicas, an agent per node and the manager daemon ({@code dbjobs serve}, API, schedules,
 * metrics); a scheduled backup lands on its own; the demo's backup and reseed go through the daemon
 * while a writer runs; it ends with replication running, checksums equal, the daemon's metrics and
 * the same jobs read directly ({@code --direct}); "down" removes everything.
 */
class SandboxIT {
  private static final long DEADLINE_MINUTES = 8;

  @TempDir Path dir;

  private record Run(int exit, String out) {}

  private Run sandbox(String command) throws Exception {
    Path repo = DeployTest.deploy().getParent();
    Path agentJar = repo.resolve("agent/target/dbjobs-agent.jar");
    Path managerJar = repo.resolve("manager/target/dbjobs.jar");
    assertThat(agentJar)
        .as("run the module build first (mvn verify builds the jars before this test)")
        .exists();
    assertThat(managerJar).exists();
    Path log = dir.resolve(command + ".out");
    ProcessBuilder pb =
        new ProcessBuilder("bash", repo.resolve("deploy/sandbox/sandbox.sh").toString(), command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("SANDBOX_DIR", dir.resolve("run").toString());
    pb.environment().put("SANDBOX_SKIP_BUILD", "1");
    Process p = pb.start();
    if (!p.waitFor(DEADLINE_MINUTES, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError(
          "sandbox.sh "
              + command
              + " did not end within "
              + DEADLINE_MINUTES
              + " minutes; its output:\n"
              + Files.readString(log, StandardCharsets.UTF_8));
    }
    return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  @Test
  void theDemoRunsThroughTheDaemonAndEndsWithAScheduledBackupMetricsAndEqualChecksums()
      throws Exception {
    try {
      Run demo = sandbox("demo");
      String out = demo.out();
      assertThat(demo.exit()).as(out).isZero();
      // the daemon runs, and the demo schedule's backup landed without any command asking
      assertThat(out)
          .as(out)
          .containsPattern("dbjobs serve running \\(pid \\d+\\), API http://127\\.0\\.0\\.1:\\d+")
          .contains("\"status\":\"ok\"")
          .containsPattern("scheduled backup landed: job \\d+ on db[23]")
          .containsPattern("state: +succeeded")
          .containsPattern("submitted by: +dbjobs serve \\(schedule sandbox/demo-once\\)")
          .containsPattern("idempotency key: +schedule:sandbox:demo-once:\\d{8}T\\d{6}Z");
      // the operator's backup and reseed went through the daemon's API
      assertThat(out)
          .as(out)
          .containsPattern("job \\d+ on db3 \\(backup-physical\\), run by the daemon at http://")
          .contains("stored as backup ")
          .containsPattern("job \\d+ on db2 \\(reseed-physical\\), run by the daemon at http://")
          .contains("reseeded from backup ")
          .contains("Slave_IO_Running: Yes")
          .contains("Slave_SQL_Running: Yes")
          .contains("checksums equal on every table")
          .contains("rows in shop.orders");
      // the metrics excerpt: agents up, newest good backup age, jobs by state
      String metrics = section(out, "the daemon's /metrics", "== daemon");
      assertThat(metrics)
          .as(out)
          .contains("dbjobs_agent_up{node=\"db1\"} 1.0")
          .contains("dbjobs_agent_up{node=\"db2\"} 1.0")
          .contains("dbjobs_agent_up{node=\"db3\"} 1.0")
          .containsPattern(
              "dbjobs_backup_newest_good_age_seconds\\{node=\"db3\",type=\"physical\"\\} \\d")
          .containsPattern(
              "dbjobs_jobs\\{node=\"db3\",state=\"succeeded\",task=\"backup-physical\"\\}"
                  + " [1-9]");
      // the same jobs without the daemon: both backups, the scheduled one and the operator's
      String direct = section(out, "without the daemon: dbjobs --direct", "== done");
      assertThat(
              direct.lines().filter(l -> l.matches("db[23] +\\d+ +backup-physical +succeeded.*")))
          .as(out)
          .hasSizeGreaterThanOrEqualTo(2);
    } finally {
      Run down = sandbox("down");
      assertThat(down.exit()).as(down.out()).isZero();
      assertThat(down.out()).as(down.out()).contains("stopped dbjobs serve");
    }
    assertThat(Files.exists(dir.resolve("run"))).isFalse();
    assertThat(
            ProcessHandle.allProcesses()
                .filter(
                    h ->
                        h.info()
                            .commandLine()
                            .map(c -> c.contains(dir.resolve("run").toString()))
                            .orElse(false))
                .count())
        .as("nothing the sandbox started is left running (daemon, agents, servers)")
        .isZero();
  }

  /** The text between the first line containing {@code from} and the next containing {@code to}. */
  private static String section(String out, String from, String to) {
    int a = out.indexOf(from);
    assertThat(a).as("'" + from + "' in:\n" + out).isNotNegative();
    int b = out.indexOf(to, a);
    return b < 0 ? out.substring(a) : out.substring(a, b);
  }
}
