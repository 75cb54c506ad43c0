package io.dbjobs.common.job;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * TLS for the replication connection a repositioning sets up ({@code CHANGE MASTER ...
 * MASTER_SSL=1, MASTER_SSL_CA=...}): PEM files on the replica's host, read by its server. From a
 * cluster's {@code replicationTls: {ca, cert, key}} in manager.yml, carried in the sealed job's
 * params ({@link #CA}, {@link #CERT}, {@link #KEY}) of reseed, flashback and recover.
 *
 * @param ca the CA that signed the primary's certificate (required)
 * @param cert the replica's client certificate, or null
 * @param key its private key, or null (given together with {@code cert})
 */
public record ReplicationTls(String ca, String cert, String key) {
  public static final String CA = "replication-ssl-ca";
  public static final String CERT = "replication-ssl-cert";
  public static final String KEY = "replication-ssl-key";

  /** An absolute path without quotes, backslashes or control characters. */
  private static final Pattern PATH = Pattern.compile("/[^\\x00-\\x1f\\x7f\\\\'\"]{0,511}");

  public ReplicationTls {
    String problem = problem(ca, cert, key);
    if (problem != null) {
      throw new DbJobsException(ErrorCode.BAD_PARAMETER, "replication TLS: " + problem);
    }
  }

  /** What is wrong with these files, or null. */
  public static String problem(String ca, String cert, String key) {
    if (ca == null) {
      return "ca is required";
    }
    if ((cert == null) != (key == null)) {
      return "cert and key go together";
    }
    for (String p : new String[] {ca, cert, key}) {
      if (p != null && !PATH.matcher(p).matches()) {
        return "'"
            + p.replaceAll("[^\\x20-\\x7e]", "?")
            + "' is not an absolute path without quotes, backslashes or control characters";
      }
    }
    return null;
  }

  /** Puts these files into job params. */
  public Map<String, String> toParams(Map<String, String> params) {
    params.put(CA, ca);
    if (cert != null) {
      params.put(CERT, cert);
      params.put(KEY, key);
    }
    return params;
  }

  /** The files a job's params name, or null when they name none. */
  public static ReplicationTls fromParams(UnaryOperator<String> param) {
    String ca = param.apply(CA);
    String cert = param.apply(CERT);
    String key = param.apply(KEY);
    if (ca == null && cert == null && key == null) {
      return null;
    }
    return new ReplicationTls(ca, cert, key);
  }
}
