package io.dbjobs.common.units;

import java.util.Locale;

/** Byte counts and rates for people: 812 B, 1.2 MiB, 3.40 GiB, 120 MiB/s. */
public final class Sizes {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private Sizes() {}

  public static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < UNITS.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, UNITS[u]);
  }

  public static String rate(double bytesPerSecond) {
    return human((long) bytesPerSecond) + "/s";
  }
}
