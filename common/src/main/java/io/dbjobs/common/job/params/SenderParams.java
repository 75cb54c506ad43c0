package io.dbjobs.common.job.params;

import io.dbjobs.common.stream.Compression;

/** The parameters every task that sends a stream to the manager has. */
public sealed interface SenderParams extends TaskParams
    permits BackupPhysicalParams, BackupLogicalParams, LogParams {
  /** The receiver's name for the stream (set by the manager). */
  String streamId();

  /** Compression on the wire. */
  Compression compression();
}
