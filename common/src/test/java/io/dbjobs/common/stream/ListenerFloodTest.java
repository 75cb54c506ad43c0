package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.WireMessage.Challenge;
import io.dbjobs.common.stream.WireMessage.Hello;
import io.dbjobs.common.stream.WireMessage.Refusal;
import io.dbjobs.common.units.Sizes;
import io.dbjobs.testkit.HalfHandshakeFlood;
import io.dbjobs.testkit.LogCapture;
import io.dbjobs.testkit.TestPki;
import io.dbjobs.testkit.Waits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nothing exhausts a listener before authentication, on real sockets over loopback: thousands of
 * connections that start a handshake and hold it, while a sender with the right secret delivers its
 * stream; and connections that send nothing, or trickle, are cut by the handshake timeout and give
 * their slot back.
 */
class ListenerFloodTest extends StreamFixture {
  private static final Logger LOG = LoggerFactory.getLogger(ListenerFloodTest.class);

  /** The flood: 4,000 half-sent HELLOs. Fewer only when {@code ulimit -n} is too low. */
  private static final int FLOOD = 4000;

  /** Source addresses of the flood (127.0.1.1 to 127.0.1.16): more than the cap can hold. */
  private static final int SOURCES = 16;

  /**
   * Direct memory the flood may add: Netty allocates none before authentication; what remains is
   * the JDK's per-thread temporary buffers for socket reads and writes of at most a few KiB. Before
   * this bound existed, the same flood added 8 MiB of pooled direct memory, 2 KiB per connection,
   * without limit.
   */
  private static final long FLOOD_DIRECT_BOUND = 1 << 20;

  /** Direct memory for the whole test, the valid stream included: a few 4 MiB pooled chunks. */
  private static final long TOTAL_DIRECT_BOUND = 24L << 20;

  /** Long enough that no flood connection is cut by it while the test runs. */
  private static final Duration PATIENT_HANDSHAKE = Duration.ofSeconds(120);

  @TempDir Path dir;
  private LogCapture logs;

  @BeforeEach
  void capture() {
    logs = LogCapture.start();
  }

  @AfterEach
  void stopCapturing() {
    logs.close();
  }

  @Test
  void validSenderCompletesItsStreamWhileFourThousandHalfHellosHoldTheListener() throws Exception {
    int flood = floodSize();
    StreamListener listener = listener(fast().withHandshakeTimeout(PATIENT_HANDSHAKE));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("db2:42", secret, sink);
    byte[] hello =
        FrameCodecTest.encode(
            new Hello(StreamProtocol.VERSION, "db2:42", SessionKeys.nonce(), Compression.NONE, -1));
    byte[] halfHello = Arrays.copyOf(hello, hello.length / 2);

    floodThenSend(
        listener,
        flood,
        halfHello,
        () ->
            sender.send(
                target(listener, "db2:42", secret),
                GeneratedInput.random(4 << 20, 42),
                SourceCompletion.of(Map.of("gtid", "0-1-42")),
                fast(),
                ProgressListener.NONE));

    assertThat(expected.await(WAIT).bytes()).isEqualTo(4 << 20);
    assertThat(sink.opens.get()).isEqualTo(1);
  }

  @Test
  void validTlsSenderCompletesItsStreamWhileHalfClientHellosHoldTheListener() throws Exception {
    int flood = floodSize();
    TestPki pki = TestPki.generate(dir);
    StreamListener listener =
        listener(fast().withHandshakeTimeout(PATIENT_HANDSHAKE).withTls(tls(pki, "db1")));
    String secret = StreamSecret.mint();
    ExpectedStream expected =
        listener.expect("db1:43", secret, PeerIdentity.of("db2"), new RecordingSink());
    // a TLS handshake record announcing 512 bytes, of which 64 are sent
    byte[] halfClientHello = new byte[5 + 64];
    halfClientHello[0] = 0x16;
    halfClientHello[1] = 0x03;
    halfClientHello[2] = 0x01;
    halfClientHello[3] = 0x02;
    halfClientHello[4] = 0x00;

    floodThenSend(
        listener,
        flood,
        halfClientHello,
        () ->
            sender.send(
                target(listener, "db1:43", secret, PeerIdentity.of("db1")),
                GeneratedInput.random(4 << 20, 43),
                SourceCompletion.none(),
                fast().withTls(tls(pki, "db2")),
                ProgressListener.NONE));

    assertThat(expected.await(WAIT).bytes()).isEqualTo(4 << 20);
  }

