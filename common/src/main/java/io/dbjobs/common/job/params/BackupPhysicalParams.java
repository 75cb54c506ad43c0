package io.dbjobs.common.job.params;

import io.dbjobs.common.stream.Compression;

/** {@code backup-physical}. */
public record BackupPhysicalParams(
    @Param(
            name = "stream-id",
            doc = "the receiver's name for this stream (set by the manager)",
            required = true)
        String streamId,
    @Param(name = "compression", doc = "compression on the wire", dflt = "none")
        Compression compression,
    @Param(name = "parallel", doc = "threads copying data files", dflt = "1") int parallel)
    implements SenderParams {
  public BackupPhysicalParams {
    if (parallel < 1 || parallel > 64) {
      throw new io.dbjobs.common.DbJobsException(
          io.dbjobs.common.ErrorCode.BAD_PARAMETER,
          "task backup-physical: parameter 'parallel'=" + parallel + " must be between 1 and 64");
    }
  }
}
