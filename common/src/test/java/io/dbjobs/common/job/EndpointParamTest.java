package io.dbjobs.common.job;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EndpointParamTest {
  private final ParamSpec primary =
      ParamSpec.required(TaskStreamParams.PRIMARY, ParamSpec.Type.ENDPOINT, "the primary");

  @Test
  void acceptsHostPortIpv4AndBracketedIpv6() {
    for (String ok : new String[] {"db1:3306", "10.0.0.1:3306", "[::1]:3306"}) {
      assertThatCode(() -> primary.check("reseed-logical", ok)).doesNotThrowAnyException();
    }
  }

  @Test
  void refusesAQuoteInThePrimary() {
    assertThatThrownBy(
            () -> primary.check("reseed-logical", "127.0.0.1' , MASTER_HOST='evil.example:3306"))
        .hasMessageContaining("task reseed-logical: parameter 'primary'")
        .hasMessageContaining("is not a host:port");
    assertThatThrownBy(() -> primary.check("reseed-logical", "db1:3306 "))
        .hasMessageContaining("not a number");
  }
}
