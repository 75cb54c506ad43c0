package io.dbjobs.manager.logs;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.SinkFactory;
import io.dbjobs.manager.catalog.DurableFiles;
import io.dbjobs.manager.config.NodeConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The collected logs under the catalog: {@code <root>/<cluster>/<node>/logs/<error|slow>/}, one
 * {@code <stamp>.log} (or {@code .log.zst}) per copy and, written last, {@code <stamp>.json}. A
 * copy without its json is incomplete and ignored.
 */
public final class LogStore {
  static final String JSON = ".json";

  private final Path root;
  private final Clock clock;

  public LogStore(Path catalogRoot, Clock clock) {
    this.root = catalogRoot.toAbsolutePath().normalize();
    this.clock = clock;
  }

  Clock clock() {
    return clock;
  }

  /** {@code <root>/<cluster>/<node>/logs/<kind>}. */
  public Path dir(String cluster, String node, LogKind kind) {
    return root.resolve(cluster).resolve(node).resolve("logs").resolve(kind.label());
  }

  /**
   * The sink factory for a log copy arriving now: it stores the log and writes its json last; on
   * failure it leaves nothing.
   *
   * @param at the copy's time (its name)
   * @param jobId the sending job's id, completed once the job was enqueued
   */
  public SinkFactory sink(
      NodeConfig node, LogKind kind, Instant at, CompletableFuture<Long> jobId) {
    return hello -> LogSink.open(this, node, kind, at, hello, jobId);
  }

  /** Complete copies of a node's log, newest first. */
  public List<LogCopy> list(String cluster, String node, LogKind kind) {
    Path dir = dir(cluster, node, kind);
    List<LogCopy> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + JSON)) {
      for (Path json : ds) {
        if (json.getFileName().toString().startsWith(".")) {
          continue;
        }
        LogCopy c = read(json);
        if (c != null && Files.exists(dir.resolve(c.dataFile()))) {
          out.add(c.in(dir));
        }
      }
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw DurableFiles.failure("cannot list " + dir, e);
    }
    out.sort(Comparator.comparing(LogCopy::name).reversed());
    return out;
  }

  /**
   * The newest complete copy.
   *
   * @throws DbJobsException NOT_FOUND saying how to collect one
   */
  public LogCopy latest(NodeConfig node, LogKind kind) {
    List<LogCopy> all = list(node.cluster(), node.name(), kind);
    if (all.isEmpty()) {
      throw new DbJobsException(
          ErrorCode.NOT_FOUND,
          "no "
              + kind
              + " log of "
              + node.name()
              + " has been collected yet (looked in "
              + dir(node.cluster(), node.name(), kind)
              + "); collect one with: dbjobs logs collect --node "
              + node.name()
              + " --kind "
              + kind);
    }
    return all.get(0);
  }

  Optional<LogCopy> find(String cluster, String node, LogKind kind, String name) {
    return list(cluster, node, kind).stream().filter(c -> c.name().equals(name)).findFirst();
  }

  private static LogCopy read(Path json) {
    try {
      return LogJson.MAPPER.readValue(json.toFile(), LogCopy.class);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR,
          json + " is not a readable log copy description: " + e.getMessage(),
          e);
    }
  }

  /**
   * The last {@code lines} lines of a copy (decompressed when it is zstd).
   *
   * @throws DbJobsException CATALOG_ERROR when it cannot be read
   */
  public static List<String> tail(LogCopy c, int lines) {
    Path f = c.file();
    try {
      if (c.contentCompression().equals("zstd")) {
        return tailStream(new ZstdInputStreamNoFinalizer(Files.newInputStream(f)), lines);
      }
      return tailFile(f, lines);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR, "cannot read " + f + ": " + DbJobsException.describe(e), e);
    }
  }

  private static List<String> tailStream(InputStream in, int lines) throws IOException {
    Deque<String> last = new ArrayDeque<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
      String l;
      while ((l = r.readLine()) != null) {
        last.addLast(l);
        if (last.size() > lines) {
          last.removeFirst();
        }
      }
    }
    return List.copyOf(last);
  }

  /** Reads backwards from the end in blocks until enough line breaks were seen. */
  private static List<String> tailFile(Path f, int lines) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
      long end = raf.length();
      long pos = end;
      int newlines = 0;
      byte[] block = new byte[64 * 1024];
      // a final line break ends the last line; it does not start a new one
      if (end > 0) {
        raf.seek(end - 1);
        if (raf.read() == '\n') {
          newlines = -1;
        }
      }
      outer:
      while (pos > 0) {
        int n = (int) Math.min(block.length, pos);
        pos -= n;
        raf.seek(pos);
        raf.readFully(block, 0, n);
        for (int i = n - 1; i >= 0; i--) {
          if (block[i] == '\n' && ++newlines == lines) {
            pos += i + 1;
            break outer;
          }
        }
      }
      raf.seek(pos);
      byte[] rest = new byte[(int) Math.min(Integer.MAX_VALUE - 16, end - pos)];
      raf.readFully(rest);
      String text = new String(rest, StandardCharsets.UTF_8);
      List<String> out = new ArrayList<>(text.lines().toList());
      return out.size() > lines ? out.subList(out.size() - lines, out.size()) : out;
    }
  }
}
