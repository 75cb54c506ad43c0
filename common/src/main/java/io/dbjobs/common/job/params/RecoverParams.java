package io.dbjobs.common.job.params;

import io.dbjobs.common.job.ParamSpec;
import io.dbjobs.common.job.ReplicationTls;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * {@code recover}: which primary the node is to replicate from and through which replication
 * connection.
 */
public record RecoverParams(
    @Param(
            name = RecoverParams.PRIMARY,
            doc = "host:port of the cluster's current primary",
            required = true,
            as = ParamSpec.Type.ENDPOINT)
        String primary,
    @Param(
            name = RecoverParams.CONNECTION,
            doc = "the replication connection to re-point (absent: the default one)")
        String connection,
    @Param(
            name = RecoverParams.CATCH_UP_TIMEOUT,
            doc =
                "how long the node may take to catch up (absent: the agent's reseed.catchUpTimeout)")
        Duration catchUpTimeout,
    @Param(
            name = ReplicationTls.CA,
            doc =
                "replication over TLS: the CA file on this node that signed the primary's certificate")
        String replicationSslCa,
    @Param(name = ReplicationTls.CERT, doc = "replication over TLS: this node's client certificate")
        String replicationSslCert,
    @Param(name = ReplicationTls.KEY, doc = "replication over TLS: its private key")
        String replicationSslKey)
    implements TaskParams {

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
}
