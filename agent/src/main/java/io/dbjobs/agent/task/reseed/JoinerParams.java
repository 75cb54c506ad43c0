package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.params.FlashbackParams;
import io.dbjobs.common.job.params.ReseedParams;

/** The typed parameters of a joiner's job: a reseed's own, or a flashback's as a reseed. */
final class JoinerParams {
  private JoinerParams() {}

  static ReseedParams of(JobContext ctx) {
    boolean flashback = ctx.job().knownTask().map(t -> t == Task.FLASHBACK).orElse(false);
    return flashback
        ? ctx.params(FlashbackParams.class).asReseed()
        : ctx.params(ReseedParams.class);
  }
}
