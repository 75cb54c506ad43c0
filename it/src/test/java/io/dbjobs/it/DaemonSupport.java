package io.dbjobs.it;

import io.dbjobs.manager.api.ApiClient;
import io.dbjobs.manager.api.ApiFleet;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.daemon.DaemonIntegrations;
import io.dbjobs.manager.daemon.ManagerDaemon;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/** A manager daemon for a {@link FleetFixture}: its API port, token and config block. */
final class DaemonSupport {
  static final String API_TOKEN = "api-" + UUID.randomUUID();

  final int port = FreePorts.next();
  final Path tokenFile;

  DaemonSupport(Path dir) {
    tokenFile = ConfigFiles.secret(dir, "api.token", API_TOKEN);
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * The top-level YAML for the API (with api.url, so the CLI goes through it) and a quick watchdog.
   */
  String yaml() {
    return "api:\n  url: "
        + url()
        + "\n  port: "
        + port
        + "\n  token: {file: "
        + tokenFile
        + "}\n"
        + "watchdog:\n  interval: 500ms\n";
  }

  static ManagerDaemon start(Path config, DaemonIntegrations integrations) {
    return ManagerDaemon.start(ManagerConfig.load(config, System::getenv), integrations);
  }

  ApiFleet client() {
    return new ApiFleet(
        new ApiClient(
            url(), new io.dbjobs.common.config.Secret(API_TOKEN, "test"), Duration.ofSeconds(30)));
  }
}
