package io.dbjobs.common.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.job.params.BackupLogicalParams;
import io.dbjobs.common.job.params.BackupPhysicalParams;
import io.dbjobs.common.job.params.LogParams;
import io.dbjobs.common.job.params.ParamsCodec;
import io.dbjobs.common.job.params.ReseedParams;
import io.dbjobs.common.job.params.ServiceParams;
import io.dbjobs.common.job.params.TaskParams;
import io.dbjobs.common.stream.Compression;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsCodecTest {
  @Test
  void everyTaskDeclaresItsParametersInOneRecord() {
    for (Task t : Task.values()) {
      assertThat(t.paramsType()).as(t.wireName()).isNotNull();
      assertThat(t.params()).as(t.wireName()).allSatisfy(p -> assertThat(p.doc()).isNotBlank());
    }
  }

  @Test
  void specsComeFromTheRecordsTypesAndDeclarations() {
    assertThat(Task.RESEED_PHYSICAL.params())
        .extracting(ParamSpec::name, ParamSpec::type, ParamSpec::required)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("stream-id", ParamSpec.Type.STRING, true),
            org.assertj.core.groups.Tuple.tuple("primary", ParamSpec.Type.ENDPOINT, true),
            org.assertj.core.groups.Tuple.tuple("source", ParamSpec.Type.STRING, false),
            org.assertj.core.groups.Tuple.tuple("expected-bytes", ParamSpec.Type.LONG, false),
            org.assertj.core.groups.Tuple.tuple("keep-old-datadir", ParamSpec.Type.BOOLEAN, false),
            org.assertj.core.groups.Tuple.tuple("position", ParamSpec.Type.CHOICE, false),
            org.assertj.core.groups.Tuple.tuple("binlog-position", ParamSpec.Type.STRING, false),
            org.assertj.core.groups.Tuple.tuple("replication-ssl-ca", ParamSpec.Type.STRING, false),
            org.assertj.core.groups.Tuple.tuple(
                "replication-ssl-cert", ParamSpec.Type.STRING, false),
            org.assertj.core.groups.Tuple.tuple(
                "replication-ssl-key", ParamSpec.Type.STRING, false));
    ParamSpec compression =
        Task.BACKUP_PHYSICAL.params().stream()
            .filter(p -> p.name().equals("compression"))
            .findFirst()
            .orElseThrow();
    assertThat(compression.type()).isEqualTo(ParamSpec.Type.CHOICE);
    assertThat(compression.choices()).containsExactly("none", "zstd", "lz4");
    assertThat(compression.defaultValue()).isEqualTo("none");
    assertThat(compression.describe())
        .isEqualTo("compression (none|zstd|lz4, default none): compression on the wire");
  }

  @Test
  void validatedTextReadsAsTheTypedRecord() {
    ReseedParams r =
        Task.RESEED_PHYSICAL.typed(
            ReseedParams.class,
            Map.of(
                "stream-id", "s1",
                "primary", "10.0.0.1:3306",
                "expected-bytes", "1024",
                "keep-old-datadir", "true"));
    assertThat(r.primary()).isEqualTo("10.0.0.1:3306");
    assertThat(r.expectedBytes()).isEqualTo(1024L);
    assertThat(r.keepOldDatadir()).isTrue();
    assertThat(r.source()).isNull();
    BackupPhysicalParams b =
        Task.BACKUP_PHYSICAL.typed(BackupPhysicalParams.class, Map.of("stream-id", "s"));
    assertThat(b.compression()).isEqualTo(Compression.NONE);
    assertThat(b.parallel()).isEqualTo(1);
    BackupLogicalParams l =
        Task.BACKUP_LOGICAL.typed(BackupLogicalParams.class, Map.of("stream-id", "s"));
    assertThat(l.format()).isEqualTo("parts");
    assertThat(l.threads()).isNull();
    assertThat(l.lockTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(l.chunkMib()).isEqualTo(64);
    assertThat(Task.ERRORLOG.typed(LogParams.class, Map.of("stream-id", "s")).rotate()).isTrue();
    assertThat(Task.STOP.typed(ServiceParams.class, Map.of("timeout", "90s")).timeout())
        .isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void aRecordWritesBackTheTextItWasReadFrom() {
    Map<String, String> given =
        Task.BACKUP_PHYSICAL.validate(
            Map.of("stream-id", "s", "compression", "lz4", "parallel", "3"));
    TaskParams typed = ParamsCodec.read(BackupPhysicalParams.class, given);
    assertThat(ParamsCodec.write(typed)).isEqualTo(given);
  }

  @Test
  void aMalformedValueIsRefusedNamingTheParameterBeforeAnythingIsTyped() {
    assertThatThrownBy(
            () ->
                Task.RESEED_PHYSICAL.typed(
                    ReseedParams.class, Map.of("stream-id", "s", "primary", "nohostport")))
        .hasMessageContaining("parameter 'primary'='nohostport' is not a host:port");
    assertThatThrownBy(
            () ->
                Task.BACKUP_LOGICAL.typed(
                    BackupLogicalParams.class, Map.of("stream-id", "s", "threads", "0")))
        .hasMessageContaining("parameter 'threads'=0 must be between 1 and 64");
    assertThatThrownBy(
            () ->
                Task.BACKUP_LOGICAL.typed(
                    BackupLogicalParams.class, Map.of("stream-id", "s", "chunk-mib", "-5")))
        .hasMessageContaining("parameter 'chunk-mib'=-5 must be between 1 and 65536");
    assertThatThrownBy(
            () ->
                Task.BACKUP_LOGICAL.typed(
                    BackupLogicalParams.class, Map.of("stream-id", "s", "lock-timeout", "2h")))
        .hasMessageContaining("parameter 'lock-timeout'=PT2H must be more than 0 and at most 1h");
    assertThatThrownBy(() -> Task.RESEED_PHYSICAL.typed(LogParams.class, Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
