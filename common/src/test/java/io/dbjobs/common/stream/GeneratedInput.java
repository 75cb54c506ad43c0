package io.dbjobs.common.stream;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deterministic stream of {@code length} bytes made up on the fly (never stored): xorshift noise,
 * or, when compressible, text-like runs. {@link #read()} counts what was consumed, so tests can see
 * how far a sender got.
 */
final class GeneratedInput extends InputStream {
  private final long length;
  private final boolean compressible;
  private final AtomicLong position = new AtomicLong();
  private long state;

  GeneratedInput(long length, long seed, boolean compressible) {
    this.length = length;
    this.compressible = compressible;
    this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
  }

  static GeneratedInput random(long length, long seed) {
    return new GeneratedInput(length, seed, false);
  }

  static GeneratedInput compressible(long length, long seed) {
    return new GeneratedInput(length, seed, true);
  }

  /** SHA-256 hex of what a fresh instance with these parameters yields. */
  static String sha256(long length, long seed, boolean compressible) {
    MessageDigest sha = SessionKeys.newSha256();
    GeneratedInput in = new GeneratedInput(length, seed, compressible);
    byte[] buf = new byte[1 << 16];
    int n;
    while ((n = in.read(buf, 0, buf.length)) > 0) {
      sha.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Bytes handed out so far. */
  long consumed() {
    return position.get();
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    long pos = position.get();
    if (pos >= length) {
      return -1;
    }
    int n = (int) Math.min(len, length - pos);
    for (int i = 0; i < n; i++) {
      long p = pos + i;
      if ((p & 7) == 0) {
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
      }
      byte v = (byte) (state >>> ((p & 7) * 8));
      if (compressible) {
        // a small alphabet with long-ish runs: zstd and lz4 shrink it a lot
        v = (byte) ('a' + ((v & 0xff) % 4 == 0 ? (p >>> 6) % 26 : (p >>> 9) % 8));
      }
      b[off + i] = v;
    }
    position.addAndGet(n);
    return n;
  }
}
