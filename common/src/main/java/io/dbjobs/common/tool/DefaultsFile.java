package io.dbjobs.common.tool;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.DatabaseEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * A MySQL option file holding a tool's connection settings and password, created 0600 (mode set at
 * creation, no window where others can read it) and deleted on {@link #close()}. Tools get it with
 * {@code --defaults-file}/{@code --defaults-extra-file} as their first option, so the password
 * never appears on a command line or in {@code ps}.
 */
public final class DefaultsFile implements AutoCloseable {
  private final Path file;

  private DefaultsFile(Path file) {
    this.file = file;
  }

  /** Writes a {@code [client]} group for {@code endpoint} into {@code dir}. */
  public static DefaultsFile write(Path dir, DatabaseEndpoint endpoint) {
    return write(dir, endpoint, "");
  }

  /**
   * Writes a {@code [client]} group for {@code endpoint}, followed by {@code extra} (more groups or
   * options, verbatim) into {@code dir}.
   */
  public static DefaultsFile write(Path dir, DatabaseEndpoint endpoint, String extra) {
    StringBuilder sb = new StringBuilder("[client]\n");
    sb.append("user=").append(quote(endpoint.user())).append('\n');
    if (endpoint.password() != null) {
      sb.append("password=").append(quote(endpoint.password().reveal())).append('\n');
    }
    if (endpoint.socket() != null) {
      sb.append("socket=").append(quote(endpoint.socket().toString())).append('\n');
    } else {
      sb.append("host=").append(quote(endpoint.host())).append('\n');
      sb.append("port=").append(endpoint.port()).append('\n');
      sb.append("protocol=TCP\n");
    }
    sb.append(extra);
    try {
      Files.createDirectories(dir);
      Path f = dir.resolve(".dbjobs-client-" + UUID.randomUUID() + ".cnf");
      Files.createFile(
          f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(f, sb.toString(), StandardCharsets.UTF_8);
      return new DefaultsFile(f);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL,
          "cannot write a private option file in " + dir + ": " + e.getMessage(),
          e);
    }
  }

  public Path path() {
    return file;
  }

  /** {@code --defaults-file=PATH}: the tool reads only this file. */
  public String defaultsFileOption() {
    return "--defaults-file=" + file;
  }

  /** {@code --defaults-extra-file=PATH}: the tool reads the system files, then this one. */
  public String extraFileOption() {
    return "--defaults-extra-file=" + file;
  }

  /**
   * Quotes a value for an option file: inside quotes, backslash escapes are interpreted, so
   * backslashes are doubled and line breaks and tabs written as {@code \n}, {@code \r}, {@code \t}
   * (a raw line break would end the value and start an option of the value's choosing); the quote
   * character is one the value does not contain. U+0000 cannot be written and is refused.
   */
  static String quote(String v) {
    if (v.indexOf('\0') >= 0) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "a database password or user containing U+0000 cannot be written to an option file;"
              + " change it");
    }
    String escaped =
        v.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    if (!v.contains("\"")) {
      return "\"" + escaped + "\"";
    }
    if (!v.contains("'")) {
      return "'" + escaped + "'";
    }
    throw new DbJobsException(
        ErrorCode.CONFIG_INVALID,
        "a database password or user containing both ' and \" cannot be written to an option file;"
            + " change it");
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL,
          "cannot delete the private option file " + file + ": " + e.getMessage(),
          e);
    }
  }
}
