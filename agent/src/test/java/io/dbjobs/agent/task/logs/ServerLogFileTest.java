package io.dbjobs.agent.task.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ServerLogFileTest {

  @Test
  void resolvesRelativeSettingsUnderTheDatadir() {
    assertThat(ServerLogFile.errorLog("./db1.err", "/var/lib/mysql/"))
        .isEqualTo(Path.of("/var/lib/mysql/db1.err"));
    assertThat(ServerLogFile.errorLog("/var/log/mysql/error.log", "/var/lib/mysql/"))
        .isEqualTo(Path.of("/var/log/mysql/error.log"));
    assertThat(ServerLogFile.slowLog("db1-slow.log", "/var/lib/mysql/", "FILE"))
        .isEqualTo(Path.of("/var/lib/mysql/db1-slow.log"));
    assertThat(ServerLogFile.slowLog("/var/log/mysql/slow.log", "/data/", "FILE,TABLE"))
        .isEqualTo(Path.of("/var/log/mysql/slow.log"));
  }

  @Test
  void anErrorLogOnStderrNamesTheSettingToSet() {
    for (String setting : new String[] {"", "stderr", null}) {
      assertThatThrownBy(() -> ServerLogFile.errorLog(setting, "/var/lib/mysql/"))
          .isInstanceOf(DbJobsException.class)
          .satisfies(e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.NOT_FOUND))
          .hasMessageContaining("writes its error log to stderr")
          .hasMessageContaining("set log_error=");
    }
  }

  @Test
  void aSlowLogInATableNamesTheSettingToSet() {
    assertThatThrownBy(() -> ServerLogFile.slowLog("slow.log", "/d/", "TABLE"))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("mysql.slow_log")
        .hasMessageContaining("set log_output=FILE");
    assertThatThrownBy(() -> ServerLogFile.slowLog("", "/d/", "FILE"))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("set slow_query_log_file=");
  }
}
