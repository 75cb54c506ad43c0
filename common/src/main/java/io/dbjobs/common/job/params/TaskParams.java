package io.dbjobs.common.job.params;

/**
 * The typed parameters of one task: one record per task, its components annotated with {@link
 * Param}. A handler reads its job's parameters as this record, never as text it parses itself.
 * Public API: the parameter names are what the jobs table and scripts see.
 */
public sealed interface TaskParams
    permits OptimizeParams,
        ServiceParams,
        SenderParams,
        ReseedParams,
        FlashbackParams,
        RecoverParams,
        NoParams {}
