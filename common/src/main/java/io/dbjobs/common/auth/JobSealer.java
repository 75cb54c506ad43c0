package io.dbjobs.common.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The manager's side of job authentication for one node: wraps stream secrets and seals rows with
 * the node's current key. A seal is valid until {@code now + validity}: an agent refuses to start a
 * job after that.
 */
public final class JobSealer {
  private final KeyRing ring;
  private final Duration validity;
  private final Clock clock;

  public JobSealer(KeyRing ring, Duration validity, Clock clock) {
    this.ring = ring;
    this.validity = validity;
    this.clock = clock;
  }

  public String node() {
    return ring.node();
  }

  public KeyRing ring() {
    return ring;
  }

  /** The expiry to seal a job enqueued now with. */
  public Instant expiry() {
    return clock.instant().plus(validity);
  }

  /** The stream secret wrapped for this node's row of job {@code idempotencyKey}. */
  public String wrapSecret(String idempotencyKey, String secretHex) {
    return SecretBox.wrap(ring.current(), ring.node(), idempotencyKey, secretHex);
  }

  /**
   * The seal of a job handed straight to the node's agent because its database is down (it has no
   * row yet: id 0, no stream).
   */
  public String sealWithoutRow(
      String idempotencyKey, String task, java.util.Map<String, String> params) {
    return seal(new SealedFields(
            ring.node(),
            0,
            idempotencyKey,
            task,
            io.dbjobs.common.job.JobParams.toJson(params),
            "",
            0,
            "",
            "",
            expiry()))
        .format();
  }

  /** The seal of a row; {@code fields.node()} must be this sealer's node. */
  public JobSeal seal(SealedFields fields) {
    if (!fields.node().equals(ring.node())) {
      throw new IllegalArgumentException(
          "sealing a job for " + fields.node() + " with the keys of " + ring.node());
    }
    JobKey k = ring.current();
    return new JobSeal(k.id(), fields.expires(), JobKey.hmac(k.macKey(), fields.canonical()));
  }
}
