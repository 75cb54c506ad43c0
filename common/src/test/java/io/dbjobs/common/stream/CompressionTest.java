package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompressionTest {
  @ParameterizedTest
  @EnumSource(Compression.class)
  void roundTripsCompressibleAndRandomBytes(Compression c) throws Exception {
    for (GeneratedInput in :
        new GeneratedInput[] {
          GeneratedInput.compressible(3 << 20, 1), GeneratedInput.random(3 << 20, 2)
        }) {
      byte[] plain = in.readAllBytes();
      byte[] packed = compress(c, plain);

      assertThat(decompress(c, packed)).isEqualTo(plain);
    }
  }

  @Test
  void lz4IsTheStandardFrameFormat() throws Exception {
    byte[] plain = GeneratedInput.compressible(1 << 20, 3).readAllBytes();

    byte[] packed = compress(Compression.LZ4, plain);

    try (InputStream other = new FramedLZ4CompressorInputStream(new ByteArrayInputStream(packed))) {
      assertThat(other.readAllBytes()).isEqualTo(plain);
    }
  }

  @Test
  void zstdIsTheStandardFrameFormat() throws Exception {
    byte[] plain = GeneratedInput.compressible(1 << 20, 3).readAllBytes();

    byte[] packed = compress(Compression.ZSTD, plain);

    try (InputStream other = new ZstdCompressorInputStream(new ByteArrayInputStream(packed))) {
      assertThat(other.readAllBytes()).isEqualTo(plain);
    }
  }

  static byte[] compress(Compression c, byte[] plain) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = c.compressing(bytes)) {
      for (int off = 0; off < plain.length; off += 100_000) {
        out.write(plain, off, Math.min(100_000, plain.length - off));
        out.flush();
      }
    }
    return bytes.toByteArray();
  }

  static byte[] decompress(Compression c, byte[] packed) throws Exception {
    try (InputStream in = c.decompressing(new ByteArrayInputStream(packed))) {
      return in.readAllBytes();
    }
  }
}
