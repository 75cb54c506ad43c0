package io.dbjobs.common.job.params;

import io.dbjobs.common.stream.Compression;

/** {@code errorlog}, {@code slowquery}. */
public record LogParams(
    @Param(
            name = "stream-id",
            doc = "the receiver's name for this stream (set by the manager)",
            required = true)
        String streamId,
    @Param(name = "compression", doc = "compression on the wire", dflt = "none")
        Compression compression,
    @Param(
            name = "rotate",
            doc = "rotate the log once the manager has a verified copy",
            dflt = "true")
        boolean rotate)
    implements SenderParams {}
