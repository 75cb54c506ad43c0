package io.dbjobs.agent.loop;

import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.common.job.Task;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The handler of each task this agent can run; one handler per task. */
public final class HandlerRegistry {
  private final Map<Task, TaskHandler> handlers = new EnumMap<>(Task.class);

  public HandlerRegistry(List<TaskHandler> list) {
    for (TaskHandler h : list) {
      if (handlers.put(h.task(), h) != null) {
        throw new IllegalArgumentException("two handlers for task " + h.task());
      }
    }
  }

  public Optional<TaskHandler> forTask(Task task) {
    return Optional.ofNullable(handlers.get(task));
  }

  public List<Task> tasks() {
    return List.copyOf(handlers.keySet());
  }
}
