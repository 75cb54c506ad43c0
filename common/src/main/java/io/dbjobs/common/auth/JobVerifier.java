package io.dbjobs.common.auth;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The agent's side of job authentication: checks a row's seal against this node's keys before
 * anything of the row is used. A row sealed for another node (a replicated row, a row copied with a
 * physical backup), changed after sealing, sealed with a key this node does not hold, or past its
 * expiry is refused with UNAUTHENTICATED_JOB and the reason. Replays of a valid seal are the
 * caller's to refuse (it remembers the seals it accepted).
 */
public final class JobVerifier {
  /** How far the manager's and this host's clocks may disagree about an expiry. */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private final String node;
  private final Supplier<KeyRing> ring;
  private final Clock clock;

  /**
   * @param ring the node's current key ring (re-read by the caller after a rotation)
   */
  public JobVerifier(String node, Supplier<KeyRing> ring, Clock clock) {
    this.node = node;
    this.ring = ring;
    this.clock = clock;
  }

  /** A verified seal and the key that made it (to open the row's stream secret). */
  public record Verified(JobSeal seal, JobKey key) {}

  /**
   * Verifies the seal of a row read from this node's table (or handed over by HTTP, id 0).
   *
   * @param fields the row's fields; its {@code node} is ignored (this node is what counts) and its
   *     {@code expires} is taken from the seal
   * @throws DbJobsException UNAUTHENTICATED_JOB saying why
   */
  public Verified verify(SealedFields fields, String sealText) {
    Verified v = checkMac(fields, sealText);
    JobSeal seal = v.seal();
    Instant now = clock.instant();
    if (now.isAfter(seal.expires().plus(CLOCK_SKEW))) {
      throw new DbJobsException(
          ErrorCode.UNAUTHENTICATED_JOB,
          "the seal expired at "
              + seal.expires()
              + " (now "
              + now
              + "); a job must start before its seal expires: submit it again");
    }
    return v;
  }

  /**
   * Whether the seal was made for this node, with one of its keys, over exactly these fields,
   * whatever its expiry and whether it was used before: how the manager tells the jobs it enqueued
   * from rows someone else wrote into the table, which it must not count, wait for or be blocked by
   * (a forged "running" reseed must not hold off every reseed of the node).
   */
  public boolean madeFor(SealedFields fields, String sealText) {
    try {
      checkMac(fields, sealText);
      return true;
    } catch (DbJobsException e) {
      if (e.code() != ErrorCode.UNAUTHENTICATED_JOB) {
        throw e;
      }
      return false;
    }
  }

  private Verified checkMac(SealedFields fields, String sealText) {
    JobSeal seal = JobSeal.parse(sealText);
    KeyRing keys = ring.get();
    JobKey key =
        keys.byId(seal.keyId())
            .orElseThrow(
                () ->
                    new DbJobsException(
                        ErrorCode.UNAUTHENTICATED_JOB,
                        "sealed with key "
                            + seal.keyId()
                            + ", which node "
                            + node
                            + " does not hold (it holds "
                            + keys.ids()
                            + "): sealed for another node, or this node's key file and the"
                            + " manager's differ (`dbjobs keys list` on the manager shows both)"));
    SealedFields mine =
        new SealedFields(
            node,
            fields.id(),
            fields.idempotencyKey(),
            fields.task(),
            fields.paramsJson(),
            fields.server(),
            fields.port(),
            fields.peerName(),
            fields.secretBox(),
            seal.expires());
    byte[] expected = JobKey.hmac(key.macKey(), mine.canonical());
    if (!MessageDigest.isEqual(expected, seal.mac())) {
      throw new DbJobsException(
          ErrorCode.UNAUTHENTICATED_JOB,
          "the seal does not match the row: it was changed after the manager sealed it, or it was"
              + " sealed for another node than "
              + node);
    }
    return new Verified(seal, key);
  }
}
