package io.dbjobs.agent.task.reseed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tools a killed agent had started on a reseed's folders and that outlived it. {@code mbstream}
 * ends by itself once its input closes, but {@code mariadb-backup --prepare} or {@code chown -R}
 * would go on writing into the staging folder while the next agent's settle removes it. Before a
 * settle touches a folder, every process whose command line names that folder (or a path inside it)
 * is killed (SIGKILL) and waited for. The database server is never one of them.
 */
final class OrphanTools {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanTools.class);
  private static final Set<String> NEVER = Set.of("mariadbd", "mysqld", "mariadbd-safe");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private OrphanTools() {}

  /**
   * Kills the processes naming any of {@code folders} in their arguments.
   *
   * @return each one killed, as "pid command line", for the log
   */
  static List<String> killNaming(String label, List<Path> folders) throws InterruptedException {
    long self = ProcessHandle.current().pid();
    List<ProcessHandle> found =
        ProcessHandle.allProcesses()
            .filter(p -> p.pid() != self && p.isAlive())
            .filter(p -> !isServer(p))
            .filter(p -> names(p, folders))
            .toList();
    List<String> killed = new ArrayList<>();
    for (ProcessHandle p : found) {
      String what = p.pid() + " " + p.info().commandLine().orElse("?");
      p.destroyForcibly();
      try {
        p.onExit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        killed.add(what);
      } catch (TimeoutException | ExecutionException e) {
        LOG.error(
            "{}: {} left running by the agent that stopped did not end after SIGKILL within {}",
            label,
            what,
            WAIT);
      }
    }
    if (!killed.isEmpty()) {
      LOG.warn(
          "{}: killed what the agent that stopped left running on its folders: {}", label, killed);
    }
    return killed;
  }

  private static boolean isServer(ProcessHandle p) {
    return p.info()
        .command()
        .map(c -> NEVER.contains(Path.of(c).getFileName().toString()))
        .orElse(false);
  }

  private static boolean names(ProcessHandle p, List<Path> folders) {
    String[] args = p.info().arguments().orElse(new String[0]);
    for (String a : args) {
      for (Path f : folders) {
        if (namesPath(a, f.toString())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * True when {@code arg} holds {@code folder} as a whole path or a parent of one: {@code
   * /x/data.dbjobs-new-4} is named by {@code --target-dir=/x/data.dbjobs-new-4} and {@code
   * /x/data.dbjobs-new-4/ibdata1}, not by {@code /x/data.dbjobs-new-42}.
   */
  static boolean namesPath(String arg, String folder) {
    int i = arg.indexOf(folder);
    while (i >= 0) {
      int end = i + folder.length();
      if (end == arg.length() || arg.charAt(end) == '/') {
        return true;
      }
      i = arg.indexOf(folder, i + 1);
    }
    return false;
  }
}
