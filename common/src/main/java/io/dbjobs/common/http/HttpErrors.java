package io.dbjobs.common.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The one mapping from failures to HTTP answers, for every dbjobs HTTP server: a {@link
 * DbJobsException} answers with the status of its {@link ErrorCode} ({@link #status}) and the body
 * {@code {"error": <message>, "code": <ErrorCode name>}} (the shape the CLI's and the manager's
 * clients parse); a refused token is 401 with code {@value #UNAUTHORIZED}; anything unexpected is a
 * 500 that names an incident to look up in the server's log, never the exception itself.
 */
public final class HttpErrors {
  /** The code of a 401: a missing or wrong bearer token (not an {@link ErrorCode}). */
  public static final String UNAUTHORIZED = "UNAUTHORIZED";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The error document. */
  public record ErrorBody(String error, String code) {}

  private HttpErrors() {}

  /** The status a failure with this code answers with. */
  public static int status(ErrorCode code) {
    return switch (code) {
      case USAGE, BAD_PARAMETER, UNKNOWN_TASK -> 400;
      case NOT_FOUND -> 404;
      case IDEMPOTENCY_CONFLICT, SCHEMA_CONFLICT, PREFLIGHT_REFUSED -> 409;
      case AGENT_UNREACHABLE, DAEMON_UNREACHABLE, PERMISSION_DENIED -> 502;
      case NODE_UNREACHABLE, DATABASE_ERROR, SERVER_BUSY -> 503;
      case TIMEOUT -> 504;
      default -> 500;
    };
  }

  /** The answer to a request that failed with {@code e}. */
  public static HttpReply of(DbJobsException e) {
    return error(status(e.code()), e.code().name(), e.getMessage());
  }

  /** An error answer with this status, code and message. */
  public static HttpReply error(int status, ErrorCode code, String message) {
    return error(status, code.name(), message);
  }

  /** An error answer with this status, code and message. */
  public static HttpReply error(int status, String code, String message) {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(new ErrorBody(message, code));
    } catch (JsonProcessingException e) {
      // two strings always serialize; keep an answer anyway
      body =
          ("{\"error\":\"unprintable error\",\"code\":\"" + code + "\"}")
              .getBytes(StandardCharsets.UTF_8);
    }
    return new HttpReply(status, HttpReply.JSON, body, Map.of());
  }

  /** The 500 of an unexpected failure: only the incident under which the server logged it. */
  public static HttpReply internal(String incident) {
    return error(
        500,
        ErrorCode.INTERNAL,
        "internal error (incident " + incident + "; the server's log has the details)");
  }
}
