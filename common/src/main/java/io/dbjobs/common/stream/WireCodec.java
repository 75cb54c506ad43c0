package io.dbjobs.common.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes and decodes frame payloads of wire protocol v1. Decoding is strict: wrong sizes, trailing
 * bytes, malformed UTF-8 or JSON are protocol errors (STREAM_PROTOCOL).
 */
final class WireCodec {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<TreeMap<String, String>> STRING_MAP = new TypeReference<>() {};

  /** Peer-supplied texts (reasons, messages) are cut to this many characters. */
  static final int MAX_TEXT_CHARS = 8192;

  private WireCodec() {}

  /** Encodes a whole frame (header and payload) of a non-DATA message. */
  static ByteBuf encodeFrame(ByteBufAllocator alloc, WireMessage m) {
    if (m instanceof Data) {
      throw new IllegalArgumentException("DATA frames are written as header + payload");
    }
    ByteBuf buf = alloc.buffer(64);
    buf.writeByte(m.type().code());
    buf.writeInt(0);
    writePayload(m, buf);
    buf.setInt(1, buf.writerIndex() - StreamProtocol.HEADER_BYTES);
    return buf;
  }

  /** The header of a DATA frame with {@code length} payload bytes. */
  static ByteBuf dataHeader(ByteBufAllocator alloc, int length) {
    return alloc
        .buffer(StreamProtocol.HEADER_BYTES)
        .writeByte(FrameType.DATA.code())
        .writeInt(length);
  }

  /** The exact HELLO payload bytes; both sides hash them into the handshake transcript. */
  static byte[] helloPayload(Hello h) {
    ByteBuf buf = Unpooled.buffer(64);
    try {
      writePayload(h, buf);
      byte[] out = new byte[buf.readableBytes()];
      buf.readBytes(out);
      return out;
    } finally {
      buf.release();
    }
  }

