package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.stream.WireMessage.Accept;
import io.dbjobs.common.stream.WireMessage.Challenge;
import io.dbjobs.common.stream.WireMessage.Data;
import io.dbjobs.common.stream.WireMessage.Hello;
import io.dbjobs.common.stream.WireMessage.Proof;
import io.dbjobs.common.stream.WireMessage.Refusal;
import io.dbjobs.common.stream.WireMessage.Trailer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The listener's handshake on an {@link EmbeddedChannel}, with a fake listener behind it. */
class ReceiverHandshakeTest {
  private static final String SECRET = StreamSecret.mint();

  private FakeSide side;
  private ExpectedStream expected;
  private ReceiverConnection connection;
  private EmbeddedChannel channel;
  private Hello hello;

  @BeforeEach
  void connect() {
    side = new FakeSide();
    expected = side.expect("db3:9", SECRET);
    FrameDecoder decoder = FrameDecoder.forListener();
    ActivityStamp activity = new ActivityStamp();
    connection = new ReceiverConnection(side, decoder, activity, false);
    channel = new EmbeddedChannel(activity, decoder, FrameEncoder.INSTANCE, connection);
    hello = new Hello(1, "db3:9", SessionKeys.nonce(), Compression.NONE, 4096);
  }

  @Test
  void answersHelloWithAChallengeThatProvesTheSecret() {
    Challenge c = sendHello();

    SessionKeys keys = keysFor(c);
    assertThat(c.listenerProof()).isEqualTo(keys.listenerProof());
    assertThat(c.listenerProof()).isNotEqualTo(keys.senderProof());
  }

  @Test
  void claimsTheStreamOnlyAfterAValidProof() {
    Challenge c = sendHello();
    assertThat(side.workers).isEmpty();
    assertThat(expected.state()).isEqualTo(ExpectedStream.State.WAITING);

    write(new Proof(keysFor(c).senderProof()));

    assertThat(side.workers).hasSize(1);
    assertThat(side.claimed).containsExactly("db3:9");
    assertThat(expected.state()).isEqualTo(ExpectedStream.State.CLAIMED);
    assertThat(channel.isOpen()).isTrue();
    assertThat((Object) channel.readOutbound()).as("no ACCEPT before the sink is open").isNull();
  }

  @Test
  void refusesAWrongProofAndLeavesTheStreamWaiting() {
    sendHello();

    write(new Proof(new byte[32]));

    Refusal r = readOutbound();
    assertThat(r.code()).isEqualTo("STREAM_AUTH_FAILED");
    assertThat(channel.isOpen()).isFalse();
    assertThat(side.workers).isEmpty();
    assertThat(expected.state()).isEqualTo(ExpectedStream.State.WAITING);
  }

  @Test
  void refusesTheSendersOwnProofReflectedBack() {
    Challenge c = sendHello();

    write(new Proof(c.listenerProof()));

    assertThat(((Refusal) readOutbound()).code()).isEqualTo("STREAM_AUTH_FAILED");
    assertThat(side.workers).isEmpty();
  }

