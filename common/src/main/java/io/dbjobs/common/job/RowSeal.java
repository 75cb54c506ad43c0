package io.dbjobs.common.job;

/**
 * The authentication columns of a job row, as read: the node the manager sealed it for, its seal,
 * the wrapped stream secret and the name the stream peer's certificate must carry. Only the agent
 * interprets them ({@link io.dbjobs.common.auth.JobVerifier}); they print without the secret box.
 *
 * @param node the {@code node} column (informational: the seal, not this column, binds the node)
 * @param seal the {@code seal} column, or null for a row the manager did not seal
 * @param secretBox the {@code secret_box} column, or null when the job has no stream
 * @param peerName the {@code peer_name} column, "" when the job has no stream
 */
public record RowSeal(String node, String seal, String secretBox, String peerName) {
  public RowSeal {
    node = node == null ? "" : node;
    peerName = peerName == null ? "" : peerName;
  }

  public static final RowSeal NONE = new RowSeal("", null, null, "");

  @Override
  public String toString() {
    return "RowSeal[node="
        + node
        + ", seal="
        + (seal == null ? "none" : "present")
        + ", secret="
        + (secretBox == null ? "none" : "****")
        + ", peer="
        + peerName
        + "]";
  }
}
