/**
 * The job model: tasks, states, parameters and rows of {@code replication_manager_schema.jobs}.
 * Public API: the task names, state numbers and parameter names are what operators and scripts see,
 * and change only with a new schema version.
 */
package io.dbjobs.common.job;
