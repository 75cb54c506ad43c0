package io.dbjobs.common.auth;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Everything a job's seal covers: which node must run it, the row it is (id and idempotency key),
 * what to do (task and the params column exactly as stored), who the stream peer is (server, port
 * and the name its TLS certificate must carry), the wrapped stream secret, and until when it may be
 * started. The primary to replicate from is a param, so it is covered too. Change any of these in
 * the row and the seal no longer verifies.
 *
 * @param id the row's id; 0 for a job handed to an agent without a row (its HTTP submit)
 * @param paramsJson the params column, byte for byte
 * @param secretBox the wrapped stream secret ({@link SecretBox}), or "" when the job has no stream
 */
public record SealedFields(
    String node,
    long id,
    String idempotencyKey,
    String task,
    String paramsJson,
    String server,
    int port,
    String peerName,
    String secretBox,
    Instant expires) {

  private static final byte[] LABEL = "dbjobs-job-v1".getBytes(StandardCharsets.US_ASCII);

  public SealedFields {
    server = server == null ? "" : server;
    peerName = peerName == null ? "" : peerName;
    secretBox = secretBox == null ? "" : secretBox;
    paramsJson = paramsJson == null ? "" : paramsJson;
  }

  /**
   * The fields of a row read from a node's table, for {@link JobVerifier} (which supplies the node
   * and takes the expiry from the seal).
   */
  public static SealedFields of(io.dbjobs.common.job.Job row) {
    return new SealedFields(
        "",
        row.id(),
        row.idempotencyKey(),
        row.task(),
        row.paramsJson(),
        row.server(),
        row.port(),
        row.seal().peerName(),
        row.seal().secretBox(),
        Instant.EPOCH);
  }

  /** The MAC input: a label, then every field as a u32 length and its UTF-8 bytes. */
  byte[] canonical() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + paramsJson.length());
    out.writeBytes(LABEL);
    out.write(0);
    for (String f :
        new String[] {
          node,
          Long.toString(id),
          idempotencyKey,
          task,
          paramsJson,
          server,
          Integer.toString(port),
          peerName,
          secretBox,
          Long.toString(expires.toEpochMilli())
        }) {
      byte[] b = f.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
      out.writeBytes(b);
    }
    return out.toByteArray();
  }
}
