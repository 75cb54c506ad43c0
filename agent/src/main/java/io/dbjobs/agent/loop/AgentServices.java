package io.dbjobs.agent.loop;

import io.dbjobs.agent.AgentConfig;
import io.dbjobs.agent.task.ServerProbe;
import io.dbjobs.common.jobs.AgentJobs;
import io.dbjobs.common.tool.ToolRunner;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;

/**
 * The agent's long-lived parts that every job uses.
 *
 * @param owner this agent instance's name in lease_owner, e.g. {@code db2@host/4711}
 */
public record AgentServices(
    AgentConfig config,
    String owner,
    DataSource database,
    AgentJobs store,
    ServerProbe probe,
    ToolRunner tools,
    MeterRegistry metrics) {}
