package io.dbjobs.common.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JobsSchemaTest {
  @Test
  void shipsTheVersionedDdlAndSplitsItIntoStatements() {
    List<String> sql = JobsSchema.statements("V1__jobs.sql");
    assertThat(sql).hasSize(2);
    assertThat(sql.get(0)).isEqualTo("CREATE DATABASE IF NOT EXISTS replication_manager_schema");
    assertThat(sql.get(1))
        .startsWith("CREATE TABLE IF NOT EXISTS replication_manager_schema.jobs (")
        .contains("UNIQUE KEY uk_jobs_idempotency_key (idempotency_key)")
        .endsWith("COMMENT='" + JobsSchema.COMMENT_PREFIX + JobsSchema.VERSION + "'");
  }
}
