package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StreamRoundTripTest extends StreamFixture {
  @TempDir Path dir;

  @Test
  void deliversBytesDigestAndMetadataAndAcknowledgesAfterTheSinkFinished() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("db2:42", secret, sink);
    long length = 3 * (1 << 20) + 12_345;
    Map<String, String> meta = Map.of("gtid", "0-1-42", "tool", "mariadb-backup 11.4.3");

    SendResult sent =
        sender.send(
            target(listener, "db2:42", secret),
            GeneratedInput.random(length, 7),
            length,
            SourceCompletion.of(meta),
            fast(),
            ProgressListener.NONE);

    String sha = GeneratedInput.sha256(length, 7, false);
    assertThat(sent.bytes()).isEqualTo(length);
    assertThat(sent.sha256Hex()).isEqualTo(sha);
    assertThat(sent.receiverMessage()).isEqualTo("stored " + length + " bytes");
    ReceiveResult received = expected.await(WAIT);
    assertThat(received.streamId()).isEqualTo("db2:42");
    assertThat(received.bytes()).isEqualTo(length);
    assertThat(received.sha256Hex()).isEqualTo(sha);
    assertThat(received.metadata()).isEqualTo(meta);
    assertThat(received.sinkMessage()).isEqualTo(sent.receiverMessage());
    assertThat(received.remoteAddress()).startsWith("127.0.0.1:");
    assertThat(sink.finished.get(5, TimeUnit.SECONDS)).isEqualTo(meta);
    assertThat(sink.aborted).isNotDone();
    StreamHello hello = sink.opened.get();
    assertThat(hello.streamId()).isEqualTo("db2:42");
    assertThat(hello.sizeHint()).isEqualTo(length);
    assertThat(hello.compression()).isEqualTo(Compression.NONE);
    assertThat(hello.tls()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void roundTripsWithEachCompression(Compression compression) throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("c-" + compression, secret, sink);
    long length = 8L << 20;

    SendResult sent =
        sender.send(
            target(listener, "c-" + compression, secret),
            GeneratedInput.compressible(length, 3),
            SourceCompletion.none(),
            fast().withCompression(compression),
            ProgressListener.NONE);

    ReceiveResult received = expected.await(WAIT);
    String sha = GeneratedInput.sha256(length, 3, true);
    assertThat(sent.sha256Hex()).isEqualTo(sha);
    assertThat(received.sha256Hex()).isEqualTo(sha);
    assertThat(received.bytes()).isEqualTo(length);
    assertThat(received.compression()).isEqualTo(compression);
    assertThat(received.wireBytes()).isEqualTo(sent.wireBytes());
    if (compression == Compression.NONE) {
      assertThat(sent.wireBytes()).isEqualTo(length);
    } else {
      assertThat(sent.wireBytes()).isLessThan(length * 3 / 4);
    }
    byte[] head = new byte[1 << 20];
    GeneratedInput.compressible(length, 3).read(head, 0, head.length);
    assertThat(sink.keptBytes()).isEqualTo(head);
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"ZSTD", "LZ4"})
  void compressedStreamOfIncompressibleBytesRoundTrips(Compression compression) throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    ExpectedStream expected = listener.expect("noise", secret, new RecordingSink());
    long length = 2L << 20;

    sender.send(
        target(listener, "noise", secret),
        GeneratedInput.random(length, 11),
        SourceCompletion.none(),
        fast().withCompression(compression),
        ProgressListener.NONE);

    assertThat(expected.await(WAIT).sha256Hex())
        .isEqualTo(GeneratedInput.sha256(length, 11, false));
  }

  @Test
  void sendsAnEmptyStream() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("empty", secret, sink);

    SendResult sent =
        sender.send(
            target(listener, "empty", secret),
            new ByteArrayInputStream(new byte[0]),
            SourceCompletion.none(),
            fast().withCompression(Compression.ZSTD),
            ProgressListener.NONE);

    assertThat(sent.bytes()).isZero();
    assertThat(sent.sha256Hex()).isEqualTo(RawClient.hex(RawClient.sha256(new byte[0])));
    assertThat(expected.await(WAIT).bytes()).isZero();
  }

  @Test
  void sendsAFileIntoAFileSinkThatAppearsOnlyWhenComplete() throws Exception {
    Path source = dir.resolve("backup.xbstream");
    byte[] content = new byte[5 * 1024 * 1024 + 17];
    new Random(5).nextBytes(content);
    Files.write(source, content);
    Path target = dir.resolve("catalog").resolve("backup.xbstream");
    Files.createDirectories(target.getParent());
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    ExpectedStream expected = listener.expect("file", secret, FileSink.to(target));

    SendResult sent =
        sender.sendFile(
            target(listener, "file", secret),
            source,
            Map.of("binlog", "mysql-bin.000042:1234"),
            fast(),
            ProgressListener.NONE);

    assertThat(sent.bytes()).isEqualTo(content.length);
    assertThat(sent.receiverMessage()).contains(target.toString());
    assertThat(expected.await(WAIT).metadata()).containsEntry("binlog", "mysql-bin.000042:1234");
    assertThat(Files.readAllBytes(target)).isEqualTo(content);
    assertThat(FileSink.partialOf(target)).doesNotExist();
  }

  @Test
  void reportsProgressOnBothSides() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    List<StreamProgress> received = new CopyOnWriteArrayList<>();
    List<StreamProgress> sent = new CopyOnWriteArrayList<>();
    // about 1 s of streaming, so several reports at the 250 ms pace
    RecordingSink sink = new RecordingSink().slow(TimeUnit.MILLISECONDS.toNanos(40));
    ExpectedStream expected = listener.expect("progress", secret, sink, received::add);
    long length = 24L << 20;

    sender.send(
        target(listener, "progress", secret),
        GeneratedInput.random(length, 1),
        length,
        SourceCompletion.none(),
        fast(),
        sent::add);
    expected.await(WAIT);

    for (List<StreamProgress> reports : List.of(sent, received)) {
      assertThat(reports).hasSizeGreaterThanOrEqualTo(3);
      StreamProgress last = reports.get(reports.size() - 1);
      assertThat(last.done()).isTrue();
      assertThat(last.bytes()).isEqualTo(length);
      assertThat(last.sizeHint()).isEqualTo(length);
      assertThat(last.bytesPerSecond()).isPositive();
      for (int i = 1; i < reports.size(); i++) {
        assertThat(reports.get(i).bytes()).isGreaterThanOrEqualTo(reports.get(i - 1).bytes());
      }
    }
  }
}
