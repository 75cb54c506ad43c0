package io.dbjobs.common.health;

import static io.dbjobs.common.health.ThreadState.CONNECTING;
import static io.dbjobs.common.health.ThreadState.RUNNING;
import static io.dbjobs.common.health.ThreadState.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.health.ReplicaAssessment.Assessment;
import io.dbjobs.common.health.ReplicaAssessment.Context;
import io.dbjobs.common.health.ReplicaAssessment.Source;
import io.dbjobs.common.health.ReplicaAssessment.SourceKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every diagnosis of {@link ReplicaAssessment}, from facts a server could report. */
class ReplicaAssessmentTest {
  private static final Duration LAG = Duration.ofSeconds(60);

  /** The primary db1, server id 1, at 0-1-100, binlogs from the start. */
  private static final NodeFacts PRIMARY =
      Facts.mariadb(1)
          .readOnly(false)
          .gtids("0-1-100", "", "0-1-100")
          .oldestBinlog("mysql-bin.000001", "")
          .build();

  private static Context fromPrimary(String... channels) {
    Map<String, Source> sources = new java.util.HashMap<>();
    for (String c : channels) {
      sources.put(c, new Source(SourceKind.PRIMARY, "db1"));
    }
    return new Context("db1", PRIMARY, "", sources, LAG);
  }

  private static Facts healthyReplica() {
    return Facts.mariadb(2).channel(Facts.running("")).gtids("0-1-100", "0-1-100", "0-1-100");
  }

