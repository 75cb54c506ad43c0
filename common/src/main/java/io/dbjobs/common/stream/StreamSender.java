package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Sends streams. {@link #send} blocks the calling thread (the job's own) until the receiver
 * acknowledged the stream, and returns only then; every failure is a {@link DbJobsException} with
 * the stream's state in its message:
 *
 * <ul>
 *   <li>NODE_UNREACHABLE: cannot connect; STREAM_TIMEOUT: connect, handshake, idle or job timeout
 *   <li>STREAM_AUTH_FAILED: the listener could not prove the secret, or TLS failed
 *   <li>STREAM_CUT: the connection closed before the ACK
 *   <li>the receiver's code (DIGEST_MISMATCH, SINK_FAILED, DISK_FULL, ...) for an ERROR or NACK
 *   <li>the source's code (TOOL_FAILED by default) when reading it or its {@link SourceCompletion}
 *       failed; the receiver was sent ABORT
 *   <li>CANCELLED: the calling thread was interrupted; the receiver was sent ABORT
 * </ul>
 *
 * <p>One sender may run several sends at once on different threads. Close it to release its network
 * thread.
 */
public final class StreamSender implements AutoCloseable {
  private final EventLoopGroup group;

  public StreamSender() {
    this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("dbjobs-stream-send", true));
  }

  /** Sends {@code source} to the target, without a size hint. */
  public SendResult send(
      StreamTarget target,
      InputStream source,
      SourceCompletion completion,
      StreamOptions options,
      ProgressListener progress) {
    return send(target, source, -1, completion, options, progress);
  }

  /**
   * Sends everything {@code source} yields until end of file, then the trailer with what {@code
   * completion} returns, and waits for the ACK. Does not close {@code source}.
   *
   * @param sizeHint expected uncompressed bytes, or -1 when unknown (for progress only)
   * @return the stream's size, digest and the receiver's message, after the receiver's ACK
   * @throws DbJobsException see the class comment
   */
  public SendResult send(
      StreamTarget target,
      InputStream source,
      long sizeHint,
      SourceCompletion completion,
      StreamOptions options,
      ProgressListener progress) {
    return new SendSession(
            group, target, source, "the source", sizeHint, completion, options, progress)
        .run();
  }

  /**
   * Sends a file, with {@code meta} in the trailer.
   *
   * @throws DbJobsException BAD_PARAMETER when the file cannot be opened; see {@link #send}
   */
  public SendResult sendFile(
      StreamTarget target,
      Path file,
      Map<String, String> meta,
      StreamOptions options,
      ProgressListener progress) {
    long size;
    InputStream in;
    try {
      size = Files.size(file);
      in = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "cannot send " + file + " as stream " + target.streamId() + ": no such file",
          e);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "cannot send "
              + file
              + " as stream "
              + target.streamId()
              + ": "
              + DbJobsException.describe(e),
          e);
    }
    try {
      return new SendSession(
              group, target, in, "file " + file, size, SourceCompletion.of(meta), options, progress)
          .run();
    } finally {
      try {
        in.close();
      } catch (IOException e) {
        LoggerFactory.getLogger(StreamSender.class)
            .debug("closing {} failed: {}", file, e.toString());
      }
    }
  }

  /** Releases the network thread; sends in progress fail. */
  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