  @Test
  void refusesAnUnknownStream() {
    write(new Hello(1, "db3:10", SessionKeys.nonce(), Compression.NONE, -1));

    Refusal r = readOutbound();
    assertThat(r.code()).isEqualTo("STREAM_PROTOCOL");
    assertThat(r.message()).isEqualTo("this listener does not expect stream db3:10");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void refusesAStreamAnotherConnectionAlreadyClaimed() {
    assertThat(expected.tryClaim(null, "10.0.0.9:4000")).isTrue();

    write(hello);

    Refusal r = readOutbound();
    assertThat(r.message())
        .isEqualTo("stream db3:9 is already being received; a stream is accepted once");
    assertThat(r.message()).doesNotContain("10.0.0.9");
  }

  @Test
  void closesAConnectionThatDoesNotProveItsSecretInTime() {
    sendHello();

    channel.advanceTimeBy(side.options().handshakeTimeout().toMillis() + 1, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();

    Refusal r = readOutbound();
    assertThat(r.code()).isEqualTo("STREAM_TIMEOUT");
    assertThat(r.message())
        .isEqualTo("no proof for stream db3:9 within the handshake timeout of 10.0s");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void acceptsDataOnlyOnceTheSinkIsOpen() {
    Challenge c = sendHello();
    SessionKeys keys = keysFor(c);
    write(new Proof(keys.senderProof()));

    connection.sinkOpened();
    channel.runPendingTasks();

    assertThat((WireMessage) readOutbound()).isInstanceOf(Accept.class);
    ByteBuf payload = Unpooled.wrappedBuffer(new byte[100]);
    channel.writeInbound(dataFrame(payload));
    assertThat(connection.handOff().queuedBytes()).isEqualTo(100);
    byte[] sha = RawClient.sha256(new byte[100]);
    byte[] json = WireCodec.metaJson(Map.of());
    write(new Trailer(100, sha, json, Map.of(), keys.trailerMac(100, sha, json)));
    assertThat(connection.phase()).isEqualTo(ReceiverConnection.Phase.FINISHING);
    assertThat(connection.handOff().take()).isInstanceOf(Data.class);
    assertThat(connection.handOff().take()).isInstanceOf(Trailer.class);
  }

  @Test
  void failsTheClaimedStreamWhenAuthenticatedPeerSendsDataTooEarly() {
    Challenge c = sendHello();
    write(new Proof(keysFor(c).senderProof()));

    channel.writeInbound(dataFrame(Unpooled.wrappedBuffer(new byte[10])));

    Refusal r = readOutbound();
    assertThat(r.message()).isEqualTo("DATA frame before the stream was accepted");
    assertThat(connection.handOff().failure()).isNotNull();
    assertThat(channel.isOpen()).isFalse();
  }

  // ---- helpers ----

  private Challenge sendHello() {
    write(hello);
    return readOutbound();
  }

  private SessionKeys keysFor(Challenge c) {
    return new SessionKeys(StreamSecret.keyBytes(SECRET, "db3:9"), hello, c.serverNonce());
  }

  private void write(WireMessage m) {
    channel.writeInbound(Unpooled.wrappedBuffer(FrameCodecTest.encode(m)));
  }

  private static ByteBuf dataFrame(ByteBuf payload) {
    return Unpooled.wrappedBuffer(
        Unpooled.buffer().writeByte(0x10).writeInt(payload.readableBytes()), payload);
  }

  /** The next frame the listener wrote, decoded. */
  @SuppressWarnings("unchecked")
  private <T extends WireMessage> T readOutbound() {
    ByteBuf out = channel.readOutbound();
    assertThat(out).as("a frame from the listener").isNotNull();
    EmbeddedChannel decode = new EmbeddedChannel(new FrameDecoder());
    decode.writeInbound(out);
    return (T) decode.readInbound();
  }

  /** A listener without sockets: records claims and workers instead of running them. */
  static final class FakeSide implements ListenerSide {
    final Map<String, ExpectedStream> streams = new HashMap<>();
    final List<Runnable> workers = new ArrayList<>();
    final List<String> claimed = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    private final QueueGauge gauge = new QueueGauge();

    ExpectedStream expect(String id, String secret) {
      ExpectedStream e =
          new ExpectedStream(
              id,
              StreamSecret.keyBytes(secret, id),
              null,
              new RecordingSink(),
              ProgressListener.NONE,
              "embedded",
              x -> streams.remove(x.streamId()));
      streams.put(id, e);
      return e;
    }

    @Override
    public StreamOptions options() {
      return StreamOptions.defaults().withIdleTimeout(Duration.ofSeconds(60));
    }

    @Override
    public ExpectedStream lookup(String streamId) {
      return streams.get(streamId);
    }

    @Override
    public String recentOutcome(String streamId) {
      return null;
    }

    @Override
    public void claimed(ExpectedStream stream, ReceiverConnection connection) {
      claimed.add(stream.streamId());
    }

    @Override
    public void preAuthWarning(String message) {
      warnings.add(message);
    }

    @Override
    public void register(ReceiverConnection connection) {}

    @Override
    public void unregister(ReceiverConnection connection) {}

    @Override
    public QueueGauge gauge() {
      return gauge;
    }

    @Override
    public Thread startWorker(String streamId, Runnable worker) {
      workers.add(worker);
      return new Thread(() -> {});
    }
  }
}
