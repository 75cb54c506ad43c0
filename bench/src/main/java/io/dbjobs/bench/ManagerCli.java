package io.dbjobs.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code dbjobs} jar at {@code -Xmx128m}, run once per command with {@code --json} and
 * {@code DBJOBS_STEPS=debug}: besides its JSON, each run yields the command's steps (the {@code
 * dbjobs.steps} debug lines, see {@code io.dbjobs.common.time.Steps}), from which {@link
 * Run#breakdown()} says where the command's time went around its job.
 */
final class ManagerCli {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern STEP =
      Pattern.compile("step (.+?) at (\\d+) \\(\\+(\\d+) ms since the JVM started\\)");

  /** One step of the command: its name and wall-clock time (epoch ms). */
  record Step(String name, long atMillis) {}

  /** One command: its wall time, the manager's peak RSS, the JSON it printed and its steps. */
  record Run(
      double seconds, long peakRssKib, JsonNode json, List<Step> steps, long startedAtMillis) {
    private JsonNode job() {
      return json.has("job") ? json.get("job") : json;
    }

    /** Seconds from the job's start to its end, as the node's row recorded them. */
    double jobSeconds() {
      return (jobEndedMillis() - jobStartedMillis()) / 1000.0;
    }

    long jobStartedMillis() {
      return Instant.parse(job().get("started").asText()).toEpochMilli();
    }

    long jobEndedMillis() {
      return Instant.parse(job().get("ended").asText()).toEpochMilli();
    }

    /** Seconds of the command that are not its job's: the command minus the job. */
    double overheadSeconds() {
      return seconds - jobSeconds();
    }

    private Step step(String name) {
      return steps.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * Where the command's time went: "JVM start" (process start to main), the steps before the
     * job's start, the job, the steps after the job's end (each as the time since that end), and
     * "JVM exit" (the last step to the process's end); seconds.
     */
    String breakdown() {
      long end = startedAtMillis + Math.round(seconds * 1000);
      long started = jobStartedMillis();
      long ended = jobEndedMillis();
      Step main = step("main");
      Step exit = step("exit");
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "command %.2f s = ", seconds));
      long before = started;
      if (main != null) {
        sb.append(secs("JVM start", main.atMillis() - startedAtMillis)).append(" + ");
        before = started - main.atMillis();
        StringBuilder items = new StringBuilder();
        long prev = main.atMillis();
        String lastName = "main";
        for (Step s : steps) {
          if (s.atMillis() <= started && !s.name().equals("main")) {
            items.append(items.isEmpty() ? "" : ", ").append(secs(s.name(), s.atMillis() - prev));
            prev = s.atMillis();
            lastName = s.name();
          }
        }
        // the agent may claim the job before the command logs that it submitted it
        String rest = lastName.equals("job submitted") ? "agent pick-up" : "to the job's start";
        items.append(items.isEmpty() ? "" : ", ").append(secs(rest, started - prev));
        sb.append(secs("before the job", before)).append(" (").append(items).append(") + ");
      } else {
        sb.append(secs("before the job, JVM start included", started - startedAtMillis))
            .append(" + ");
      }
      sb.append(secs("job", ended - started)).append(" + ");
      long lastStep = exit != null ? exit.atMillis() : ended;
      StringBuilder after = new StringBuilder();
      for (Step s : steps) {
        if (s.atMillis() >= started && s.atMillis() >= ended - 50 && !s.name().equals("exit")) {
          after.append(after.isEmpty() ? "" : ", ").append(secs(s.name(), s.atMillis() - ended));
        }
      }
      sb.append(secs("after the job's end", lastStep - ended));
      if (!after.isEmpty()) {
        sb.append(" (at: ").append(after).append(")");
      }
      sb.append(" + ").append(secs("JVM exit", end - lastStep));
      return sb.toString();
    }

    private static String secs(String label, long millis) {
      return String.format(Locale.ROOT, "%s %.2f", label, millis / 1000.0);
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

  private List<String> java() {
    return new ArrayList<>(
        List.of(
            Proc.java(),
            "-Xmx128m",
            "-jar",
            repo.resolve("manager/target/dbjobs.jar").toString(),
            "--config",
            managerYml.toString()));
  }

  /**
   * Seconds of {@code dbjobs --version}: the JVM's start and exit with the CLI's own set-up, the
   * part of any command that is not its work.
   */
  double jvmStartSeconds(String name) {
    List<String> cmd = java();
    cmd.add("--version");
    Proc.Result r = Proc.run(cmd, logDir.resolve(name + ".log"));
    if (r.exit() != 0) {
      throw new IllegalStateException("dbjobs --version exited " + r.exit() + ":\n" + r.output());
    }
    return r.seconds();
  }

  /** Runs {@code dbjobs --config manager.yml ARGS --json}; fails with its output unless exit 0. */
  Run run(String name, String... args) {
    List<String> cmd = java();
    cmd.addAll(List.of(args));
    cmd.add("--json");
    Proc.Result r = Proc.run(cmd, logDir.resolve(name + ".log"), Map.of("DBJOBS_STEPS", "debug"));
    if (r.exit() != 0) {
      throw new IllegalStateException(
          "dbjobs " + String.join(" ", args) + " exited " + r.exit() + ":\n" + r.output());
    }
    List<Step> steps = new ArrayList<>();
    StringBuilder rest = new StringBuilder();
    for (String line : r.output().split("\n", -1)) {
      Matcher m = STEP.matcher(line);
      if (m.find()) {
        steps.add(new Step(m.group(1), Long.parseLong(m.group(2))));
      } else {
        rest.append(line).append('\n');
      }
    }
    String out = rest.toString();
    int brace = out.indexOf('{');
    try {
      return new Run(
          r.seconds(),
          r.peakRssKib(),
          JSON.readTree(out.substring(brace)),
          steps,
          r.startedAtMillis());
    } catch (JsonProcessingException | StringIndexOutOfBoundsException e) {
      throw new IllegalStateException(
          "dbjobs " + String.join(" ", args) + " printed no JSON:\n" + r.output(), e);
    }
  }
}
