package io.dbjobs.manager.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.manager.catalog.DurableFiles;
import io.dbjobs.manager.config.ClusterPolicy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The operator state in one JSON file ({@code <catalog.dir>/.state/operator-state.json}), for a
 * manager with the RAM scheduler store. Every change is a locked read-modify-write (a lock file
 * across processes, a lock per file inside one), written to a temp file, fsynced and renamed over
 * the old one; a reader never sees half a file.
 */
public final class FileOperatorState implements OperatorState {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT);
  private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  /** The file's content. */
  record Doc(int version, Map<String, Shun> shunned, Map<String, PolicySetting> policies) {
    Doc {
      shunned = shunned == null ? new TreeMap<>() : new TreeMap<>(shunned);
      policies = policies == null ? new TreeMap<>() : new TreeMap<>(policies);
    }

    static Doc empty() {
      return new Doc(1, null, null);
    }
  }

  private final Path file;
  private final Clock clock;

  public FileOperatorState(Path file, Clock clock) {
    this.file = file.toAbsolutePath().normalize();
    this.clock = clock;
  }

  /** The state file of a catalog folder. */
  public static Path fileIn(Path catalogDir) {
    return catalogDir.resolve(".state").resolve("operator-state.json");
  }

  @Override
  public String where() {
    return "file " + file;
  }

  @Override
  public Map<String, Shun> shuns() {
    return Map.copyOf(read().shunned());
  }

  @Override
  public Shun shun(String node, String reason, String by) {
    Shun s = new Shun(node, OperatorState.cleanReason(reason), by, clock.instant());
    change(d -> d.shunned().put(node, s));
    return s;
  }

  @Override
  public boolean welcome(String node) {
    boolean[] was = new boolean[1];
    change(d -> was[0] = d.shunned().remove(node) != null);
    return was[0];
  }

  @Override
  public Map<String, PolicySetting> policies() {
    return Map.copyOf(read().policies());
  }

  @Override
  public PolicySetting setPolicy(String cluster, ClusterPolicy policy, String reason, String by) {
    PolicySetting p =
        new PolicySetting(cluster, policy, OperatorState.cleanReason(reason), by, clock.instant());
    change(d -> d.policies().put(cluster, p));
    return p;
  }

  @Override
  public boolean clearPolicy(String cluster) {
    boolean[] was = new boolean[1];
    change(d -> was[0] = d.policies().remove(cluster) != null);
    return was[0];
  }

  private Doc read() {
    try {
      Doc d = JSON.readValue(Files.readAllBytes(file), Doc.class);
      return d == null ? Doc.empty() : d;
    } catch (NoSuchFileException e) {
      return Doc.empty();
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR,
          "cannot read the operator state "
              + file
              + " ("
              + e.getMessage()
              + "); fix it or move it away (shuns and run-time policies are then forgotten)",
          e);
    }
  }

  private void change(Consumer<Doc> edit) {
    ReentrantLock local = IN_PROCESS.computeIfAbsent(file, k -> new ReentrantLock());
    local.lock();
    try {
      createDir();
      try (FileChannel ch =
              FileChannel.open(
                  file.resolveSibling("operator-state.lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        Doc d = read();
        edit.accept(d);
        DurableFiles.write(file, JSON.writeValueAsBytes(d));
      }
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR, "cannot write the operator state " + file + ": " + e, e);
    } finally {
      local.unlock();
    }
  }

  private void createDir() throws IOException {
    Path dir = file.getParent();
    if (Files.isDirectory(dir)) {
      return;
    }
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
    } else {
      Files.createDirectories(dir);
    }
  }
}
