package io.dbjobs.manager.logs;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * One collected copy of a node's log, as its {@code <name>.json} describes it.
 *
 * @param name the copy's UTC time stamp, e.g. {@code 20261123T050102Z}: its files are {@code
 *     <name>.log[.zst]} and {@code <name>.json}
 * @param kind {@code error} or {@code slow}
 * @param dataFile the log file's name next to the json
 * @param contentCompression {@code none} or {@code zstd}
 * @param sha256 the stored file's SHA-256, verified on arrival
 * @param logFile the log's path on the node, as the agent reported it; null when unknown
 * @param jobId the agent's job that sent it
 * @param sourceMeta the trailer metadata as the agent sent it
 */
public record LogCopy(
    int version,
    String cluster,
    String node,
    String kind,
    String name,
    String dataFile,
    String contentCompression,
    long bytes,
    String sha256,
    String logFile,
    Instant collectedAt,
    Long jobId,
    String streamId,
    Map<String, String> sourceMeta,
    @JsonIgnore Path dir) {

  public LogCopy {
    sourceMeta = sourceMeta == null ? Map.of() : Map.copyOf(sourceMeta);
  }

  /** This copy, read from {@code dir}. */
  LogCopy in(Path folder) {
    return new LogCopy(
        version,
        cluster,
        node,
        kind,
        name,
        dataFile,
        contentCompression,
        bytes,
        sha256,
        logFile,
        collectedAt,
        jobId,
        streamId,
        sourceMeta,
        folder);
  }

  /** The stored log file. */
  public Path file() {
    return dir.resolve(dataFile);
  }
}
