package io.dbjobs.manager.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How API paths find their routes. */
class ApiRouterTest {
  private final ApiRouter router =
      new ApiRouter()
          .get("/v1/jobs/{node}/by-key/{key}", r -> ApiResponse.ok("by-key"))
          .get("/v1/jobs/{node}/{id}", r -> ApiResponse.ok("job"))
          .post("/v1/jobs/{node}/{id}/cancel", r -> ApiResponse.ok("cancel"));

  @Test
  void aLiteralSegmentWinsOverAParameterAddedAfterIt() {
    boolean[] other = {false};
    ApiRouter.Match m = router.match("GET", "/v1/jobs/db2/by-key/k%3A1%2F2", other);
    assertThat(m.params()).containsEntry("node", "db2").containsEntry("key", "k:1/2");
    assertThat(router.match("GET", "/v1/jobs/db2/42", other).params()).containsEntry("id", "42");
  }

  @Test
  void aPathOfAnotherMethodIsToldApartFromAnUnknownPath() {
    boolean[] other = {false};
    assertThat(router.match("GET", "/v1/jobs/db2/42/cancel", other)).isNull();
    assertThat(other[0]).isTrue();
    boolean[] none = {false};
    assertThat(router.match("GET", "/v1/nothing", none)).isNull();
    assertThat(none[0]).isFalse();
  }

  @Test
  void trailingSlashesDoNotMatter() {
    assertThat(router.match("GET", "/v1/jobs/db2/42/", new boolean[1])).isNotNull();
  }
}
