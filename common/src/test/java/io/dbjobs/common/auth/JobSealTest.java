package io.dbjobs.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.StreamSecret;
import io.dbjobs.testkit.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSealTest {
  @TempDir Path dir;

  private final KeyRing ring = KeyRing.generate("db2");
  private final JobSealer sealer = new JobSealer(ring, Duration.ofHours(1), Clock.systemUTC());
  private final JobVerifier verifier = new JobVerifier("db2", () -> ring, Clock.systemUTC());

  private SealedFields fields() {
    return new SealedFields(
        "db2",
        42,
        "key-1",
        "reseed-physical",
        "{\"primary\":\"10.0.0.1:3306\",\"stream-id\":\"s1\"}",
        "",
        0,
        "db3,10.0.0.3",
        SecretBox.wrap(ring.current(), "db2", "key-1", StreamSecret.mint()),
        sealer.expiry());
  }

  @Test
  void aSealMadeForTheRowVerifies() {
    SealedFields f = fields();
    String seal = sealer.seal(f).format();
    JobVerifier.Verified v = verifier.verify(f, seal);
    assertThat(v.key()).isEqualTo(ring.current());
    assertThat(v.seal().expires())
        .isEqualTo(f.expires().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
  }

  @Test
  void changingAnyCoveredFieldBreaksTheSeal() {
    SealedFields f = fields();
    String seal = sealer.seal(f).format();
    List<UnaryOperator<SealedFields>> tamper =
        List.of(
            x ->
                with(
                    x,
                    43,
                    x.idempotencyKey(),
                    x.task(),
                    x.paramsJson(),
                    x.server(),
                    x.port(),
                    x.peerName(),
                    x.secretBox()),
            x ->
                with(
                    x,
                    x.id(),
                    "key-2",
                    x.task(),
                    x.paramsJson(),
                    x.server(),
                    x.port(),
                    x.peerName(),
                    x.secretBox()),
            x ->
                with(
                    x,
                    x.id(),
                    x.idempotencyKey(),
                    "reseed-logical",
                    x.paramsJson(),
                    x.server(),
                    x.port(),
                    x.peerName(),
                    x.secretBox()),
            x ->
                with(
                    x,
                    x.id(),
                    x.idempotencyKey(),
                    x.task(),
                    x.paramsJson().replace("10.0.0.1", "10.6.6.6"),
                    x.server(),
                    x.port(),
                    x.peerName(),
                    x.secretBox()),
            x ->
                with(
                    x,
                    x.id(),
                    x.idempotencyKey(),
                    x.task(),
                    x.paramsJson(),
                    "10.6.6.6",
                    x.port(),
                    x.peerName(),
                    x.secretBox()),
            x ->
                with(
                    x,
                    x.id(),
                    x.idempotencyKey(),
                    x.task(),
                    x.paramsJson(),
                    x.server(),
                    4444,
                    x.peerName(),
                    x.secretBox()),
            x ->
                with(
                    x,
                    x.id(),
                    x.idempotencyKey(),
                    x.task(),
                    x.paramsJson(),
                    x.server(),
                    x.port(),
                    "intruder",
                    x.secretBox()),
            x ->
                with(
                    x,
                    x.id(),
                    x.idempotencyKey(),
                    x.task(),
                    x.paramsJson(),
                    x.server(),
                    x.port(),
                    x.peerName(),
                    ""));
    for (UnaryOperator<SealedFields> t : tamper) {
      assertThatThrownBy(() -> verifier.verify(t.apply(f), seal))
          .isInstanceOf(DbJobsException.class)
          .hasMessageContaining("does not match the row")
          .extracting(e -> ((DbJobsException) e).code())
          .isEqualTo(ErrorCode.UNAUTHENTICATED_JOB);
    }
  }

  private static SealedFields with(
      SealedFields x,
      long id,
      String key,
      String task,
      String params,
      String server,
      int port,
      String peer,
      String box) {
    return new SealedFields(x.node(), id, key, task, params, server, port, peer, box, x.expires());
  }

  @Test
  void aRowSealedForOneNodeIsRefusedOnAnother() {
    KeyRing other = KeyRing.generate("db3");
    JobVerifier onDb3 = new JobVerifier("db3", () -> other, Clock.systemUTC());
    String seal = sealer.seal(fields()).format();
    assertThatThrownBy(() -> onDb3.verify(fields(), seal))
        .hasMessageContaining("which node db3 does not hold");
    // even a node that (wrongly) shares the key refuses: the node name is inside the MAC
    JobVerifier sameKeyDb3 = new JobVerifier("db3", () -> ring, Clock.systemUTC());
    assertThatThrownBy(() -> sameKeyDb3.verify(fields(), seal))
        .hasMessageContaining("does not match the row");
  }

  @Test
  void anExpiredSealIsRefusedAfterTheClockSkewAllowance() {
    SealedFields f = fields();
    String seal = sealer.seal(f).format();
    Instant late = f.expires().plus(JobVerifier.CLOCK_SKEW).plusSeconds(1);
    JobVerifier later = new JobVerifier("db2", () -> ring, Clock.fixed(late, ZoneOffset.UTC));
    assertThatThrownBy(() -> later.verify(f, seal)).hasMessageContaining("expired");
  }

  @Test
  void theManagerTellsItsOwnRowsWhateverTheirExpiryFromRowsSomeoneElseWrote() {
    SealedFields f = fields();
    String seal = sealer.seal(f).format();
    Instant late = f.expires().plus(Duration.ofDays(3));
    JobVerifier later = new JobVerifier("db2", () -> ring, Clock.fixed(late, ZoneOffset.UTC));
    assertThat(later.madeFor(f, seal)).as("a long reseed outlives its seal's validity").isTrue();
    assertThat(
            later.madeFor(
                with(
                    f,
                    43,
                    f.idempotencyKey(),
                    f.task(),
                    f.paramsJson(),
                    f.server(),
                    f.port(),
                    f.peerName(),
                    f.secretBox()),
                seal))
        .isFalse();
    assertThat(later.madeFor(f, null)).isFalse();
    assertThat(later.madeFor(f, "trust me")).isFalse();
    assertThat(
            new JobVerifier("db3", () -> KeyRing.generate("db3"), Clock.systemUTC())
                .madeFor(f, seal))
        .isFalse();
  }

  @Test
  void aMissingOrMalformedSealSaysSoWithoutEchoingIt() {
    assertThatThrownBy(() -> verifier.verify(fields(), null)).hasMessageContaining("no seal");
    assertThatThrownBy(() -> verifier.verify(fields(), "v1:zzz:1:abc"))
        .hasMessageContaining("malformed")
        .hasMessageNotContaining("zzz");
  }

  @Test
  void aRotatedRingStillVerifiesJobsSealedWithThePreviousKey() {
    SealedFields f = fields();
    String oldSeal = sealer.seal(f).format();
    KeyRing rotated = ring.rotatedTo(JobKey.generate(), ring.current());
    JobVerifier v = new JobVerifier("db2", () -> rotated, Clock.systemUTC());
    assertThat(v.verify(f, oldSeal).key()).isEqualTo(ring.current());
    assertThat(rotated.ids()).hasSize(2).last().isEqualTo(ring.current().id());
  }

  @Test
  void theSecretBoxOpensOnlyForItsNodeAndJob() {
    String secret = StreamSecret.mint();
    String box = SecretBox.wrap(ring.current(), "db2", "key-1", secret);
    assertThat(box).doesNotContain(secret);
    assertThat(SecretBox.unwrap(ring.current(), "db2", "key-1", box)).isEqualTo(secret);
    assertThatThrownBy(() -> SecretBox.unwrap(ring.current(), "db3", "key-1", box))
        .hasMessageContaining("does not open");
    assertThatThrownBy(() -> SecretBox.unwrap(ring.current(), "db2", "key-2", box))
        .hasMessageContaining("does not open");
    assertThatThrownBy(() -> SecretBox.unwrap(JobKey.generate(), "db2", "key-1", box))
        .hasMessageContaining("does not open");
  }

  @Test
  void keyFilesRoundTripAndTheTestkitWritesTheSameFormat() throws Exception {
    Path f = dir.resolve("db2.keys");
    ring.write(f);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
    assertThat(KeyRing.load(f, "db2").ids()).isEqualTo(ring.ids());
    assertThat(Files.readString(f)).doesNotContain(ring.current().id() + "x");
    assertThat(KeyRing.load(TestKeys.managerFile("kr1"), "kr1").keys()).hasSize(1);
  }

  @Test
  void aKeyFileForAnotherNodeOrReadableByAllIsRefusedNamingTheFix() throws Exception {
    Path f = dir.resolve("db2.keys");
    ring.write(f);
    assertThatThrownBy(() -> KeyRing.load(f, "db3"))
        .hasMessageContaining("holds the job keys of node db2, not of db3");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> KeyRing.load(f, "db2")).hasMessageContaining("chmod 600");
    assertThatThrownBy(() -> KeyRing.load(dir.resolve("none.keys"), "db2"))
        .hasMessageContaining("dbjobs keys init --node db2");
  }

  @Test
  void aKeyNeverPrints() {
    assertThat(ring.current().toString()).doesNotContain(ring.current().toBase64());
    assertThat(ring.toString()).doesNotContain(ring.current().toBase64());
  }
}
