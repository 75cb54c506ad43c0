package io.dbjobs.common.job;

import java.time.Instant;
import java.util.Map;

/**
 * One row of {@code replication_manager_schema.jobs}, as read. Its stream secret is wrapped ({@link
 * RowSeal#secretBox()}): only the node's agent can open it, after checking the seal.
 *
 * @param paramsJson the raw params column; see {@link #params()}
 * @param task the raw task name from the row; may name no known {@link Task}
 * @param server stream peer host (replication-manager's column), empty when there is no stream
 * @param port stream peer port, 0 when there is no stream
 * @param leaseExpired whether, by the database's clock when the row was read, the job was active
 *     with its lease past: its agent is lost
 * @param seal the authentication columns, read only where they are checked
 */
public record Job(
    long id,
    String task,
    JobState state,
    String idempotencyKey,
    String paramsJson,
    String server,
    int port,
    int attempts,
    String leaseOwner,
    Instant leaseExpires,
    boolean cancelRequested,
    String phase,
    long bytesDone,
    Long bytesTotal,
    String digest,
    String errorCode,
    String result,
    String submittedBy,
    Instant created,
    Instant started,
    Instant ended,
    Instant updated,
    boolean leaseExpired,
    RowSeal seal) {

  public Job {
    seal = seal == null ? RowSeal.NONE : seal;
  }

  /**
   * The parameters as a map.
   *
   * @throws io.dbjobs.common.DbJobsException BAD_PARAMETER when the row's JSON is malformed
   */
  public Map<String, String> params() {
    return JobParams.parse(paramsJson);
  }

  /** The known task of this row, if its name is one. */
  public java.util.Optional<Task> knownTask() {
    return Task.byName(task);
  }

  /** Whether this row is the job {@code ref} names (same key and task). */
  public boolean is(JobRef ref) {
    return idempotencyKey.equals(ref.idempotencyKey()) && task.equals(ref.task().wireName());
  }

  /** This row with another phase and byte counts (a receiver's view merged in). */
  public Job withProgress(String phase, long bytesDone, Long bytesTotal) {
    return new Job(
        id,
        task,
        state,
        idempotencyKey,
        paramsJson,
        server,
        port,
        attempts,
        leaseOwner,
        leaseExpires,
        cancelRequested,
        phase,
        bytesDone,
        bytesTotal,
        digest,
        errorCode,
        result,
        submittedBy,
        created,
        started,
        ended,
        updated,
        leaseExpired,
        seal);
  }

  /** Seconds between start and end (or {@code now} while running); -1 before it started. */
  public double elapsedSeconds(Instant now) {
    if (started == null) {
      return -1;
    }
    Instant until = ended != null ? ended : now;
    return (until.toEpochMilli() - started.toEpochMilli()) / 1000.0;
  }
}
