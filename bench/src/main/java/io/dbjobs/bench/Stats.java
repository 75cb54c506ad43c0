package io.dbjobs.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Percentiles of a sample (nearest-rank). */
final class Stats {
  private final List<Double> values = new ArrayList<>();

  void add(double v) {
    values.add(v);
  }

  int count() {
    return values.size();
  }

  double percentile(double p) {
    List<Double> s = new ArrayList<>(values);
    Collections.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.size());
    return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
  }

  /** The median of {@code v} (the mean of the middle two for an even count). */
  static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    return s.size() % 2 == 1
        ? s.get(s.size() / 2)
        : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }

  double max() {
    return Collections.max(values);
  }

  double mean() {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

  String summary(String unit) {
    return String.format(
        Locale.ROOT,
        "n=%d p50=%.0f%s p90=%.0f%s p99=%.0f%s max=%.0f%s mean=%.0f%s",
        count(),
        percentile(50),
        unit,
        percentile(90),
        unit,
        percentile(99),
        unit,
        max(),
        unit,
        mean(),
        unit);
  }
}
