package io.dbjobs.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Counting connections against the caps. */
class ConnectionGateTest {
  private static final InetAddress A = address("127.0.0.3");
  private static final InetAddress B = address("127.0.0.4");

  private final ConnectionGate gate =
      new ConnectionGate(
          new HttpLimits(Duration.ofSeconds(1), Duration.ofSeconds(1), 1024, 1024, 4, 3, 2, 1, 0));

  @Test
  void refusesAnAddressOverItsCapAndAdmitsAnother() {
    assertThat(gate.admit(A).ticket()).isNotNull();
    assertThat(gate.admit(A).ticket()).isNotNull();
    assertThat(gate.admit(A).refusal()).isEqualTo(ConnectionGate.Refusal.PER_ADDRESS);
    assertThat(gate.admit(B).ticket()).isNotNull();
    assertThat(gate.unauthenticated()).isEqualTo(3);
    assertThat(gate.refused()).isEqualTo(1);
  }

  @Test
  void refusesOverTheUnauthenticatedCapUntilOneAuthenticates() {
    ConnectionGate.Ticket first = gate.admit(A).ticket();
    gate.admit(A);
    gate.admit(B);
    assertThat(gate.admit(B).refusal()).isEqualTo(ConnectionGate.Refusal.UNAUTHENTICATED);
    first.authenticated();
    first.authenticated();
    assertThat(gate.unauthenticated()).isEqualTo(2);
    assertThat(gate.admit(A).ticket()).isNotNull();
    assertThat(gate.open()).isEqualTo(4);
    assertThat(gate.admit(B).refusal()).isEqualTo(ConnectionGate.Refusal.CONNECTIONS);
  }

  @Test
  void aConnectionBeingClosedNoLongerCountsAsUnauthenticated() {
    ConnectionGate.Ticket t = gate.admit(A).ticket();
    gate.admit(A);
    t.closing();
    assertThat(gate.unauthenticated()).isEqualTo(1);
    assertThat(gate.open()).isEqualTo(2);
    assertThat(gate.admit(A).ticket()).isNotNull();
  }

  @Test
  void aClosedConnectionGivesItsPlacesBackOnce() {
    ConnectionGate.Ticket t = gate.admit(A).ticket();
    gate.admit(A);
    t.release();
    t.release();
    assertThat(gate.open()).isEqualTo(1);
    assertThat(gate.unauthenticated()).isEqualTo(1);
    assertThat(gate.admit(A).ticket()).isNotNull();
    assertThat(gate.admit(A).refusal()).isEqualTo(ConnectionGate.Refusal.PER_ADDRESS);
  }

  private static InetAddress address(String a) {
    try {
      return InetAddress.getByName(a);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
