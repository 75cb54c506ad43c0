package io.dbjobs.common.jobs;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.auth.JobSealer;
import io.dbjobs.common.auth.SealedFields;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobParams;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * {@link ManagerJobs} over JDBC. A job is inserted and sealed in one transaction: the seal covers
 * the row's id, which exists only once the row does, and no agent sees the row before it carries
 * its seal. The stream secret is stored only wrapped with the node's key.
 */
public final class ManagerJobsTable implements ManagerJobs {
  private final TableAccess db;
  private final String node;
  private final Supplier<JobSealer> sealer;

  /**
   * @param node the node every job here is sealed for
   * @param where the node, for messages, e.g. {@code db2 (10.0.0.2:3306)}
   * @param sealer the node's keys, asked for only when a job is enqueued (reading needs no key)
   */
  public ManagerJobsTable(DataSource ds, String node, String where, Supplier<JobSealer> sealer) {
    this.db = new TableAccess(ds, where);
    this.node = node;
    this.sealer = sealer;
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public String where() {
    return db.where();
  }

  @Override
  public Enqueued enqueue(NewJob job) {
    JobSealer keys = sealer.get();
    String params = JobParams.toJson(job.params());
    Optional<Long> id =
        db.write(
            "enqueue a " + job.task() + " job",
            c -> {
              c.setAutoCommit(false);
              try {
                Optional<Long> inserted = insertSealed(c, keys, job, params);
                if (inserted.isPresent()) {
                  c.commit();
                } else {
                  c.rollback();
                }
                return inserted;
              } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
              }
            });
    if (id.isPresent()) {
      return new Enqueued(
          findById(id.get())
              .orElseThrow(
                  () ->
                      new DbJobsException(
                          ErrorCode.INTERNAL,
                          "job " + id.get() + " vanished from " + where() + " after its insert")),
          true);
    }
    Job existing =
        find(new JobRef(node(), job.idempotencyKey(), job.task()))
            .orElseThrow(
                () ->
                    new DbJobsException(
                        ErrorCode.IDEMPOTENCY_CONFLICT,
                        "idempotency key '"
                            + job.idempotencyKey()
                            + "' was already used on "
                            + where()
                            + " for a job of another task; use another key for a different job"));
    if (!existing.paramsJson().equals(params)) {
      throw new DbJobsException(
          ErrorCode.IDEMPOTENCY_CONFLICT,
          "idempotency key '"
              + job.idempotencyKey()
              + "' was already used on "
              + where()
              + " for job "
              + existing.id()
              + " ("
              + existing.task()
              + " "
              + existing.paramsJson()
              + "); use another key for a different job");
    }
    return new Enqueued(existing, false);
  }

