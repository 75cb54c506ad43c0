package io.dbjobs.manager.catalog;

import io.dbjobs.manager.logs.LogCopy;
import java.util.LinkedHashMap;
import java.util.Map;

/** Catalog entries as scripts see them ({@code --json}): stable field names, ISO-8601 UTC times. */
public final class BackupJson {
  private BackupJson() {}

  public static Map<String, Object> backup(BackupEntry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("cluster", e.cluster());
    m.put("node", e.node());
    m.put("type", e.type().label());
    m.put("status", e.status());
    m.put("complete", e.complete());
    m.put("good", e.good());
    m.put("takenAt", e.time());
    m.put("dir", e.dir().toString());
    Manifest f = e.manifest();
    if (f == null) {
      m.put("lastModified", e.lastModified());
      return m;
    }
    m.put("dataFile", e.dataFile().toString());
    m.put("format", f.format());
    m.put("contentCompression", f.contentCompression());
    m.put("bytes", f.bytes());
    m.put("sha256", f.sha256());
    m.put("gtid", f.gtid());
    m.put("binlogFile", f.binlogFile());
    m.put("binlogPos", f.binlogPos());
    m.put("positionSource", f.positionSource());
    m.put("tool", f.tool());
    m.put("toolVersion", f.toolVersion());
    m.put("serverVersion", f.serverVersion());
    m.put("serverFlavor", f.serverFlavor());
    m.put("startedAt", f.startedAt());
    m.put("endedAt", f.endedAt());
    m.put("storedAt", f.storedAt());
    BackupOrigin from = f.from();
    if (from instanceof BackupOrigin.Imported i) {
      m.put("origin", "import");
      m.put("jobId", null);
      m.put("importedFrom", i.importedFrom());
      m.put("prepared", i.prepared());
    } else if (from instanceof BackupOrigin.Streamed s) {
      m.put("origin", "stream");
      m.put("jobId", s.jobId());
      m.put("importedFrom", null);
      m.put("prepared", null);
    }
    if (f.hasParts() && f.dump() != null) {
      m.put("parts", f.parts().size());
      m.put("rows", f.dump().rows());
      m.put("snapshotLock", f.dump().lockMethod());
      m.put("snapshotLockWaitMillis", f.dump().lockWaitMillis());
      m.put("snapshotLockHeldMillis", f.dump().lockHeldMillis());
      m.put("dumpThreads", f.dump().threads());
      m.put("warnings", f.dump().warnings());
    }
    Verification v = e.verification();
    if (v != null) {
      Map<String, Object> vm = new LinkedHashMap<>();
      vm.put("checkedAt", v.checkedAt());
      vm.put("ok", v.ok());
      vm.put("problems", v.problems());
      m.put("lastVerification", vm);
    }
    return m;
  }

  public static Map<String, Object> log(LogCopy c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cluster", c.cluster());
    m.put("node", c.node());
    m.put("kind", c.kind());
    m.put("name", c.name());
    m.put("file", c.file().toString());
    m.put("contentCompression", c.contentCompression());
    m.put("bytes", c.bytes());
    m.put("sha256", c.sha256());
    m.put("logFile", c.logFile());
    m.put("collectedAt", c.collectedAt());
    m.put("jobId", c.jobId());
    return m;
  }
}
