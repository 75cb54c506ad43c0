package io.dbjobs.common.job.params;

import io.dbjobs.common.job.ParamSpec;
import io.dbjobs.common.job.ReplicationTls;

/** {@code reseed-physical}, {@code reseed-logical}. */
public record ReseedParams(
    @Param(
            name = "stream-id",
            doc = "the receiver's name for this stream (set by the manager)",
            required = true)
        String streamId,
    @Param(
            name = "primary",
            doc = "host:port of the primary to replicate from",
            required = true,
            as = ParamSpec.Type.ENDPOINT)
        String primary,
    @Param(name = "source", doc = "where the data comes from, for messages") String source,
    @Param(name = "expected-bytes", doc = "expected data size, for the disk check")
        Long expectedBytes,
    @Param(name = "keep-old-datadir", doc = "keep the replaced data (absent: the agent's setting)")
        Boolean keepOldDatadir,
    @Param(
            name = "position",
            doc =
                "how the restored node is positioned on the primary: gtid (the data's GTID), or"
                    + " binlog (the data's binary log file:position on the primary)",
            dflt = "gtid",
            choices = {"gtid", "binlog"})
        String position,
    @Param(
            name = "binlog-position",
            doc =
                "FILE:POS on the primary to start from, in place of the data's own (an operator's"
                    + " override, with position binlog)")
        String binlogPosition,
    @Param(
            name = ReplicationTls.CA,
            doc =
                "replication over TLS: the CA file on this node that signed the primary's certificate")
        String replicationSslCa,
    @Param(name = ReplicationTls.CERT, doc = "replication over TLS: this node's client certificate")
        String replicationSslCert,
    @Param(name = ReplicationTls.KEY, doc = "replication over TLS: its private key")
        String replicationSslKey)
    implements TaskParams {}
