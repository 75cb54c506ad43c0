package io.dbjobs.common.job;

/** Where a running job is: a phase name and bytes done of bytes total (total null when unknown). */
public record Progress(String phase, long bytesDone, Long bytesTotal) {
  public static Progress phase(String phase) {
    return new Progress(phase, 0, null);
  }
}
