package io.dbjobs.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.Waits;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@code physicaldonor} reseed run by the CLI while the donor's agent is not running yet: the
 * joiner's agent opens its listener and waits, the donor's sealed row waits in the donor's table,
 * and the test decides when the real sender may come ({@link #releaseDonor}). Meanwhile an attacker
 * has all the time it wants with the rows and the listener.
 */
final class HeldReseed {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FleetFixture fleet;
  private final DbServer donor;
  private final CompletableFuture<FleetFixture.Run> run;

  /** The joiner's row once it listens, every column as text. */
  final Map<String, String> joinerRow;

  /** The donor's queued row, every column as text. */
  final Map<String, String> donorRow;

  final String streamId;

  private HeldReseed(
      FleetFixture fleet,
      DbServer donor,
      CompletableFuture<FleetFixture.Run> run,
      Map<String, String> joinerRow,
      Map<String, String> donorRow,
      String streamId) {
    this.fleet = fleet;
    this.donor = donor;
    this.run = run;
    this.joinerRow = joinerRow;
    this.donorRow = donorRow;
    this.streamId = streamId;
  }

  /**
   * Starts {@code dbjobs reseed --node joiner --method physicaldonor --donor donor} and returns
   * once the joiner listens and the donor's job is queued; the donor's agent must not run yet.
   */
  static HeldReseed start(FleetFixture fleet, DbServer joiner, DbServer donor, Duration timeout) {
    long joinerAfter = maxId(joiner);
    long donorAfter = maxId(donor);
    CompletableFuture<FleetFixture.Run> run =
        CompletableFuture.supplyAsync(
            () ->
                fleet.cli(
                    "reseed",
                    "--node",
                    joiner.name(),
                    "--method",
                    "physicaldonor",
                    "--donor",
                    donor.name()));
    Map<String, String> listening =
        Waits.until(
            "the joiner " + joiner.name() + " to listen for its stream",
            timeout,
            () -> {
              if (run.isDone()) {
                throw new AssertionError(
                    "the reseed ended before its joiner listened: " + run.join());
              }
              return first(
                  joiner, "id > " + joinerAfter + " AND task='reseed-physical' AND state=2");
            },
            r -> r != null);
    Map<String, String> queued =
        Waits.until(
            "the donor " + donor.name() + "'s job to be queued",
            timeout,
            () -> first(donor, "id > " + donorAfter + " AND task='backup-physical' AND state=0"),
            r -> r != null);
    try {
      String streamId = JSON.readTree(listening.get("params")).get("stream-id").asText();
      return new HeldReseed(fleet, donor, run, listening, queued, streamId);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Starts the donor's agent: the real sender comes. */
  void releaseDonor() {
    fleet.startAgent(donor, "");
  }

  /** The CLI's run, once it ended (within {@code timeout}). */
  FleetFixture.Run await(Duration timeout) throws Exception {
    return run.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static long maxId(DbServer node) {
    return Long.parseLong(node.value("SELECT COALESCE(MAX(id), 0) FROM " + TableAttacker.JOBS));
  }

  private static Map<String, String> first(DbServer node, String where) {
    java.util.List<String> ids =
        node.column("SELECT id FROM " + TableAttacker.JOBS + " WHERE " + where + " ORDER BY id");
    return ids.isEmpty() ? null : JobRows.row(node, Long.parseLong(ids.get(0)));
  }
}