  @Test
  void silentConnectionIsCutByTheHandshakeTimeoutAndGivesItsSlotBack() throws Exception {
    StreamListener listener = oneSlotListener();
    String secret = StreamSecret.mint();
    listener.expect("db2:44", secret, new RecordingSink());

    try (RawClient silent = new RawClient(listener.port())) {
      Waits.until("the silent connection to hold the slot", WAIT, () -> held(listener) == 1);
      assertRefusedAtOnce(listener);
      assertThatThrownBy(
              () ->
                  sender.send(
                      target(listener, "db2:44", secret),
                      GeneratedInput.random(1000, 1),
                      SourceCompletion.none(),
                      fast(),
                      ProgressListener.NONE))
          .as("a sender over the cap")
          .satisfies(e -> assertThat(StreamRejectionTest.code(e)).isEqualTo(ErrorCode.STREAM_CUT))
          .hasMessageContaining("closed the connection during the handshake");

      WireMessage last = silent.readUntilClosed(WAIT);

      assertThat(((Refusal) last).message())
          .isEqualTo("no HELLO within the handshake timeout of 3.0s");
    }
    Waits.until("the slot to be free again", WAIT, () -> held(listener) == 0);
    assertGetsAChallenge(listener, "db2:44");
  }

  @Test
  void tricklingConnectionIsCutByTheHandshakeTimeoutAndGivesItsSlotBack() throws Exception {
    StreamListener listener = oneSlotListener();
    String secret = StreamSecret.mint();
    listener.expect("db2:45", secret, new RecordingSink());
    byte[] hello =
        FrameCodecTest.encode(
            new Hello(StreamProtocol.VERSION, "db2:45", SessionKeys.nonce(), Compression.NONE, -1));

    try (Socket trickle = new Socket(HOST, listener.port())) {
      Waits.until("the trickling connection to hold the slot", WAIT, () -> held(listener) == 1);
      AtomicInteger sent = trickle(trickle.getOutputStream(), hello);
      assertRefusedAtOnce(listener);

      WireMessage last = readLastFrame(trickle.getInputStream());

      int bytesSent = sent.get();
      assertThat(((Refusal) last).message())
          .isEqualTo("no HELLO within the handshake timeout of 3.0s");
      assertThat(bytesSent)
          .as("bytes trickled before the cut: activity does not extend the handshake timeout")
          .isBetween(2, hello.length - 1);
      LOG.info("the trickling connection sent {} bytes of its HELLO before the cut", bytesSent);
    }
    Waits.until("the slot to be free again", WAIT, () -> held(listener) == 0);
    assertGetsAChallenge(listener, "db2:45");
  }

  // ---- the flood ----

  private void floodThenSend(StreamListener listener, int flood, byte[] prefix, Sending validSend)
      throws Exception {
    int cap = fast().maxUnauthenticated();
    long base = DirectMemory.inUse();
    long pooledBase = DirectMemory.pooled();
    try (DirectMemory.Sampler memory = new DirectMemory.Sampler();
        HalfHandshakeFlood f = HalfHandshakeFlood.open(listener.port(), flood, SOURCES, prefix)) {
      Waits.until(
          "the listener to admit or refuse all " + flood + " flood connections",
          WAIT,
          () -> listener.stats().admitted() + listener.stats().refused() >= flood);
      Waits.until(
          "the admitted flood connections to be active",
          WAIT,
          () -> listener.connectionCount() == cap);
      assertThat(listener.stats().unauthenticated()).isEqualTo(cap);
      assertThat(listener.connectionsOnPreAuthBuffers())
          .as("unauthenticated connections reading into small heap buffers")
          .isEqualTo(cap);
      long duringFlood = memory.reset() - base;

      SendResult sent = validSend.send();

      long total = memory.peak() - base;
      ListenerStats after = listener.stats();
      LOG.info(
          "flood of {} from {} addresses: {} admitted, {} refused at once, {} evicted, the valid"
              + " stream sent {}; direct memory above the start: {} at most during the flood,"
              + " {} at most with the valid stream (pooled chunks {} -> {})",
          flood,
          SOURCES,
          after.admitted(),
          after.refused(),
          after.evicted(),
          Sizes.human(sent.bytes()),
          Sizes.human(duringFlood),
          Sizes.human(total),
          Sizes.human(pooledBase),
          Sizes.human(DirectMemory.pooled()));
      assertThat(duringFlood)
          .as("direct memory added by the flood, before the valid sender")
          .isLessThanOrEqualTo(FLOOD_DIRECT_BOUND);
      assertThat(total)
          .as("direct memory of the whole test")
          .isLessThanOrEqualTo(TOTAL_DIRECT_BOUND);
      assertThat(after.unauthenticated())
          .as("flood connections still held while the valid stream completed")
          .isEqualTo(cap - 1);
      assertThat(after.admitted() - 1 - after.evicted())
          .as("flood connections admitted and not evicted")
          .isEqualTo(cap - 1);
      assertThat(after.refused() + after.admitted() - 1).isEqualTo(flood);
      int[] peaks = listener.peakUnauthenticated();
      assertThat(peaks[0]).as("most unauthenticated connections at once").isEqualTo(cap);
      assertThat(peaks[1])
          .as("most unauthenticated connections from one address at once")
          .isLessThanOrEqualTo(fast().maxUnauthenticatedPerAddress());
      assertThat(logs.linesContaining("refused a connection from"))
          .as("refusals logged one by one")
          .hasSizeLessThanOrEqualTo(10);
    }
    listener.close();
    assertThat(logs.linesContaining("more connections refused over the caps"))
        .as("the summary of the refusals not logged one by one")
        .isNotEmpty();
  }

