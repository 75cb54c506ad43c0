package io.dbjobs.common.health;

/**
 * One thing found wrong (or {@link Diagnosis#OK}) with a node's replication.
 *
 * @param channel the connection it is about, null for the whole node
 * @param detail what was seen, with the server's own words where it has some
 * @param needsReseed true when {@code recover} must refuse because of it
 */
public record Finding(Diagnosis diagnosis, String channel, String detail, boolean needsReseed) {
  @Override
  public String toString() {
    return diagnosis.label()
        + (channel == null ? "" : " (" + ReplicaChannel.describe(channel) + ")")
        + ": "
        + detail;
  }
}
