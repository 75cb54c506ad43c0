package io.dbjobs.common.job.params;

import java.time.Duration;

/** {@code stop}, {@code start}, {@code restart}. */
public record ServiceParams(
    @Param(
            name = "timeout",
            doc = "how long to wait for the server (absent: the agent's service.timeout)")
        Duration timeout)
    implements TaskParams {}
