package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamSecretTest {
  @Test
  void mintsDistinct64HexCharacterSecrets() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String s = StreamSecret.mint();
      assertThat(s).hasSize(64).matches("[0-9a-f]{64}");
      assertThat(seen.add(s)).isTrue();
    }
  }

  @Test
  void decodesTo32KeyBytes() {
    assertThat(StreamSecret.keyBytes(StreamSecret.mint(), "s")).hasSize(32);
  }

  @Test
  void rejectsMalformedSecretWithoutEchoingIt() {
    String shortOne = "abc123abc123";
    String notHex = "z".repeat(64);

    assertThatThrownBy(() -> StreamSecret.keyBytes(shortOne, "db1:5"))
        .isInstanceOf(DbJobsException.class)
        .satisfies(e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.BAD_PARAMETER))
        .hasMessage(
            "the secret of stream db1:5 must be 64 hex characters (got 12 characters); mint one"
                + " with StreamSecret.mint()")
        .hasMessageNotContaining(shortOne);
    assertThatThrownBy(() -> StreamSecret.keyBytes(notHex, "db1:5"))
        .hasMessageContaining("not all hex")
        .hasMessageNotContaining(notHex);
    assertThatThrownBy(() -> StreamSecret.keyBytes(null, "db1:5"))
        .hasMessage("stream db1:5 has no secret");
  }

  @Test
  void targetNeverPrintsItsSecret() {
    String secret = StreamSecret.mint();
    StreamTarget t = new StreamTarget("db1.example", 4444, "db1:5", secret);

    assertThat(t.toString())
        .isEqualTo("StreamTarget[db1.example:4444, stream db1:5, secret ****]")
        .doesNotContain(secret);
  }

  @Test
  void targetRejectsBadFieldsWithoutEchoingTheSecret() {
    String secret = StreamSecret.mint();

    assertThatThrownBy(() -> new StreamTarget("h", 0, "s", secret))
        .hasMessage("stream target port 0 is not between 1 and 65535");
    assertThatThrownBy(() -> new StreamTarget("h", 1, "bad id\n", secret))
        .hasMessage(
            "stream id 'bad id | ' is invalid: use 1 to 128 characters from [A-Za-z0-9._:@/-]");
    assertThatThrownBy(() -> new StreamTarget("h", 1, "s", secret.substring(1)))
        .hasMessageContaining("got 63 characters")
        .hasMessageNotContaining(secret.substring(1));
  }
}
