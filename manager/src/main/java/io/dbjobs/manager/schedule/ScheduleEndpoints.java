package io.dbjobs.manager.schedule;

import io.dbjobs.manager.api.ApiEndpoints;
import io.dbjobs.manager.api.ApiResponse;
import io.dbjobs.manager.api.ApiRouter;
import io.dbjobs.manager.api.ManagerApi;

/**
 * {@code GET /v1/schedules} (every schedule with its next and previous fire) and {@code POST
 * /v1/schedules/{cluster}/{name}/run} (fire it now, once; 202).
 */
public final class ScheduleEndpoints implements ApiEndpoints {
  private final DaemonScheduler scheduler;

  public ScheduleEndpoints(DaemonScheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public void register(ApiRouter r) {
    r.get(ManagerApi.SCHEDULES, req -> ApiResponse.ok(scheduler.list()));
    r.post(
        ManagerApi.SCHEDULES + "/{cluster}/{name}/run",
        req -> {
          String cluster = req.param("cluster");
          String name = req.param("name");
          scheduler.runNow(cluster, name);
          return ApiResponse.of(
              202,
              scheduler.list().stream()
                  .filter(d -> d.cluster().equals(cluster) && d.name().equals(name))
                  .findFirst()
                  .orElseThrow());
        });
  }
}
