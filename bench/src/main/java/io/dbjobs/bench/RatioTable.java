package io.dbjobs.bench;

import java.util.Locale;

/**
 * The results table the benches print (markdown, as bench/README.md shows it): per measure, dbjobs
 * as a whole command and as the job alone against the plain-tool pipeline, as ratios.
 */
final class RatioTable {
  private RatioTable() {}

  static void header() {
    System.out.println();
    System.out.println(
        "| measure | dbjobs (command) | dbjobs (job) | plain tools | ratio (command) | ratio (job) | goal |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
  }

  /** A row where dbjobs should be faster: the ratios are plain / dbjobs. */
  static void faster(
      String measure, double command, double job, String plain, double plainS, String goal) {
    row(measure, command, job, plain, plainS, plainS / command, plainS / job, "faster", goal);
  }

  /** A row where dbjobs may take longer: the ratios are dbjobs / plain. */
  static void time(
      String measure, double command, double job, String plain, double plainS, String goal) {
    row(measure, command, job, plain, plainS, command / plainS, job / plainS, "the time", goal);
  }

  private static void row(
      String measure,
      double command,
      double job,
      String plain,
      double plainS,
      double ratioCommand,
      double ratioJob,
      String unit,
      String goal) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %.2f s | %.2f s | %.2f s (%s) | %.2fx %s | %.2fx %s | %s |%n",
        measure,
        command,
        job,
        plainS,
        plain,
        ratioCommand,
        unit,
        ratioJob,
        unit,
        goal);
  }
}
