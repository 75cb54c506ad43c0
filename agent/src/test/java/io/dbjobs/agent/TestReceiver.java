package io.dbjobs.agent;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.stream.ExpectedStream;
import io.dbjobs.common.stream.PeerIdentity;
import io.dbjobs.common.stream.ReceiveResult;
import io.dbjobs.common.stream.SinkFactory;
import io.dbjobs.common.stream.StreamListener;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamSecret;
import io.dbjobs.common.stream.StreamSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stands in for the manager's receiving side in agent tests: a real {@link StreamListener} on a
 * free loopback port, expected streams with fresh secrets, and the job rows that send to them.
 */
final class TestReceiver implements AutoCloseable {
  final StreamListener listener;

  TestReceiver() {
    this(StreamOptions.defaults());
  }

  TestReceiver(StreamOptions options) {
    listener = StreamListener.open("127.0.0.1", 0, options);
  }

  /** A stream this receiver waits for, and the secret a sender must prove. */
  record Incoming(String streamId, String secret, ExpectedStream stream) {
    ReceiveResult await(Duration timeout) throws InterruptedException {
      return stream.await(timeout);
    }

    /** The stream's failure, once it failed. */
    DbJobsException failure(Duration timeout) throws InterruptedException {
      try {
        stream.result().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        return DbJobsException.from(e.getCause(), "stream " + streamId);
      } catch (TimeoutException e) {
        throw new AssertionError("stream " + streamId + " did not fail within " + timeout);
      }
      throw new AssertionError("stream " + streamId + " succeeded but was expected to fail");
    }
  }

  Incoming expect(SinkFactory sinks) {
    String id = "test-" + UUID.randomUUID();
    String secret = StreamSecret.mint();
    // the test's agents send from loopback: with TLS their certificate names 127.0.0.1
    return new Incoming(
        id, secret, listener.expect(id, secret, PeerIdentity.of("127.0.0.1"), sinks));
  }

  /** A job row that sends {@code in} here, with the row's secret. */
  NewJob job(Task task, Incoming in, Map<String, String> params) {
    return job(task, in, in.secret(), listener.port(), params);
  }

  /** A job row that sends {@code in} to {@code port} with {@code secret}. */
  static NewJob job(Task task, Incoming in, String secret, int port, Map<String, String> params) {
    Map<String, String> p = new HashMap<>(params);
    p.put(TaskStreamParams.STREAM_ID, in.streamId());
    return new NewJob(
        task, p, UUID.randomUUID().toString(), "127.0.0.1", port, "127.0.0.1", secret, "test");
  }

  @Override
  public void close() {
    listener.close();
  }

  static String sha256(Path file) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (var in = Files.newInputStream(file)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
          md.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A sink that passes everything to another, slowly: each write sleeps first. */
  static SinkFactory slow(SinkFactory inner, long millisPerWrite) {
    return hello -> {
      StreamSink s = inner.open(hello);
      return new StreamSink() {
        @Override
        public void write(ByteBuffer data) throws IOException, InterruptedException {
          Thread.sleep(millisPerWrite);
          s.write(data);
        }

        @Override
        public String finish(Map<String, String> meta, long bytes, String sha256Hex)
            throws IOException, InterruptedException {
          return s.finish(meta, bytes, sha256Hex);
        }

        @Override
        public void abort(String reason) {
          s.abort(reason);
        }
      };
    };
  }

  /**
   * A sink whose {@code finish} first signals {@code reached} and waits for {@code release}, then
   * finishes {@code inner}, or fails with {@code failure} when that is not null.
   */
  static SinkFactory gated(
      SinkFactory inner, CountDownLatch reached, CountDownLatch release, String failure) {
    return hello -> {
      StreamSink s = inner.open(hello);
      return new StreamSink() {
        @Override
        public void write(ByteBuffer data) throws IOException, InterruptedException {
          s.write(data);
        }

        @Override
        public String finish(Map<String, String> meta, long bytes, String sha256Hex)
            throws IOException, InterruptedException {
          reached.countDown();
          if (!release.await(60, TimeUnit.SECONDS)) {
            throw new IOException("test never released the sink");
          }
          if (failure != null) {
            throw new IOException(failure);
          }
          return s.finish(meta, bytes, sha256Hex);
        }

        @Override
        public void abort(String reason) {
          s.abort(reason);
        }
      };
    };
  }
}
