package io.dbjobs.manager.work;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.manager.api.ApiEndpoints;
import io.dbjobs.manager.api.ApiRequest;
import io.dbjobs.manager.api.ApiResponse;
import io.dbjobs.manager.api.ApiRouter;
import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.manager.catalog.BackupJson;
import io.dbjobs.manager.catalog.BackupType;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.logs.LogKind;
import io.dbjobs.manager.reseed.Reseed;
import io.dbjobs.manager.reseed.ReseedMethod;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code /v1/backups}, {@code /v1/logs}, {@code /v1/reseed}: the daemon's long work over HTTP. A
 * POST answers 202 with the node's job as soon as it is enqueued; follow it with {@code GET
 * /v1/jobs/{node}/{id}}.
 */
public final class WorkEndpoints implements ApiEndpoints {
  private final BackgroundWork work;

  public WorkEndpoints(BackgroundWork work) {
    this.work = work;
  }

  @Override
  public void register(ApiRouter r) {
    r.get(ManagerApi.BACKUPS, this::listBackups);
    r.post(ManagerApi.BACKUPS, this::backup);
    r.post(ManagerApi.LOGS, this::logs);
    r.post(ManagerApi.RESEED, this::reseed);
  }

  private ApiResponse listBackups(ApiRequest req) {
    String node = req.query("node");
    List<Map<String, Object>> out =
        work.catalog().list().stream()
            .filter(e -> node == null || e.node().equals(node))
            .map(BackupJson::backup)
            .toList();
    return ApiResponse.ok(out);
  }

  private ApiResponse backup(ApiRequest req) {
    ManagerApi.BackupBody b = req.body(ManagerApi.BackupBody.class);
    require(b != null && b.node() != null && b.type() != null, "a backup needs node and type");
    JobView job =
        work.startBackup(
            b.node(),
            BackupType.parse(b.type()),
            Compression.parse(b.compression() == null ? "none" : b.compression()),
            b.contentCompression(),
            b.params() == null ? Map.of() : b.params(),
            key(b.idempotencyKey()),
            b.submittedBy());
    return ApiResponse.of(202, ManagerApi.JobDoc.of(job));
  }

  private ApiResponse logs(ApiRequest req) {
    ManagerApi.LogsBody b = req.body(ManagerApi.LogsBody.class);
    require(
        b != null && b.node() != null && b.kind() != null, "a log collection needs node and kind");
    JobView job =
        work.startLogs(
            b.node(),
            LogKind.parse(b.kind()),
            b.rotate() == null || b.rotate(),
            key(b.idempotencyKey()),
            b.submittedBy());
    return ApiResponse.of(202, ManagerApi.JobDoc.of(job));
  }

  private ApiResponse reseed(ApiRequest req) {
    ManagerApi.ReseedBody b = req.body(ManagerApi.ReseedBody.class);
    require(b != null && b.node() != null && b.method() != null, "a reseed needs node and method");
    JobView job =
        work.startReseed(
            new Reseed.Request(
                b.node(),
                ReseedMethod.parse(b.method()),
                b.donor(),
                b.backup(),
                b.primary(),
                b.force(),
                b.keepOld(),
                b.submittedBy(),
                b.flashback(),
                Reseed.Position.parse(b.position()),
                b.binlogAt()),
            Compression.parse(b.compression() == null ? "none" : b.compression()));
    return ApiResponse.of(202, ManagerApi.JobDoc.of(job));
  }

  private static String key(String given) {
    return given != null ? given : "api-" + UUID.randomUUID();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new DbJobsException(ErrorCode.USAGE, message);
    }
  }
}
