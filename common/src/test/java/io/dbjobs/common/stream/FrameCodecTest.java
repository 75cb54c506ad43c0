package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.WireMessage.Abort;
import io.dbjobs.common.stream.WireMessage.Accept;
import io.dbjobs.common.stream.WireMessage.Ack;
import io.dbjobs.common.stream.WireMessage.Challenge;
import io.dbjobs.common.stream.WireMessage.Data;
import io.dbjobs.common.stream.WireMessage.Hello;
import io.dbjobs.common.stream.WireMessage.Keepalive;
import io.dbjobs.common.stream.WireMessage.Nack;
import io.dbjobs.common.stream.WireMessage.Proof;
import io.dbjobs.common.stream.WireMessage.Refusal;
import io.dbjobs.common.stream.WireMessage.Trailer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FrameCodecTest {
  private static final byte[] NONCE = filled(32, 1);
  private static final byte[] MAC = filled(32, 2);

  static List<WireMessage> controlFrames() {
    byte[] json = WireCodec.metaJson(Map.of("gtid", "0-1-42", "tool", "mariadb-dump 11.4"));
    return List.of(
        new Hello(1, "db2:42", NONCE, Compression.ZSTD, 1L << 40),
        new Hello(1, "a", NONCE, Compression.NONE, -1),
        new Challenge(NONCE, MAC),
        new Proof(MAC),
        new Accept(),
        new Trailer(123_456_789L, MAC, json, Map.of(), MAC),
        new Abort("TOOL_FAILED", "mariadb-backup exited 1"),
        new Ack(MAC, "catalog id 2024-06-01T02:00Z/db2"),
        new Nack("DIGEST_MISMATCH", "received 12 bytes with SHA-256 ..."),
        new Refusal("STREAM_AUTH_FAILED", "authentication failed for stream db2:42"),
        new Keepalive());
  }

  @Test
  void roundTripsEveryControlFrameEvenOneByteAtATime() {
    for (WireMessage m : controlFrames()) {
      byte[] wire = encode(m);
      EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder());
      for (byte b : wire) {
        in.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
      }
      WireMessage decoded = in.readInbound();
      assertThat(decoded).as(m.type().name()).isNotNull();
      assertThat(decoded.type()).isEqualTo(m.type());
      assertThat(encode(decoded)).as(m.type().name()).isEqualTo(wire);
      assertThat(in.finish()).isFalse();
    }
  }

  @Test
  void framesAreTypeLengthPayload() {
    byte[] wire = encode(new Proof(MAC));

    assertThat(wire).hasSize(5 + 32);
    assertThat(wire[0]).isEqualTo((byte) 0x03);
    assertThat(new byte[] {wire[1], wire[2], wire[3], wire[4]}).containsExactly(0, 0, 0, 32);
  }

  @Test
  void decodesTrailerMetadata() {
    byte[] json = WireCodec.metaJson(Map.of("gtid", "0-1-42"));
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder());

    in.writeInbound(Unpooled.wrappedBuffer(encode(new Trailer(5, MAC, json, Map.of(), MAC))));

    Trailer t = in.readInbound();
    assertThat(t.meta()).containsExactly(Map.entry("gtid", "0-1-42"));
    assertThat(t.bytes()).isEqualTo(5);
  }

  @Test
  void writesDataAsHeaderPlusTheSamePayloadBuffer() {
    EmbeddedChannel out = new EmbeddedChannel(FrameEncoder.INSTANCE);
    ByteBuf payload = Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII);

    out.writeOutbound(new Data(payload));

    ByteBuf header = out.readOutbound();
    ByteBuf body = out.readOutbound();
    assertThat(ByteBufUtil.getBytes(header)).containsExactly(0x10, 0, 0, 0, 5);
    assertThat(body).isSameAs(payload);
    header.release();
    body.release();
    assertThat(payload.refCnt()).isZero();
  }

  @Test
  void decodesDataArrivingInPiecesAndSeveralFramesFromOneRead() {
    FrameDecoder decoder = new FrameDecoder();
    decoder.allowData();
    EmbeddedChannel in = new EmbeddedChannel(decoder);
    byte[] a = frame(0x10, "first".getBytes(StandardCharsets.US_ASCII));
    byte[] b = frame(0x10, "second".getBytes(StandardCharsets.US_ASCII));
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);

    in.writeInbound(Unpooled.wrappedBuffer(both, 0, 7));
    assertThat((Object) in.readInbound()).isNull();
    in.writeInbound(Unpooled.wrappedBuffer(both, 7, both.length - 7));

    Data first = in.readInbound();
    Data second = in.readInbound();
    assertThat(first.content().toString(StandardCharsets.US_ASCII)).isEqualTo("first");
    assertThat(second.content().toString(StandardCharsets.US_ASCII)).isEqualTo("second");
    first.release();
    second.release();
  }

  @Test
  void rejectsUnknownFrameType() {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder());

    assertProtocolError(
        () -> in.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x7f, 0, 0, 0, 0})),
        "unknown frame type 0x7f: not a dbjobs stream peer");
  }

  @Test
  void rejectsOversizedFrameFromItsHeaderAlone() {
    FrameDecoder decoder = new FrameDecoder();
    decoder.allowData();
    EmbeddedChannel in = new EmbeddedChannel(decoder);

    assertProtocolError(
        () -> in.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x10, 0, 0x10, 0, 1})),
        "DATA frame of 1048577 bytes exceeds the maximum of 1048576 bytes");
  }

  @Test
  void rejectsDataBeforeItIsAllowed() {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder());

    assertProtocolError(
        () -> in.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x10})),
        "DATA frame before the stream was accepted");
  }

  @Test
  void discardsEverythingAfterAnError() {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder());
    assertThatThrownBy(() -> in.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x7f})))
        .isInstanceOf(DecoderException.class);

    in.writeInbound(Unpooled.wrappedBuffer(encode(new Keepalive())));

    assertThat((Object) in.readInbound()).isNull();
  }

  static Stream<Arguments> malformedPayloads() {
    byte[] hello = encodePayload(new Hello(1, "db2:42", NONCE, Compression.NONE, -1));
    byte[] v2 = hello.clone();
    v2[4] = 2;
    byte[] unknownCompression = hello.clone();
    unknownCompression[4 + 1 + 2 + 6 + 32] = 9;
    byte[] badId = encodePayload(new Hello(1, "db2 42", NONCE, Compression.NONE, -1));
    byte[] badUtf8 = {0, 4, 'C', 'O', 'D', 'E', (byte) 0xC3, (byte) 0x28};
    byte[] notJson = trailerWithMeta("[1,2]".getBytes(StandardCharsets.UTF_8));
    return Stream.of(
        Arguments.of(0x03, new byte[31], "PROOF needs 32 bytes, the frame has 31"),
        Arguments.of(0x03, new byte[33], "PROOF frame of 33 bytes exceeds the maximum of 32 bytes"),
        Arguments.of(0x04, new byte[1], "ACCEPT frame of 1 bytes exceeds the maximum of 0 bytes"),
        Arguments.of(0x01, v2, "sender speaks stream protocol version 2"),
        Arguments.of(0x01, unknownCompression, "HELLO asks for unknown compression id 9"),
        Arguments.of(0x01, badId, "HELLO carries an invalid stream id"),
        Arguments.of(0x22, badUtf8, "ERROR message is not valid UTF-8"),
        Arguments.of(0x11, notJson, "TRAILER metadata is not a JSON object of strings"));
  }

  @ParameterizedTest
  @MethodSource("malformedPayloads")
  void rejectsMalformedPayloads(int type, byte[] payload, String message) {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder());

    assertProtocolError(
        () -> in.writeInbound(Unpooled.wrappedBuffer(frame(type, payload))), message);
  }

  @Test
  void flattensControlCharactersInTextsFromThePeer() {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder());

    in.writeInbound(
        Unpooled.wrappedBuffer(encode(new Refusal("X", "line one\nline two\u0007\u001b[31m"))));

    Refusal r = in.readInbound();
    assertThat(r.message()).isEqualTo("line one | line two??[31m");
  }

  @Test
  void helloIsAtMostWhatItsFieldsNeed() {
    Hello longest = new Hello(1, "x".repeat(128), NONCE, Compression.LZ4, Long.MAX_VALUE);
    byte[] wire = encode(longest);
    EmbeddedChannel in = new EmbeddedChannel(FrameDecoder.forListener());

    in.writeInbound(Unpooled.wrappedBuffer(wire));

    assertThat(wire.length - 5).isEqualTo(StreamProtocol.MAX_HELLO_PAYLOAD).isEqualTo(176);
    assertThat(((Hello) in.readInbound()).streamId()).hasSize(128);
    assertProtocolError(
        () ->
            new EmbeddedChannel(FrameDecoder.forListener())
                .writeInbound(Unpooled.wrappedBuffer(new byte[] {0x01, 0, 0, 0, (byte) 177})),
        "HELLO frame of 177 bytes exceeds the maximum of 176 bytes");
  }

  @Test
  void listenerTakesOnlyHandshakeFramesBeforeAuthentication() {
    byte[] json = WireCodec.metaJson(Map.of());
    for (WireMessage m :
        List.of(
            new Trailer(1, MAC, json, Map.of(), MAC),
            new Abort("TOOL_FAILED", "x"),
            new Ack(MAC, "ok"),
            new Keepalive())) {
      EmbeddedChannel in = new EmbeddedChannel(FrameDecoder.forListener());

      assertProtocolError(
          () -> in.writeInbound(Unpooled.wrappedBuffer(encode(m))),
          m.type() + " frame before the stream was accepted");
    }
    FrameDecoder authenticated = FrameDecoder.forListener();
    authenticated.allowData();
    EmbeddedChannel after = new EmbeddedChannel(authenticated);
    after.writeInbound(Unpooled.wrappedBuffer(encode(new Trailer(1, MAC, json, Map.of(), MAC))));
    assertThat((Object) after.readInbound()).isInstanceOf(Trailer.class);
  }

  @Test
  void listenerTakesOnlyAShortErrorBeforeAuthentication() {
    Refusal longest = new Refusal("STREAM_AUTH_FAILED", "x".repeat(1000));
    Refusal tooLong = new Refusal("STREAM_AUTH_FAILED", "x".repeat(2000));
    EmbeddedChannel in = new EmbeddedChannel(FrameDecoder.forListener());

    in.writeInbound(Unpooled.wrappedBuffer(encode(longest)));

    assertThat(((Refusal) in.readInbound()).message()).hasSize(1000);
    assertProtocolError(
        () ->
            new EmbeddedChannel(FrameDecoder.forListener())
                .writeInbound(Unpooled.wrappedBuffer(encode(tooLong))),
        "ERROR frame of 2020 bytes exceeds the maximum of 1024 bytes before authentication");
    EmbeddedChannel sender = new EmbeddedChannel(new FrameDecoder());
    sender.writeInbound(Unpooled.wrappedBuffer(encode(tooLong)));
    assertThat(((Refusal) sender.readInbound()).message()).hasSize(2000);
  }

  // ---- helpers ----

  static byte[] encode(WireMessage m) {
    ByteBuf b = WireCodec.encodeFrame(Unpooled.buffer().alloc(), m);
    try {
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  static byte[] encodePayload(WireMessage m) {
    byte[] f = encode(m);
    byte[] p = new byte[f.length - 5];
    System.arraycopy(f, 5, p, 0, p.length);
    return p;
  }

  static byte[] frame(int type, byte[] payload) {
    ByteBuf b = Unpooled.buffer().writeByte(type).writeInt(payload.length).writeBytes(payload);
    return ByteBufUtil.getBytes(b);
  }

  private static byte[] trailerWithMeta(byte[] json) {
    return ByteBufUtil.getBytes(
        Unpooled.buffer()
            .writeLong(1)
            .writeBytes(MAC)
            .writeInt(json.length)
            .writeBytes(json)
            .writeBytes(MAC));
  }

  private static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }

  private static void assertProtocolError(Runnable r, String message) {
    assertThatThrownBy(r::run)
        .isInstanceOf(DecoderException.class)
        .cause()
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining(message)
        .satisfies(
            e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.STREAM_PROTOCOL));
  }
}