  // ---- the slow ones ----

  /** One unauthenticated slot in all, a 3 s handshake timeout. */
  private StreamListener oneSlotListener() {
    return listener(
        fast().withHandshakeTimeout(Duration.ofSeconds(3)).withMaxUnauthenticated(1, 1));
  }

  /** A second connection from the same address is closed before the listener reads a byte. */
  private static void assertRefusedAtOnce(StreamListener listener) throws IOException {
    long refused = listener.stats().refused();
    try (RawClient second = new RawClient(listener.port())) {
      assertThat(second.read()).as("what the listener says to a connection over the cap").isNull();
    }
    assertThat(listener.stats().refused()).isEqualTo(refused + 1);
  }

  private static void assertGetsAChallenge(StreamListener listener, String streamId)
      throws IOException {
    try (RawClient next = new RawClient(listener.port())) {
      Challenge c = next.helloAndChallenge(streamId);
      assertThat(c.serverNonce()).hasSize(StreamProtocol.NONCE_BYTES);
    }
  }

  /**
   * Writes one byte per second, on another thread, until the connection fails or is closed; returns
   * the count of bytes written so far.
   */
  private AtomicInteger trickle(OutputStream out, byte[] bytes) {
    AtomicInteger sent = new AtomicInteger();
    CompletableFuture<SendResult> unused =
        sendAsync(
            () -> {
              try {
                for (byte b : bytes) {
                  out.write(b);
                  out.flush();
                  sent.incrementAndGet();
                  Thread.sleep(1000);
                }
              } catch (IOException e) {
                // the listener cut the connection: that is the point
              }
              return null;
            });
    return sent;
  }

  /** The last frame the listener sent before closing the connection. */
  private static WireMessage readLastFrame(InputStream in) throws IOException {
    byte[] all = in.readAllBytes();
    WireMessage last = null;
    int at = 0;
    while (at + StreamProtocol.HEADER_BYTES <= all.length) {
      int length =
          ((all[at + 1] & 0xff) << 24)
              | ((all[at + 2] & 0xff) << 16)
              | ((all[at + 3] & 0xff) << 8)
              | (all[at + 4] & 0xff);
      FrameType type = FrameType.of(all[at]);
      last =
          WireCodec.decode(
              type,
              io.netty.buffer.Unpooled.wrappedBuffer(
                  all, at + StreamProtocol.HEADER_BYTES, length));
      at += StreamProtocol.HEADER_BYTES + length;
    }
    return last;
  }

  private static int held(StreamListener listener) {
    return listener.stats().unauthenticated();
  }

  private static StreamTls tls(TestPki pki, String node) {
    TestPki.Leaf leaf = pki.node(node);
    return new StreamTls(leaf.cert(), leaf.key(), pki.ca());
  }

  /** How many flood connections this machine's file descriptor limit allows, at most 4,000. */
  private static int floodSize() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    assumeTrue(
        os instanceof UnixOperatingSystemMXBean,
        "the flood test counts file descriptors, which this JVM does not report");
    UnixOperatingSystemMXBean unix = (UnixOperatingSystemMXBean) os;
    long room = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount() - 1024;
    int n = (int) Math.min(FLOOD, room);
    assumeTrue(
        n >= 500,
        "ulimit -n of "
            + unix.getMaxFileDescriptorCount()
            + " leaves room for "
            + n
            + " flood connections; raise it to run this test");
    if (n < FLOOD) {
      LOG.warn(
          "flooding with {} connections, not {}: ulimit -n is {}",
          n,
          FLOOD,
          unix.getMaxFileDescriptorCount());
    }
    return n;
  }
}
