package io.dbjobs.common.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JobsSchemaTest {
  @Test
  void shipsTheVersionedDdlAndSplitsItIntoStatements() {
    List<String> v1 = JobsSchema.statements("V1__jobs.sql");
    assertThat(v1).hasSize(2);
    assertThat(v1.get(0)).isEqualTo("CREATE DATABASE IF NOT EXISTS replication_manager_schema");
    assertThat(v1.get(1))
        .startsWith("CREATE TABLE IF NOT EXISTS replication_manager_schema.jobs (")
        .contains("UNIQUE KEY uk_jobs_idempotency_key (idempotency_key)")
        .endsWith("COMMENT='" + JobsSchema.COMMENT_PREFIX + "1'");
  }

  @Test
  void everyVersionHasItsMigrationAndTheLastOneStampsTheCurrentVersion() {
    assertThat(JobsSchema.MIGRATIONS).hasSize(JobsSchema.VERSION);
    List<String> last = JobsSchema.statements(JobsSchema.MIGRATIONS.get(JobsSchema.VERSION - 1));
    assertThat(String.join("\n", last))
        .endsWith("COMMENT='" + JobsSchema.COMMENT_PREFIX + JobsSchema.VERSION + "'");
  }

  @Test
  void version2DropsTheClearStreamSecretsAndAddsTheSealColumns() {
    String v2 = String.join("\n", JobsSchema.statements("V2__sealed_jobs.sql"));
    assertThat(v2)
        .contains("DROP COLUMN stream_secret")
        .contains("ADD COLUMN seal")
        .contains("ADD COLUMN secret_box")
        .contains("ADD COLUMN node")
        .contains("ADD COLUMN peer_name");
  }
}
