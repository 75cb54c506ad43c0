package io.dbjobs.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The real {@code dbjobs} jar at {@code -Xmx128m}, run once per command with {@code --json}. */
final class ManagerCli {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One command: its wall time, the manager's peak RSS and the JSON it printed. */
  record Run(double seconds, long peakRssKib, JsonNode json) {
    /** Seconds from the job's start to its end, as the node's row recorded them. */
    double jobSeconds() {
      JsonNode job = json.has("job") ? json.get("job") : json;
      return Duration.between(
                  Instant.parse(job.get("started").asText()),
                  Instant.parse(job.get("ended").asText()))
              .toMillis()
          / 1000.0;
    }
  }

  private final Path repo;
  private final Path managerYml;
  private final Path logDir;

  ManagerCli(Path repo, Path managerYml, Path logDir) {
    this.repo = repo;
    this.managerYml = managerYml;
    this.logDir = logDir;
  }

  /** Runs {@code dbjobs --config manager.yml ARGS --json}; fails with its output unless exit 0. */
  Run run(String name, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Proc.java(),
                "-Xmx128m",
                "-jar",
                repo.resolve("manager/target/dbjobs.jar").toString(),
                "--config",
                managerYml.toString()));
    cmd.addAll(List.of(args));
    cmd.add("--json");
    Proc.Result r = Proc.run(cmd, logDir.resolve(name + ".log"));
    if (r.exit() != 0) {
      throw new IllegalStateException(
          "dbjobs " + String.join(" ", args) + " exited " + r.exit() + ":\n" + r.output());
    }
    int brace = r.output().indexOf('{');
    try {
      return new Run(r.seconds(), r.peakRssKib(), JSON.readTree(r.output().substring(brace)));
    } catch (JsonProcessingException | StringIndexOutOfBoundsException e) {
      throw new IllegalStateException(
          "dbjobs " + String.join(" ", args) + " printed no JSON:\n" + r.output(), e);
    }
  }
}