  @Test
  void aRunningReadOnlyReplicaInStepWithThePrimaryIsOk() {
    Assessment a = ReplicaAssessment.replica(healthyReplica().build(), fromPrimary(""));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.OK);
    assertThat(a.verdict()).isEqualTo(Verdict.HEALTHY);
    assertThat(a.findings()).isEmpty();
    assertThat(a.summary()).isEqualTo("ok");
  }

  @Test
  void aReplicaFurtherBehindThanTheThresholdIsLaggingButHealthy() {
    NodeFacts n =
        Facts.mariadb(2)
            .channel(Facts.channel("", "10.0.0.1", 1, RUNNING, RUNNING, 0, "", 0, "", 61L))
            .gtids("0-1-90", "0-1-90", "0-1-90")
            .build();
    Assessment a = ReplicaAssessment.replica(n, fromPrimary(""));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.LAGGING);
    assertThat(a.verdict()).isEqualTo(Verdict.HEALTHY);
    assertThat(a.findings().get(0).detail()).contains("61 s behind db1");
  }

  @Test
  void aStoppedSqlThreadWithoutErrorIsStoppedAndRecoverable() {
    NodeFacts n =
        Facts.mariadb(2)
            .channel(Facts.channel("", "10.0.0.1", 1, RUNNING, STOPPED, 0, "", 0, "", null))
            .gtids("0-1-90", "0-1-90", "0-1-90")
            .build();
    Assessment a = ReplicaAssessment.replica(n, fromPrimary(""));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.STOPPED);
    assertThat(a.verdict()).isEqualTo(Verdict.RECOVERABLE);
    assertThat(a.findings().get(0).detail()).contains("IO thread running, SQL thread stopped");
  }

  @Test
  void anIoThreadThatCannotConnectIsATransientIoError() {
    NodeFacts n =
        Facts.mariadb(2)
            .channel(
                Facts.channel(
                    "",
                    "10.0.0.1",
                    1,
                    CONNECTING,
                    RUNNING,
                    2003,
                    "error connecting to master 'repl@10.0.0.1:3306' - retry-time: 1",
                    0,
                    "",
                    null))
            .gtids("0-1-90", "0-1-90", "0-1-90")
            .build();
    Assessment a = ReplicaAssessment.replica(n, fromPrimary(""));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.IO_ERROR);
    assertThat(a.verdict()).isEqualTo(Verdict.RECOVERABLE);
    assertThat(a.findings().get(0).detail())
        .contains("(connecting) cannot read from 10.0.0.1:3306: error 2003");
  }

  @Test
  void anIoErrorSayingThePrimaryCannotServeThePositionNeedsAReseed() {
    NodeFacts n =
        Facts.mariadb(2)
            .channel(
                Facts.channel(
                    "",
                    "10.0.0.1",
                    1,
                    STOPPED,
                    RUNNING,
                    1236,
                    "Could not find GTID state requested by slave in any binlog files",
                    0,
                    "",
                    null))
            .gtids("0-1-100", "0-1-100", "0-1-100")
            .build();
    Assessment a = ReplicaAssessment.replica(n, fromPrimary(""));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.IO_ERROR);
    assertThat(a.verdict()).isEqualTo(Verdict.NEEDS_RESEED);
    assertThat(a.blockers()).hasSize(1);
  }

  @Test
  void aDivergedRowErrorNeedsAReseedAndATransientOneDoesNot() {
    NodeFacts diverged =
        Facts.mariadb(2)
            .channel(
                Facts.channel(
                    "",
                    "10.0.0.1",
                    1,
                    RUNNING,
                    STOPPED,
                    0,
                    "",
                    1032,
                    "Could not execute Update_rows_v1 event on table shop.orders; Can't find record",
                    null))
            .gtids("0-1-90", "0-1-90", "0-1-90")
            .build();
    Assessment a = ReplicaAssessment.replica(diverged, fromPrimary(""));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.SQL_ERROR);
    assertThat(a.verdict()).isEqualTo(Verdict.NEEDS_RESEED);
    assertThat(a.findings().get(0).detail()).contains("error 1032").contains("data differs");

    NodeFacts lockWait =
        Facts.mariadb(2)
            .channel(
                Facts.channel(
                    "", "10.0.0.1", 1, RUNNING, STOPPED, 0, "", 1205, "Lock wait timeout", null))
            .gtids("0-1-90", "0-1-90", "0-1-90")
            .build();
    Assessment b = ReplicaAssessment.replica(lockWait, fromPrimary(""));
    assertThat(b.diagnosis()).isEqualTo(Diagnosis.SQL_ERROR);
    assertThat(b.verdict()).isEqualTo(Verdict.RECOVERABLE);
    assertThat(b.findings().get(0).detail()).contains("transient");
  }

  @Test
  void aReplicaReadingFromAnotherNodeThanThePrimaryHasTheWrongPrimary() {
    NodeFacts n = healthyReplica().build();
    Context ctx =
        new Context("db2", PRIMARY, "", Map.of("", new Source(SourceKind.OTHER_NODE, "db1")), LAG);
    Assessment a = ReplicaAssessment.replica(n, ctx);
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.WRONG_PRIMARY);
    assertThat(a.verdict()).isEqualTo(Verdict.RECOVERABLE);
    assertThat(a.findings().get(0).detail())
        .isEqualTo("replicates from db1 (10.0.0.1:3306), not from the primary db2");
  }

  @Test
  void aCannotServeErrorFromTheWrongPrimaryDoesNotBlockTheRepointing() {
    NodeFacts n =
        Facts.mariadb(2)
            .channel(
                Facts.channel(
                    "",
                    "10.0.0.1",
                    1,
                    STOPPED,
                    RUNNING,
                    1236,
                    "GTID not in master's binlog",
                    0,
                    "",
                    null))
            .gtids("0-1-100", "0-1-100", "0-1-100")
            .build();
    Context ctx =
        new Context("db2", PRIMARY, "", Map.of("", new Source(SourceKind.OTHER_NODE, "db1")), LAG);
    Assessment a = ReplicaAssessment.replica(n, ctx);
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.WRONG_PRIMARY);
    assertThat(a.verdict()).isEqualTo(Verdict.RECOVERABLE);
  }

  @Test
  void aSourceOutsideTheClusterOnTheClusterConnectionIsTheWrongPrimary() {
    Assessment a =
        ReplicaAssessment.replica(
            healthyReplica().build(), new Context("db1", PRIMARY, "", Map.of(), LAG));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.WRONG_PRIMARY);
    assertThat(a.findings().get(0).detail())
        .contains("10.0.0.1:3306, which is no node of the cluster");
  }

  @Test
  void withoutAKnownPrimaryNothingIsSaidAboutWrongPrimaryErrantOrPurged() {
    NodeFacts n =
        Facts.mariadb(2)
            .channel(
                Facts.channel(
                    "", "10.0.0.1", 1, CONNECTING, RUNNING, 2003, "can't connect", 0, "", null))
            .gtids("0-2-500", "0-1-100", "0-2-500")
            .build();
    Assessment a = ReplicaAssessment.replica(n, new Context(null, null, "", Map.of(), LAG));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.IO_ERROR);
    assertThat(a.findings()).extracting(Finding::diagnosis).containsExactly(Diagnosis.IO_ERROR);
  }

  @Test
  void aWritableReplicaIsRecoverable() {
    Assessment a =
        ReplicaAssessment.replica(healthyReplica().readOnly(false).build(), fromPrimary(""));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.WRITABLE_REPLICA);
    assertThat(a.verdict()).isEqualTo(Verdict.RECOVERABLE);
  }

  @Test
  void aLocalWriteOnAReplicaIsAnErrantTransactionEvenAfterThePrimaryMovedOn() {
    // the replica (server 2) wrote 0-2-101 itself; the primary has since written up to 0-1-150
    NodeFacts primary = Facts.mariadb(1).readOnly(false).gtids("0-1-150", "", "0-1-150").build();
    NodeFacts n =
        Facts.mariadb(2)
            .readOnly(false)
            .channel(Facts.running(""))
            .gtids("0-1-100,0-2-101", "0-1-100", "0-2-101")
            .build();
    Assessment a =
        ReplicaAssessment.replica(
            n,
            new Context(
                "db1", primary, "", Map.of("", new Source(SourceKind.PRIMARY, "db1")), LAG));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.ERRANT_TRANSACTIONS);
    assertThat(a.verdict()).isEqualTo(Verdict.NEEDS_RESEED);
    assertThat(a.errantGtids()).containsExactly("0-2-101");
    assertThat(a.errantCount()).isEqualTo(1);
    assertThat(a.findings())
        .extracting(Finding::diagnosis)
        .containsExactly(Diagnosis.ERRANT_TRANSACTIONS, Diagnosis.WRITABLE_REPLICA);
  }

  @Test
  void anOldPrimarysLastTransactionsThatNeverReachedTheNewOneAreErrant() {
    // db3 kept replicating from the old primary db1 after db2 was promoted at 0-1-100
    NodeFacts newPrimary =
        Facts.mariadb(2).readOnly(false).gtids("0-1-100,0-2-130", "0-1-100", "0-2-130").build();
    NodeFacts n =
        Facts.mariadb(3).channel(Facts.running("")).gtids("0-1-103", "0-1-103", "0-1-103").build();
    Assessment a =
        ReplicaAssessment.replica(
            n,
            new Context(
                "db2", newPrimary, "", Map.of("", new Source(SourceKind.OTHER_NODE, "db1")), LAG));
    assertThat(a.errantGtids()).containsExactly("0-1-103");
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.ERRANT_TRANSACTIONS);
  }

  @Test
  void historyFromServersThePrimaryNeverRecordedIsNotErrant() {
    // the primary's binlogs were reset after it was reseeded; it knows only its own server now
    NodeFacts primary = Facts.mariadb(2).readOnly(false).gtids("0-2-300", "", "0-2-300").build();
    NodeFacts n =
        Facts.mariadb(3)
            .channel(Facts.running(""))
            .gtids("0-1-100,0-2-300", "0-2-300", "0-2-300")
            .build();
    Assessment a =
        ReplicaAssessment.replica(
            n,
            new Context(
                "db2", primary, "", Map.of("", new Source(SourceKind.PRIMARY, "db2")), LAG));
    assertThat(a.errantGtids()).isEmpty();
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.OK);
  }

  @Test
  void aReplicaAheadOfThePrimarysDomainIsErrant() {
    NodeFacts n =
        Facts.mariadb(3).channel(Facts.running("")).gtids("", "0-1-120", "0-1-120").build();
    Assessment a = ReplicaAssessment.replica(n, fromPrimary(""));
    assertThat(a.errantGtids()).containsExactly("0-1-120");
  }

  @Test
  void aPositionBeforeThePrimarysOldestBinlogIsBinlogsPurged() {
    NodeFacts primary =
        Facts.mariadb(1)
            .readOnly(false)
            .gtids("0-1-300", "", "0-1-300")
            .oldestBinlog("mysql-bin.000007", "0-1-250")
            .build();
    NodeFacts n =
        Facts.mariadb(3)
            .channel(Facts.channel("", "10.0.0.1", 1, STOPPED, STOPPED, 0, "", 0, "", null))
            .gtids("0-1-200", "0-1-200", "0-1-200")
            .build();
    Assessment a =
        ReplicaAssessment.replica(
            n,
            new Context(
                "db1", primary, "", Map.of("", new Source(SourceKind.PRIMARY, "db1")), LAG));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.BINLOGS_PURGED);
    assertThat(a.verdict()).isEqualTo(Verdict.NEEDS_RESEED);
    assertThat(a.findings().get(0).detail())
        .contains("the node is at seq 200, the primary's binlogs begin after seq 250")
        .contains("oldest binlog mysql-bin.000007");
    assertThat(a.findings())
        .extracting(Finding::diagnosis)
        .containsExactly(Diagnosis.BINLOGS_PURGED, Diagnosis.STOPPED);
  }

  @Test
  void aNodeThatReplicatesFromNobodyIsStopped() {
    NodeFacts n = Facts.mariadb(3).gtids("0-1-100", "0-1-100", "0-1-100").build();
    Assessment a = ReplicaAssessment.replica(n, fromPrimary());
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.STOPPED);
    assertThat(a.verdict()).isEqualTo(Verdict.RECOVERABLE);
    assertThat(a.findings().get(0).detail()).contains("does not replicate from the cluster");
  }

  @Test
  void everyConnectionOfAMultiSourceReplicaIsJudged() {
    NodeFacts n =
        healthyReplica()
            .channel(
                Facts.channel(
                    "site2", "10.9.0.1", 9, RUNNING, STOPPED, 0, "", 1062, "Duplicate entry", null))
            .build();
    Assessment a = ReplicaAssessment.replica(n, fromPrimary(""));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.SQL_ERROR);
    assertThat(a.verdict()).isEqualTo(Verdict.NEEDS_RESEED);
    assertThat(a.findings().get(0).channel()).isEqualTo("site2");
    assertThat(a.findings().get(0).toString()).startsWith("sql-error (connection 'site2'): ");
    // a named connection from outside is not the cluster's: no wrong-primary for it
    assertThat(a.findings()).extracting(Finding::diagnosis).doesNotContain(Diagnosis.WRONG_PRIMARY);
  }

  @Test
  void aReplicaReadingTheClusterThroughANamedConnectionIsJudgedByIt() {
    NodeFacts n =
        Facts.mariadb(2)
            .channel(Facts.running("prod"))
            .gtids("0-1-100", "0-1-100", "0-1-100")
            .build();
    Assessment a =
        ReplicaAssessment.replica(
            n,
            new Context(
                "db1",
                PRIMARY,
                "prod",
                Map.of("prod", new Source(SourceKind.PRIMARY, "db1")),
                LAG));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.OK);
  }

  @Test
  void thePrimaryIsJudgedOnlyByItsOwnConnectionsFromOutside() {
    NodeFacts p =
        Facts.mariadb(1)
            .readOnly(false)
            .channel(
                Facts.channel(
                    "dr", "10.9.0.1", 9, STOPPED, RUNNING, 1045, "Access denied", 0, "", null))
            .build();
    Assessment a = ReplicaAssessment.primary(p, LAG);
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.IO_ERROR);
    assertThat(a.verdict()).isEqualTo(Verdict.RECOVERABLE);
    assertThat(ReplicaAssessment.primary(PRIMARY, LAG).diagnosis()).isEqualTo(Diagnosis.OK);
  }

  @Test
  void anUnreachableNodeCannotBeJudged() {
    Assessment a = ReplicaAssessment.unreachable("connection refused");
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.UNREACHABLE);
    assertThat(a.verdict()).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void mySqlErrantTransactionsAreCountedExactly() {
    String u1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    String u2 = "4e11fa47-71ca-11e1-9e33-c80aa9429563";
    NodeFacts primary =
        Facts.mysql(1).readOnly(false).executed(u1 + ":1-100", u1 + ":1-10").build();
    NodeFacts n =
        Facts.mysql(2)
            .channel(Facts.running(""))
            .executed(u1 + ":1-100," + u2 + ":1-3", "")
            .build();
    Assessment a =
        ReplicaAssessment.replica(
            n,
            new Context(
                "db1", primary, "", Map.of("", new Source(SourceKind.PRIMARY, "db1")), LAG));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.ERRANT_TRANSACTIONS);
    assertThat(a.errantCount()).isEqualTo(3);
    assertThat(a.errantGtids()).containsExactly(u2 + ":1-3");
  }

  @Test
  void mySqlPurgedTransactionsTheReplicaLacksAreBinlogsPurged() {
    String u1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    NodeFacts primary =
        Facts.mysql(1).readOnly(false).executed(u1 + ":1-300", u1 + ":1-250").build();
    NodeFacts n = Facts.mysql(2).channel(Facts.running("")).executed(u1 + ":1-200", "").build();
    Assessment a =
        ReplicaAssessment.replica(
            n,
            new Context(
                "db1", primary, "", Map.of("", new Source(SourceKind.PRIMARY, "db1")), LAG));
    assertThat(a.diagnosis()).isEqualTo(Diagnosis.BINLOGS_PURGED);
    assertThat(a.findings().get(0).detail()).contains(u1 + ":201-250");
  }

  @Test
  void anAgentTellsThePrimarysConnectionByAddressOrServerId() {
    NodeFacts n =
        Facts.mariadb(3)
            .channel(Facts.channel("", "DB1.example", 1, RUNNING, RUNNING, 0, "", 0, "", 0L))
            .channel(Facts.channel("site2", "10.9.0.1", 9, RUNNING, RUNNING, 0, "", 0, "", 0L))
            .build();
    Map<String, Source> byAddress =
        ReplicaAssessment.sourcesFor(n, "", "db1", "db1.example", 3306, 77);
    assertThat(byAddress.get("").kind()).isEqualTo(SourceKind.PRIMARY);
    assertThat(byAddress.get("site2").kind()).isEqualTo(SourceKind.OUTSIDE);
    Map<String, Source> byId = ReplicaAssessment.sourcesFor(n, "", "db1", "10.0.0.1", 3306, 1);
    assertThat(byId.get("").kind()).isEqualTo(SourceKind.PRIMARY);
    Map<String, Source> neither = ReplicaAssessment.sourcesFor(n, "", "db2", "10.0.0.2", 3306, 2);
    assertThat(neither.get("").kind()).isEqualTo(SourceKind.OTHER_NODE);
  }
}
