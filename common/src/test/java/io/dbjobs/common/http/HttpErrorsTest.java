package io.dbjobs.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.agentapi.AgentApi;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The one mapping from failures to HTTP answers. */
class HttpErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void mapsEachCodeToTheStatusItsClientsExpect() {
    assertThat(HttpErrors.status(ErrorCode.USAGE)).isEqualTo(400);
    assertThat(HttpErrors.status(ErrorCode.BAD_PARAMETER)).isEqualTo(400);
    assertThat(HttpErrors.status(ErrorCode.UNKNOWN_TASK)).isEqualTo(400);
    assertThat(HttpErrors.status(ErrorCode.NOT_FOUND)).isEqualTo(404);
    assertThat(HttpErrors.status(ErrorCode.IDEMPOTENCY_CONFLICT)).isEqualTo(409);
    assertThat(HttpErrors.status(ErrorCode.SCHEMA_CONFLICT)).isEqualTo(409);
    assertThat(HttpErrors.status(ErrorCode.PREFLIGHT_REFUSED)).isEqualTo(409);
    assertThat(HttpErrors.status(ErrorCode.AGENT_UNREACHABLE)).isEqualTo(502);
    assertThat(HttpErrors.status(ErrorCode.PERMISSION_DENIED)).isEqualTo(502);
    // the manager's AgentClient reads 503 as "the node's database is down"
    assertThat(HttpErrors.status(ErrorCode.NODE_UNREACHABLE)).isEqualTo(503);
    assertThat(HttpErrors.status(ErrorCode.DATABASE_ERROR)).isEqualTo(503);
    assertThat(HttpErrors.status(ErrorCode.SERVER_BUSY)).isEqualTo(503);
    assertThat(HttpErrors.status(ErrorCode.TIMEOUT)).isEqualTo(504);
    assertThat(HttpErrors.status(ErrorCode.TOOL_FAILED)).isEqualTo(500);
    assertThat(HttpErrors.status(ErrorCode.INTERNAL)).isEqualTo(500);
  }

  @Test
  void everyCodeHasAnErrorStatus() {
    for (ErrorCode c : ErrorCode.values()) {
      assertThat(HttpErrors.status(c)).as(c.name()).isBetween(400, 599);
    }
  }

  @Test
  void writesTheMessageAndTheCodeInTheShapeBothClientsRead() throws Exception {
    HttpReply r =
        HttpErrors.of(new DbJobsException(ErrorCode.UNKNOWN_TASK, "unknown task 'defrag'"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.contentType()).isEqualTo("application/json");
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(body).isEqualTo("{\"error\":\"unknown task 'defrag'\",\"code\":\"UNKNOWN_TASK\"}");
    // the manager's AgentClient reads AgentApi.Error with unknown properties refused
    assertThat(JSON.readValue(body, AgentApi.Error.class))
        .isEqualTo(new AgentApi.Error("unknown task 'defrag'", "UNKNOWN_TASK"));
  }

  @Test
  void anInternalErrorNamesOnlyItsIncident() throws Exception {
    HttpReply r = HttpErrors.internal("0a1b2c3d");
    assertThat(r.status()).isEqualTo(500);
    HttpErrors.ErrorBody b = JSON.readValue(r.body(), HttpErrors.ErrorBody.class);
    assertThat(b.code()).isEqualTo("INTERNAL");
    assertThat(b.error())
        .isEqualTo("internal error (incident 0a1b2c3d; the server's log has the details)");
  }

  @Test
  void quotesAndControlCharactersInAMessageStayInsideTheJsonString() throws Exception {
    String nasty = "name \"x\"\n}{\"code\":\"OK\"";
    HttpReply r = HttpErrors.error(400, ErrorCode.USAGE, nasty);
    HttpErrors.ErrorBody b = JSON.readValue(r.body(), HttpErrors.ErrorBody.class);
    assertThat(b.error()).isEqualTo(nasty);
    assertThat(b.code()).isEqualTo("USAGE");
  }
}
