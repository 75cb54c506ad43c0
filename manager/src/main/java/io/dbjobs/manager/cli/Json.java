package io.dbjobs.manager.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.manager.fleet.JobView;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON for scripts ({@code --json}): stable field names, ISO-8601 UTC times, no secrets. */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL, "cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** A job as scripts see it. */
  public static Map<String, Object> job(JobView v, Instant now) {
    Job j = v.job();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node", v.node());
    m.put("id", j.id());
    m.put("task", j.task());
    m.put("state", j.state().label());
    m.put("stateCode", j.state().code());
    m.put("phase", j.phase());
    m.put("bytesDone", j.bytesDone());
    m.put("bytesTotal", j.bytesTotal());
    m.put("digest", j.digest());
    m.put("errorCode", j.errorCode());
    m.put("result", j.result());
    try {
      m.put("params", j.params());
    } catch (DbJobsException e) {
      m.put("params", null);
      m.put("paramsRaw", j.paramsJson());
    }
    m.put("attempts", j.attempts());
    m.put("leaseOwner", j.leaseOwner());
    m.put("leaseExpires", j.leaseExpires());
    m.put("cancelRequested", j.cancelRequested());
    m.put("idempotencyKey", j.idempotencyKey());
    m.put("submittedBy", j.submittedBy());
    m.put("created", j.created());
    m.put("started", j.started());
    m.put("ended", j.ended());
    double elapsed = j.elapsedSeconds(now);
    m.put("elapsedSeconds", elapsed < 0 ? null : elapsed);
    m.put("server", j.server().isEmpty() ? null : j.server());
    m.put("port", j.port() == 0 ? null : j.port());
    return m;
  }
}
