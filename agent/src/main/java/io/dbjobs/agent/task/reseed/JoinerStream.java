package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.ExpectedStream;
import io.dbjobs.common.stream.PeerIdentity;
import io.dbjobs.common.stream.ReceiveResult;
import io.dbjobs.common.stream.SinkFactory;
import io.dbjobs.common.stream.StreamListener;
import io.dbjobs.common.stream.StreamOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The joiner's side of a reseed stream: opens the one-shot listener on the agent's stream port
 * (4444), puts the job in state 2 (waiting for stream), accepts exactly one authenticated stream
 * for this job, and returns once its sink finished and the sender was acknowledged.
 */
final class JoinerStream {
  private static final Logger LOG = LoggerFactory.getLogger(JoinerStream.class);

  private JoinerStream() {}

  static ReceiveResult receive(
      JobContext ctx, SinkFactory sinks, Long expectedBytes, StreamOptions options)
      throws InterruptedException {
    long id = ctx.job().id();
    String secret = ctx.streamSecret();
    String streamId = JoinerParams.of(ctx).streamId();
    String bind = ctx.config().stream().bind();
    int port = ctx.config().stream().port();
    try (StreamListener listener = StreamListener.openOneShot(bind, port, options)) {
      ExpectedStream expected =
          listener.expect(
              streamId,
              secret,
              PeerIdentity.fromSealedNames(ctx.peerName()),
              hello -> {
                // the heartbeat writes the job's phase as it knows it: it must not put "waiting
                // for stream" back over the row once the stream came
                ctx.phase("receiving");
                ctx.jobs().markRunning(id, ctx.owner(), "receiving");
                LOG.info("job {}: stream {} connected ({})", id, streamId, hello);
                return sinks.open(hello);
              },
              p -> ctx.progress("receiving", p.bytes(), expectedBytes));
      ctx.jobs().markWaitingForStream(id, ctx.owner());
      ctx.phase("waiting for stream on port " + listener.port());
      LOG.info("job {}: listening on {}:{} for stream {}", id, bind, listener.port(), streamId);
      try (var onStop = ctx.onStop(expected::cancel)) {
        return expected.await(options.jobTimeout());
      } catch (DbJobsException e) {
        ctx.checkStopping();
        if (e.code() == ErrorCode.TIMEOUT || e.code() == ErrorCode.STREAM_TIMEOUT) {
          throw new DbJobsException(
              e.code(),
              // the cause says which deadline passed (connect, idle, the whole stream)
              "no complete stream "
                  + streamId
                  + " arrived on port "
                  + listener.port()
                  + ": "
                  + e.getMessage(),
              e);
        }
        throw e;
      }
    }
  }

  /** The stream options for a joiner: the agent's configured TLS and timeouts. */
  static StreamOptions options(JobContext ctx) {
    return ctx.config().stream().listenerOptions();
  }
}