  /** Metadata as the JSON bytes a trailer carries (keys sorted, so the encoding is stable). */
  static byte[] metaJson(Map<String, String> meta) {
    try {
      return JSON.writeValueAsBytes(new TreeMap<>(meta));
    } catch (JsonProcessingException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL,
          "cannot encode stream metadata as JSON: " + e.getOriginalMessage(),
          e);
    }
  }

  static void writePayload(WireMessage m, ByteBuf out) {
    if (m instanceof Hello h) {
      out.writeInt(StreamProtocol.MAGIC);
      out.writeByte(h.version());
      writeShortString(out, h.streamId());
      out.writeBytes(h.clientNonce());
      out.writeByte(h.compression().wireId());
      out.writeLong(h.sizeHint());
    } else if (m instanceof Challenge c) {
      out.writeBytes(c.serverNonce());
      out.writeBytes(c.listenerProof());
    } else if (m instanceof Proof p) {
      out.writeBytes(p.senderProof());
    } else if (m instanceof Trailer t) {
      out.writeLong(t.bytes());
      out.writeBytes(t.sha256());
      out.writeInt(t.metaJson().length);
      out.writeBytes(t.metaJson());
      out.writeBytes(t.mac());
    } else if (m instanceof Abort a) {
      writeCodeAndText(out, a.code(), a.reason());
    } else if (m instanceof Ack a) {
      out.writeBytes(a.mac());
      out.writeBytes(clip(a.message()).getBytes(StandardCharsets.UTF_8));
    } else if (m instanceof Nack n) {
      writeCodeAndText(out, n.code(), n.message());
    } else if (m instanceof Refusal r) {
      writeCodeAndText(out, r.code(), r.message());
    } else if (m instanceof Data) {
      throw new IllegalArgumentException("DATA payload is its buffer");
    }
    // Accept and Keepalive have empty payloads
  }

  /**
   * Decodes the payload of a non-DATA frame; reads all of {@code p}.
   *
   * @throws DbJobsException STREAM_PROTOCOL when the payload is malformed
   */
  static WireMessage decode(FrameType type, ByteBuf p) {
    WireMessage m =
        switch (type) {
          case HELLO -> decodeHello(p);
          case CHALLENGE ->
              new Challenge(
                  bytes(p, StreamProtocol.NONCE_BYTES, "CHALLENGE nonce"),
                  bytes(p, StreamProtocol.MAC_BYTES, "CHALLENGE proof"));
          case PROOF -> new Proof(bytes(p, StreamProtocol.MAC_BYTES, "PROOF"));
          case ACCEPT -> new Accept();
          case KEEPALIVE -> new Keepalive();
          case TRAILER -> decodeTrailer(p);
          case ABORT -> {
            String code = readShortString(p, "ABORT code");
            yield new Abort(code, readRest(p, "ABORT reason"));
          }
          case ACK -> {
            byte[] mac = bytes(p, StreamProtocol.MAC_BYTES, "ACK mac");
            yield new Ack(mac, readRest(p, "ACK message"));
          }
          case NACK -> {
            String code = readShortString(p, "NACK code");
            yield new Nack(code, readRest(p, "NACK message"));
          }
          case ERROR -> {
            String code = readShortString(p, "ERROR code");
            yield new Refusal(code, readRest(p, "ERROR message"));
          }
          case DATA -> throw new IllegalArgumentException("DATA frames are not decoded here");
        };
    if (p.isReadable()) {
      throw protocol(type + " frame has " + p.readableBytes() + " unexpected trailing bytes");
    }
    return m;
  }

  private static Hello decodeHello(ByteBuf p) {
    if (p.readableBytes() < 5) {
      throw protocol("HELLO frame too short (" + p.readableBytes() + " bytes)");
    }
    int magic = p.readInt();
    if (magic != StreamProtocol.MAGIC) {
      throw protocol(
          String.format("HELLO has bad magic 0x%08x: not a dbjobs stream client", magic));
    }
    int version = p.readUnsignedByte();
    if (version != StreamProtocol.VERSION) {
      throw protocol(
          "sender speaks stream protocol version "
              + version
              + ", this side speaks version "
              + StreamProtocol.VERSION);
    }
    String streamId = readShortString(p, "HELLO stream id");
    if (!StreamProtocol.isValidStreamId(streamId)) {
      throw protocol(
          "HELLO carries an invalid stream id ("
              + streamId.length()
              + " characters; ids use [A-Za-z0-9._:@/-], at most 128)");
    }
    byte[] nonce = bytes(p, StreamProtocol.NONCE_BYTES, "HELLO nonce");
    int compressionId = readUnsignedByte(p, "HELLO compression");
    Compression compression = Compression.ofWireId(compressionId);
    if (compression == null) {
      throw protocol("HELLO asks for unknown compression id " + compressionId);
    }
    if (p.readableBytes() < 8) {
      throw protocol("HELLO frame too short for its size hint");
    }
    long sizeHint = p.readLong();
    if (sizeHint < -1) {
      throw protocol("HELLO size hint " + sizeHint + " is negative");
    }
    return new Hello(version, streamId, nonce, compression, sizeHint);
  }

  private static Trailer decodeTrailer(ByteBuf p) {
    if (p.readableBytes() < 8 + 32 + 4) {
      throw protocol("TRAILER frame too short (" + p.readableBytes() + " bytes)");
    }
    long bytes = p.readLong();
    if (bytes < 0) {
      throw protocol("TRAILER byte count " + bytes + " is negative");
    }
    byte[] sha = bytes(p, 32, "TRAILER sha256");
    long metaLength = p.readUnsignedInt();
    if (metaLength > p.readableBytes() - StreamProtocol.MAC_BYTES) {
      throw protocol("TRAILER metadata length " + metaLength + " exceeds the frame");
    }
    byte[] metaJson = bytes(p, (int) metaLength, "TRAILER metadata");
    Map<String, String> meta;
    try {
      TreeMap<String, String> parsed = JSON.readValue(metaJson, STRING_MAP);
      if (parsed == null) {
        throw protocol("TRAILER metadata is JSON null, expected an object of strings");
      }
      meta = Map.copyOf(parsed);
    } catch (java.io.IOException e) {
      throw protocol("TRAILER metadata is not a JSON object of strings: " + e.getMessage());
    } catch (NullPointerException e) {
      throw protocol("TRAILER metadata holds a null value; values must be strings");
    }
    byte[] mac = bytes(p, StreamProtocol.MAC_BYTES, "TRAILER mac");
    return new Trailer(bytes, sha, metaJson, meta, mac);
  }

  private static void writeCodeAndText(ByteBuf out, String code, String text) {
    writeShortString(out, code);
    out.writeBytes(clip(text).getBytes(StandardCharsets.UTF_8));
  }

  private static void writeShortString(ByteBuf out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xffff) {
      throw new IllegalArgumentException("string of " + b.length + " bytes too long for a frame");
    }
    out.writeShort(b.length);
    out.writeBytes(b);
  }

  private static String readShortString(ByteBuf p, String what) {
    if (p.readableBytes() < 2) {
      throw protocol(what + " is missing");
    }
    int len = p.readUnsignedShort();
    return utf8(bytes(p, len, what), what);
  }

  private static String readRest(ByteBuf p, String what) {
    return printable(utf8(bytes(p, p.readableBytes(), what), what));
  }

  private static int readUnsignedByte(ByteBuf p, String what) {
    if (!p.isReadable()) {
      throw protocol(what + " is missing");
    }
    return p.readUnsignedByte();
  }

  private static byte[] bytes(ByteBuf p, int n, String what) {
    if (p.readableBytes() < n) {
      throw protocol(what + " needs " + n + " bytes, the frame has " + p.readableBytes());
    }
    byte[] b = new byte[n];
    p.readBytes(b);
    return b;
  }

  private static String utf8(byte[] b, String what) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw protocol(what + " is not valid UTF-8");
    }
  }

  /**
   * Texts from the peer end up in logs: no line breaks or control characters, at most {@link
   * #MAX_TEXT_CHARS}. Idempotent, so a text normalized before it is MACed decodes to itself.
   */
  static String printable(String s) {
    StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_TEXT_CHARS));
    for (int i = 0; i < s.length() && out.length() <= MAX_TEXT_CHARS - 3; i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r') {
        out.append(" | ");
      } else if (c < 0x20 || c == 0x7f) {
        out.append('?');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String clip(String s) {
    return s.length() <= MAX_TEXT_CHARS ? s : s.substring(0, MAX_TEXT_CHARS - 3) + "...";
  }

  static DbJobsException protocol(String message) {
    return new DbJobsException(ErrorCode.STREAM_PROTOCOL, message);
  }
}
