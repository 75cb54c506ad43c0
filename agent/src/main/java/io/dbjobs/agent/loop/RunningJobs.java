package io.dbjobs.agent.loop;

import java.util.ArrayList;
import java.util.List;

/**
 * The jobs this agent runs now, and its slots: up to {@code jobs.maxParallel} at once, a
 * destructive job (reseed, stop...) always alone. A job holds its slot until its outcome is
 * recorded.
 */
final class RunningJobs {
  private final int maxParallel;
  private final List<RunningJob> jobs = new ArrayList<>();

  RunningJobs(int maxParallel) {
    this.maxParallel = maxParallel;
  }

  synchronized boolean hasFreeSlot() {
    return jobs.size() < maxParallel && jobs.stream().noneMatch(r -> r.task().isDestructive());
  }

  /** Whether a job of this kind may start now: a destructive one only on an idle agent. */
  synchronized boolean canStart(boolean destructive) {
    if (jobs.isEmpty()) {
      return true;
    }
    return !destructive && hasFreeSlot();
  }

  synchronized void add(RunningJob rj) {
    jobs.add(rj);
  }

  synchronized void remove(RunningJob rj) {
    jobs.remove(rj);
  }

  /** A snapshot of the running jobs. */
  synchronized List<RunningJob> all() {
    return List.copyOf(jobs);
  }

  /** The running jobs that have a row (whose lease is renewed). */
  synchronized List<RunningJob> withRows() {
    return jobs.stream().filter(r -> r.job().id() > 0).toList();
  }

  synchronized List<Long> ids() {
    return jobs.stream().map(r -> r.job().id()).filter(id -> id > 0).toList();
  }

  synchronized int size() {
    return jobs.size();
  }

  synchronized boolean anyCritical() {
    return jobs.stream().anyMatch(RunningJob::inCriticalStep);
  }
}
