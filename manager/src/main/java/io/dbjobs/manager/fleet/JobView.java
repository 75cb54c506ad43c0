package io.dbjobs.manager.fleet;

import io.dbjobs.common.job.Job;

/** A job with the node whose table holds it. */
public record JobView(String node, Job job) {}
