package io.dbjobs.common.job.params;

import io.dbjobs.common.stream.Compression;

/** {@code backup-logical}. */
public record BackupLogicalParams(
    @Param(
            name = "stream-id",
            doc = "the receiver's name for this stream (set by the manager)",
            required = true)
        String streamId,
    @Param(name = "compression", doc = "compression on the wire", dflt = "none")
        Compression compression,
    @Param(
            name = "content-compression",
            doc = "compression of the dump itself",
            dflt = "zstd",
            choices = {"zstd", "none"})
        String contentCompression,
    @Param(name = "databases", doc = "comma-separated databases (absent: all user databases)")
        String databases)
    implements TaskParams {}
