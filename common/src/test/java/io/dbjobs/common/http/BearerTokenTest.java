package io.dbjobs.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.config.Secret;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading {@code Authorization: Bearer} headers. */
class BearerTokenTest {
  private final BearerToken token = new BearerToken(new Secret("s3cret", "test"));

  @Test
  void acceptsTheTokenWithTheSchemeInAnyCase() {
    assertThat(token.check(List.of("Bearer s3cret"))).isEqualTo(BearerToken.Verdict.OK);
    assertThat(token.check(List.of("bearer s3cret "))).isEqualTo(BearerToken.Verdict.OK);
  }

  @Test
  void tellsAMissingTokenFromAWrongOne() {
    assertThat(token.check(List.of())).isEqualTo(BearerToken.Verdict.MISSING);
    assertThat(token.check(List.of("Bearer s3cre"))).isEqualTo(BearerToken.Verdict.WRONG);
    assertThat(token.check(List.of("Bearer s3cretX"))).isEqualTo(BearerToken.Verdict.WRONG);
    assertThat(token.check(List.of("Basic czNjcmV0"))).isEqualTo(BearerToken.Verdict.WRONG);
    assertThat(token.check(List.of("Bearer"))).isEqualTo(BearerToken.Verdict.WRONG);
    assertThat(token.check(List.of(""))).isEqualTo(BearerToken.Verdict.WRONG);
  }

  @Test
  void refusesTwoAuthorizationHeadersEvenIfOneIsRight() {
    assertThat(token.check(List.of("Bearer s3cret", "Bearer other")))
        .isEqualTo(BearerToken.Verdict.WRONG);
    assertThat(token.check(List.of("Bearer other", "Bearer s3cret")))
        .isEqualTo(BearerToken.Verdict.WRONG);
  }
}
