package io.dbjobs.common.job.params;

import io.dbjobs.common.job.ParamSpec;

/** {@code optimize}. */
public record OptimizeParams(
    @Param(
            name = "tables",
            doc = "db.table or db.* list (absent: every user table)",
            as = ParamSpec.Type.TABLES)
        String tables,
    @Param(
            name = "mode",
            doc = "what to run on each table",
            dflt = "optimize",
            choices = {"optimize", "analyze"})
        String mode)
    implements TaskParams {}
