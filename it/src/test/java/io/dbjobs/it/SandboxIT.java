package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "run it" command: deploy/sandbox/sandbox.sh sets up a primary and two replicas, an
 * agent per node and the manager, backs up and reseeds a replica while a writer runs, and ends with
 * replication running and checksums equal; "down" removes everything.
 */
class SandboxIT {
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
    ProcessBuilder pb =
        new ProcessBuilder("bash", repo.resolve("deploy/sandbox/sandbox.sh").toString(), command)
            .redirectErrorStream(true);
    pb.environment().put("SANDBOX_DIR", dir.resolve("run").toString());
    pb.environment().put("SANDBOX_SKIP_BUILD", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Run(p.exitValue(), out);
  }

  @Test
  void theDemoBacksUpAndReseedsAReplicaAndEndsWithEqualChecksums() throws Exception {
    try {
      Run demo = sandbox("demo");
      assertThat(demo.exit()).as(demo.out()).isZero();
      assertThat(demo.out())
          .contains("stored: ")
          .contains("reseeded from backup ")
          .contains("Slave_IO_Running: Yes")
          .contains("Slave_SQL_Running: Yes")
          .contains("checksums equal on every table")
          .contains("rows in shop.orders");
    } finally {
      Run down = sandbox("down");
      assertThat(down.exit()).as(down.out()).isZero();
    }
    assertThat(Files.exists(dir.resolve("run"))).isFalse();
    assertThat(
            ProcessHandle.allProcesses()
                .filter(
                    h -> h.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false))
                .count())
        .as("nothing the sandbox started is left running")
        .isZero();
  }
}
