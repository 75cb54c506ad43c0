package io.dbjobs.manager.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.manager.fleet.JobView;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A job crosses the API unchanged: the CLI shows the same through the daemon as directly. */
class JobDocTest {
  private static Job job(String paramsJson) {
    Instant t = Instant.parse("2025-11-23T02:00:00.123Z");
    return new Job(
        42,
        "optimize",
        JobState.FAILED,
        "schedule:prod:x:20251123T020000Z",
        paramsJson,
        "",
        0,
        1,
        "db2@host/1",
        null,
        false,
        "failed",
        10,
        20L,
        null,
        "AGENT_LOST",
        "agent lost: ...",
        "dbjobs serve",
        t,
        t.plusSeconds(1),
        t.plusSeconds(2),
        t.plusSeconds(2),
        false,
        null);
  }

  @Test
  void aJobSurvivesTheRoundTripThroughJson() throws Exception {
    JobView v = new JobView("db2", job("{\"mode\":\"analyze\",\"tables\":\"a.*\"}"));
    String json = ApiJson.MAPPER.writeValueAsString(ManagerApi.JobDoc.of(v));
    assertThat(json)
        .contains("\"state\":\"failed\"")
        .contains("\"created\":\"2025-11-23T02:00:00.123Z\"");
    JobView back = ApiJson.MAPPER.readValue(json, ManagerApi.JobDoc.class).toView();
    assertThat(back).isEqualTo(v);
  }

  @Test
  void malformedParamsTravelRaw() throws Exception {
    JobView v = new JobView("db2", job("{not json"));
    String json = ApiJson.MAPPER.writeValueAsString(ManagerApi.JobDoc.of(v));
    assertThat(ApiJson.MAPPER.readValue(json, ManagerApi.JobDoc.class).toView()).isEqualTo(v);
  }
}
