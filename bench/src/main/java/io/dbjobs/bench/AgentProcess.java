package io.dbjobs.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A real {@code dbjobs-agent} jar at {@code -Xmx128m} in its own process, its output in a log file,
 * its peak RSS (VmHWM) sampled every 100 ms until it exits.
 */
final class AgentProcess implements AutoCloseable {
  private final Process process;
  private final ProcessSampler sampler;

  private AgentProcess(Process process) {
    this.process = process;
    this.sampler = ProcessSampler.start(process);
  }

  static AgentProcess start(Path repo, Path agentYml, Path log) {
    try {
      return new AgentProcess(
          new ProcessBuilder(
                  Proc.java(),
                  "-Xmx128m",
                  "-jar",
                  repo.resolve("agent/target/dbjobs-agent.jar").toString(),
                  "--config",
                  agentYml.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the agent jar (built?)", e);
    }
  }

  /** The highest VmHWM seen, in KiB. */
  long peakRssKib() {
    return sampler.peakRssKib();
  }

  /** Stops the agent (SIGTERM) and waits for it. */
  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
