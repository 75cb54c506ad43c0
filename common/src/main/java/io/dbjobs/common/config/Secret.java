package io.dbjobs.common.config;

import java.util.Objects;

/**
 * A password or token. It prints as {@code ****} everywhere ({@link #toString()}), so it cannot
 * reach a log line, an exception message or a JSON document by accident; {@link #reveal()} is
 * called only where the value is handed to a driver, a 0600 file or an HMAC.
 *
 * @param source where it came from, for messages: {@code env:NAME} or {@code file:/path}
 */
public final class Secret {
  private final String value;
  private final String source;

  public Secret(String value, String source) {
    this.value = Objects.requireNonNull(value, "value");
    this.source = Objects.requireNonNull(source, "source");
  }

  public String reveal() {
    return value;
  }

  /** Where the secret was read from ({@code env:NAME}, {@code file:/path}); safe to print. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "****(" + source + ")";
  }
}
