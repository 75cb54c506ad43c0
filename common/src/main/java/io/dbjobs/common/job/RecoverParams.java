package io.dbjobs.common.job;

import static io.dbjobs.common.job.ParamSpec.Type.DURATION;
import static io.dbjobs.common.job.ParamSpec.Type.ENDPOINT;
import static io.dbjobs.common.job.ParamSpec.Type.STRING;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Parameters of the {@code recover} task: which primary the node is to replicate from and through
 * which replication connection.
 */
public final class RecoverParams {
  /** host:port of the cluster's current primary, as replicas reach it. */
  public static final String PRIMARY = "primary";

  /** The replication connection (MariaDB) or channel (MySQL) to point at it; absent: default. */
  public static final String CONNECTION = "connection";

  /** How long the node may take to catch up (absent: the agent's reseed.catchUpTimeout). */
  public static final String CATCH_UP_TIMEOUT = "catch-up-timeout";

  /**
   * What a connection name may be: letters, digits, '_', '-' and '.', at most 64 (MariaDB's limit);
   * names outside it are refused before they reach a statement.
   */
  public static final Pattern CONNECTION_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  static final List<ParamSpec> SPECS =
      List.of(
          ParamSpec.required(PRIMARY, ENDPOINT, "host:port of the cluster's current primary"),
          ParamSpec.optional(
              CONNECTION,
              STRING,
              null,
              "the replication connection to re-point (absent: the default one)"),
          ParamSpec.optional(
              CATCH_UP_TIMEOUT,
              DURATION,
              null,
              "how long the node may take to catch up (absent: the agent's"
                  + " reseed.catchUpTimeout)"));

  private RecoverParams() {}
}
