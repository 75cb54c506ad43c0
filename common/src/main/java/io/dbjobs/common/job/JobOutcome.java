package io.dbjobs.common.job;

import io.dbjobs.common.ErrorCode;

/**
 * How a job ended, as written back into its row.
 *
 * @param errorCode null on success
 * @param digest SHA-256 hex of the streamed bytes, or null
 * @param bytes bytes done (streamed, or processed), or -1 to leave the row's count as it is
 * @param bytesTotal bytes the job expected in all, or null to leave the row's value as it is
 */
public record JobOutcome(
    JobState state,
    String result,
    ErrorCode errorCode,
    String digest,
    long bytes,
    Long bytesTotal) {

  public JobOutcome {
    if (!state.isFinal() && state != JobState.FINISHED) {
      throw new IllegalArgumentException("an outcome needs a final state, not " + state);
    }
  }

  public static JobOutcome succeeded(String result) {
    return new JobOutcome(JobState.SUCCEEDED, result, null, null, -1, null);
  }

  public static JobOutcome failed(ErrorCode code, String result) {
    return new JobOutcome(JobState.FAILED, result, code, null, -1, null);
  }

  public static JobOutcome cancelled(String result) {
    return new JobOutcome(JobState.CANCELLED, result, ErrorCode.CANCELLED, null, -1, null);
  }

  /** This outcome with the stream's digest and byte count. */
  public JobOutcome withStream(String digest, long bytes) {
    return new JobOutcome(state, result, errorCode, digest, bytes, bytesTotal);
  }

  /** This outcome with the last progress counters, where it does not set its own. */
  public JobOutcome withProgress(Progress last) {
    return new JobOutcome(
        state,
        result,
        errorCode,
        digest,
        bytes >= 0 ? bytes : last.bytesDone(),
        bytesTotal != null ? bytesTotal : last.bytesTotal());
  }
}