  /** Inserts and seals; empty when the key is taken. */
  private Optional<Long> insertSealed(Connection c, JobSealer sealer, NewJob job, String params)
      throws SQLException {
    long id;
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + JobsTable.NAME
                + " (task, state, idempotency_key, params, server, port, peer_name, node,"
                + " submitted_by) VALUES (?, "
                + JobState.QUEUED.code()
                + ", ?, ?, ?, ?, ?, ?, ?)",
            Statement.RETURN_GENERATED_KEYS)) {
      ps.setString(1, job.task().wireName());
      ps.setString(2, job.idempotencyKey());
      ps.setString(3, params);
      ps.setString(4, job.server());
      ps.setInt(5, job.port());
      ps.setString(6, job.peerName());
      ps.setString(7, node());
      ps.setString(8, job.submittedBy());
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        keys.next();
        id = keys.getLong(1);
      }
    } catch (SQLException e) {
      if (SqlErrors.isDuplicateKey(e)) {
        return Optional.empty();
      }
      throw e;
    }
    String box =
        job.streamSecret() == null
            ? null
            : sealer.wrapSecret(job.idempotencyKey(), job.streamSecret());
    Instant expires = sealer.expiry();
    String seal =
        sealer
            .seal(
                new SealedFields(
                    node(),
                    id,
                    job.idempotencyKey(),
                    job.task().wireName(),
                    params,
                    job.server(),
                    job.port(),
                    job.peerName(),
                    box,
                    expires))
            .format();
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE " + JobsTable.NAME + " SET seal=?, secret_box=? WHERE id=?")) {
      ps.setString(1, seal);
      ps.setString(2, box);
      ps.setLong(3, id);
      ps.executeUpdate();
    }
    return Optional.of(id);
  }

  @Override
  public Optional<Job> find(JobRef ref) {
    return db.one(
        "WHERE idempotency_key=? AND task=?",
        "read job " + ref,
        ref.idempotencyKey(),
        ref.task().wireName());
  }

  @Override
  public Optional<Job> findById(long id) {
    return db.one("WHERE id=?", "read job " + id, id);
  }

  @Override
  public List<Job> list(JobQuery q) {
    StringBuilder sql = new StringBuilder("WHERE 1=1");
    List<Object> args = new ArrayList<>();
    if (q.state() != null) {
      sql.append(" AND state=?");
      args.add(q.state().code());
    }
    if (q.task() != null) {
      sql.append(" AND task=?");
      args.add(q.task());
    }
    if (q.afterId() != null) {
      sql.append(" AND id>? ORDER BY id ASC");
      args.add(q.afterId());
    } else {
      sql.append(" ORDER BY id DESC");
    }
    sql.append(" LIMIT ?");
    args.add(q.limit());
    return db.many(sql.toString(), "list jobs", args.toArray());
  }

  @Override
  public Counts counts() {
    return db.read(
        "count jobs",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery(
                      "SELECT COALESCE(SUM(state="
                          + JobState.QUEUED.code()
                          + "),0), COALESCE(SUM("
                          + JobsTable.ACTIVE
                          + "),0) FROM "
                          + JobsTable.NAME
                          + " WHERE state IN ("
                          + JobState.QUEUED.code()
                          + ","
                          + JobState.RUNNING.code()
                          + ","
                          + JobState.WAITING_FOR_STREAM.code()
                          + ")")) {
            rs.next();
            return new Counts(rs.getInt(1), rs.getInt(2));
          }
        });
  }

  @Override
  public CancelResult cancel(JobRef ref, String by) {
    Optional<Job> j = find(ref);
    return j.isEmpty() ? CancelResult.NOT_FOUND : cancelById(j.get().id(), by);
  }

  @Override
  public CancelResult cancelById(long id, String by) {
    return db.write(
        "cancel job " + id,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + JobsTable.NAME
                      + " SET state="
                      + JobState.CANCELLED.code()
                      + ", done=1, end=NOW(3), cancel_requested=1, error_code='CANCELLED',"
                      + " phase='cancelled', secret_box=NULL, result=? WHERE id=? AND state="
                      + JobState.QUEUED.code())) {
            ps.setString(1, "cancelled by " + by + " before it started");
            ps.setLong(2, id);
            if (ps.executeUpdate() == 1) {
              return CancelResult.CANCELLED;
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + JobsTable.NAME
                      + " SET cancel_requested=1, result=IF(state IN ("
                      + JobState.RUNNING.code()
                      + ","
                      + JobState.WAITING_FOR_STREAM.code()
                      + "), ?, result) WHERE id=? AND state IN ("
                      + JobState.RUNNING.code()
                      + ","
                      + JobState.WAITING_FOR_STREAM.code()
                      + ","
                      + JobState.FINISHED.code()
                      + ")")) {
            // the agent says who asked and why in the cancelled job's result
            ps.setString(1, "cancel requested by " + by);
            ps.setLong(2, id);
            if (ps.executeUpdate() == 1) {
              return CancelResult.REQUESTED;
            }
          }
          return findById(id).isPresent() ? CancelResult.ALREADY_FINAL : CancelResult.NOT_FOUND;
        });
  }

  @Override
  public int failLostAgents(String observer) {
    return LeaseSweep.failExpired(db, observer, null);
  }
}
