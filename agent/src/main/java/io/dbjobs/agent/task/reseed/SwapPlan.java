package io.dbjobs.agent.task.reseed;

import java.nio.file.Path;

/**
 * The first line of a datadir swap's journal: everything an agent started later needs to finish the
 * swap or undo it, without the job's row or the server (which may be down). No secret is in it: the
 * replication password comes from the agent's config.
 *
 * @param jobId the reseed or flashback job
 * @param owner the agent instance that ran it (the row's lease owner), to write its outcome
 * @param task the task's wire name ({@code reseed-physical}, {@code flashback})
 * @param datadir the server's data directory, whose entries are swapped
 * @param newData the staging folder the new data is received and prepared in
 * @param oldData where the old entries go; must not exist before the swap
 * @param historyFile this node's own job history, saved before the swap (null: none saved)
 * @param primary {@code host:port} to replicate from after the swap
 * @param keepOld keep the old data after success
 * @param ownServerId this node's server_id, for a flashback's temporary one (null otherwise)
 * @param source what the new data is, for messages
 * @param channels the node's other named replication connections, recorded before anything was
 *     touched, set up again after the swap (no password: that comes from the agent's config); null
 *     in a journal written before they were recorded
 */
record SwapPlan(
    long jobId,
    String owner,
    String task,
    String datadir,
    String newData,
    String oldData,
    String historyFile,
    String primary,
    boolean keepOld,
    Long ownServerId,
    String source,
    java.util.List<ChannelSettings> channels) {

  Path datadirPath() {
    return Path.of(datadir);
  }

  Path newDataPath() {
    return Path.of(newData);
  }

  Path oldDataPath() {
    return Path.of(oldData);
  }

  Path historyPath() {
    return historyFile == null ? null : Path.of(historyFile);
  }

  /** "job 42 (reseed-physical)", for messages. */
  String label() {
    return "job " + jobId + " (" + task + ")";
  }
}
