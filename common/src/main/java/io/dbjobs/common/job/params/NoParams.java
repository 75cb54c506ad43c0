package io.dbjobs.common.job.params;

/** A task without parameters. */
public record NoParams() implements TaskParams {}
