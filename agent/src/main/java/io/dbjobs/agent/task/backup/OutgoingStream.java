package io.dbjobs.agent.task.backup;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.params.SenderParams;
import io.dbjobs.common.net.HostPort;
import io.dbjobs.common.stream.PeerIdentity;
import io.dbjobs.common.stream.SendResult;
import io.dbjobs.common.stream.SourceCompletion;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamSender;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.units.Sizes;
import java.io.InputStream;

/**
 * The stream a sending task (backup-physical, backup-logical, errorlog, slowquery) delivers: to the
 * job row's {@code server}:{@code port}, authenticated with the stream secret of its sealed row,
 * named by its {@code stream-id} parameter, compressed on the wire as its {@code compression}
 * parameter says, with the agent's {@code stream.*} settings (TLS, timeouts). While it runs, the
 * job's progress is the current phase and the bytes sent so far.
 */
public final class OutgoingStream {
  private final JobContext ctx;
  private final StreamTarget target;
  private final StreamOptions options;
  private volatile String phase = "connecting";
  private volatile long bytes;
  private volatile Long total;

  private OutgoingStream(JobContext ctx, StreamTarget target, StreamOptions options) {
    this.ctx = ctx;
    this.target = target;
    this.options = options;
  }

  /**
   * The stream of this job, to the receiver its row names, under its typed {@code params}' stream
   * id and wire compression.
   *
   * @throws DbJobsException BAD_PARAMETER when the row names no receiver, one that is not a host
   *     name or IP address ({@link HostPort}), or holds no valid secret
   */
  public static OutgoingStream forJob(JobContext ctx, SenderParams params) {
    Job job = ctx.job();
    String what = "job " + job.id() + " (" + job.task() + ")";
    if (job.server() == null || job.server().isBlank() || job.port() <= 0) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          what
              + " names no receiver for its stream: its server and port columns are empty (the"
              + " manager sets them to the address of the stream's receiver)");
    }
    HostPort receiver;
    try {
      receiver = new HostPort(job.server(), job.port());
    } catch (DbJobsException e) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          what + " names a stream receiver that is not an address: " + e.getMessage(),
          e);
    }
    StreamTarget target =
        new StreamTarget(
            receiver.host(),
            receiver.port(),
            params.streamId(),
            ctx.streamSecret(),
            PeerIdentity.fromSealedNames(ctx.peerName()));
    return new OutgoingStream(
        ctx, target, ctx.config().stream().senderOptions(params.compression()));
  }

  public StreamTarget target() {
    return target;
  }

  public StreamOptions options() {
    return options;
  }

  /**
   * "{what} sent to {address} as stream {id}: {size} in {time} ({rate}){detail}; receiver: {ACK
   * message}", the result of a successful job.
   */
  public String describe(String what, SendResult sent, String detail) {
    double seconds = Math.max(1, sent.elapsed().toNanos()) / 1e9;
    return what
        + " sent to "
        + target.address()
        + " as stream "
        + target.streamId()
        + ": "
        + Sizes.human(sent.bytes())
        + " in "
        + Durations.human(sent.elapsed())
        + " ("
        + Sizes.rate(sent.bytes() / seconds)
        + ")"
        + detail
        + "; receiver: "
        + sent.receiverMessage();
  }

  /** Sets the phase shown in the job row, keeping the byte counts. */
  public void phase(String phase) {
    this.phase = phase;
    ctx.progress(phase, bytes, total);
  }

  /**
   * Sends {@code source} (not closed here) and waits for the receiver's ACK.
   *
   * @param estimate the expected number of bytes, for progress, or null when unknown
   * @param completion runs after the source's end: checks the tool and returns the trailer
   *     metadata, or throws to abort the stream
   * @throws DbJobsException see {@link StreamSender#send}
   */
  public SendResult send(InputStream source, Long estimate, SourceCompletion completion) {
    this.total = estimate;
    ctx.progress(phase, 0, estimate);
    try (StreamSender sender = new StreamSender()) {
      return sender.send(
          target,
          source,
          estimate == null ? -1 : estimate,
          completion,
          options,
          p -> {
            bytes = p.bytes();
            ctx.progress(phase, p.bytes(), total);
          });
    }
  }
}
