package io.dbjobs.common.logical;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

class RowEncoderTest {
  @Test
  void escapesWhatLoadDataReadsAsSeparatorsOrEscapes() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RowEncoder e = new RowEncoder(out);
    e.value(new byte[] {'a', '\t', 'b', '\n', '\\', 'N', 0, '\r', (byte) 0xf0, '\'', '"'});
    e.flush();
    assertThat(out.toByteArray())
        .isEqualTo(
            new byte[] {
              'a',
              '\\',
              't',
              'b',
              '\\',
              'n',
              '\\',
              '\\',
              'N',
              '\\',
              '0',
              '\\',
              'r',
              (byte) 0xf0,
              '\'',
              '"'
            });
  }

  @Test
  void aBigValuePassesThroughInSlicesWithoutAnEqualBuffer() throws Exception {
    long[] written = {0};
    int[] largestWrite = {0};
    RowEncoder e =
        new RowEncoder(
            new OutputStream() {
              @Override
              public void write(int b) {
                written[0]++;
              }

              @Override
              public void write(byte[] b, int off, int len) {
                written[0] += len;
                largestWrite[0] = Math.max(largestWrite[0], len);
              }
            });
    byte[] big = new byte[8 << 20];
    java.util.Arrays.fill(big, (byte) '\t');
    e.value(big);
    e.flush();
    assertThat(written[0]).isEqualTo(16L << 20);
    assertThat(largestWrite[0]).isLessThan(256 * 1024);
  }
}
