package io.dbjobs.common.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ToolRunnerEnvironmentTest {
  private static Map<String, String> childEnv(ToolRunner runner, ToolCommand.Builder cmd)
      throws InterruptedException {
    ToolResult r =
        runner.run(cmd.stdout(ToolCommand.Output.CAPTURE).build(), Duration.ofSeconds(30));
    assertThat(r.ok()).as("env exits 0: " + r).isTrue();
    Map<String, String> env = new HashMap<>();
    for (String line : r.stdout().split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return env;
  }

  @Test
  void aSecretInTheAgentsEnvironmentDoesNotReachAChild() throws Exception {
    Map<String, String> agentEnv = new HashMap<>();
    agentEnv.put("PATH", "/usr/bin:/bin");
    agentEnv.put("LANG", "C.UTF-8");
    agentEnv.put("TZ", "UTC");
    agentEnv.put("HOME", "/var/lib/dbjobs");
    agentEnv.put("DBJOBS_REPL_PASSWORD", "s3cret-from-env");
    agentEnv.put("MYSQL_PWD", "s3cret-for-the-client");
    agentEnv.put("MYSQL_HOST", "evil.example");
    Map<String, String> child =
        childEnv(
            new ToolRunner(agentEnv),
            ToolCommand.of("env", List.of("/usr/bin/env")).env("DBJOBS_CHILD", "given"));
    assertThat(child)
        .containsEntry("PATH", "/usr/bin:/bin")
        .containsEntry("LANG", "C.UTF-8")
        .containsEntry("TZ", "UTC")
        .containsEntry("HOME", "/var/lib/dbjobs")
        .containsEntry("DBJOBS_CHILD", "given")
        .doesNotContainKeys("DBJOBS_REPL_PASSWORD", "MYSQL_PWD", "MYSQL_HOST");
    assertThat(child.values()).noneMatch(v -> v.contains("s3cret"));
  }

  @Test
  void aChildOfAProcessWithoutPathGetsTheSystemPath() throws Exception {
    Map<String, String> child =
        childEnv(new ToolRunner(Map.of()), ToolCommand.of("env", List.of("/usr/bin/env")));
    assertThat(child).containsOnlyKeys("PATH").containsEntry("PATH", ToolRunner.DEFAULT_PATH);
  }

  @Test
  void theRealProcessEnvironmentIsFilteredToo() throws Exception {
    String other =
        System.getenv().keySet().stream()
            .filter(k -> !ToolRunner.PASSED_ON.contains(k))
            .findFirst()
            .orElse(null);
    Assumptions.assumeTrue(other != null, "this JVM has no variable outside the passed-on list");
    Map<String, String> child =
        childEnv(new ToolRunner(), ToolCommand.of("env", List.of("/usr/bin/env")));
    assertThat(child).doesNotContainKey(other);
    assertThat(child.keySet()).allMatch(ToolRunner.PASSED_ON::contains);
  }
}
