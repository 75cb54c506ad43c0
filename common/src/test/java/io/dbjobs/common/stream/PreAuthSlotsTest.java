package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.stream.PreAuthSlots.Verdict;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class PreAuthSlotsTest {
  private final PreAuthSlots<String> slots = new PreAuthSlots<>(4, 2);

  @Test
  void refusesOneMoreConnectionThanThePerAddressCap() throws Exception {
    assertThat(admit("a1", "10.0.0.1").verdict()).isEqualTo(Verdict.ADMITTED);
    assertThat(admit("a2", "10.0.0.1").verdict()).isEqualTo(Verdict.ADMITTED);

    PreAuthSlots.Admission<String> third = admit("a3", "10.0.0.1");

    assertThat(third.verdict()).isEqualTo(Verdict.REFUSED_ADDRESS_FULL);
    assertThat(third.held()).isEqualTo(2);
    assertThat(third.address()).isEqualTo("10.0.0.1");
    assertThat(admit("b1", "10.0.0.2").verdict()).isEqualTo(Verdict.ADMITTED);
    assertThat(slots.held()).isEqualTo(3);
    assertThat(slots.refused()).isEqualTo(1);
  }

  @Test
  void refusesANewcomerWhenTheListenerIsFullAndItsAddressIsAsBusyAsAny() throws Exception {
    admit("a1", "10.0.0.1");
    admit("b1", "10.0.0.2");
    admit("c1", "10.0.0.3");
    admit("d1", "10.0.0.4");

    PreAuthSlots.Admission<String> e = admit("e1", "10.0.0.5");

    // every address holds one slot and the newcomer's holds none: it takes the oldest
    assertThat(e.verdict()).isEqualTo(Verdict.ADMITTED);
    assertThat(e.evicted()).isEqualTo("a1");
    PreAuthSlots.Admission<String> a = admit("a2", "10.0.0.1");
    assertThat(a.verdict()).isEqualTo(Verdict.ADMITTED);
    assertThat(a.evicted()).isEqualTo("b1");
    assertThat(admit("x", "10.0.0.5").verdict())
        .as("10.0.0.5 already holds as many as the busiest address")
        .isEqualTo(Verdict.REFUSED_LISTENER_FULL);
  }

  @Test
  void newcomerFromAQuieterAddressTakesTheOldestSlotOfTheBusiestAddress() throws Exception {
    admit("flood1", "10.0.0.66");
    admit("other", "10.0.0.7");
    admit("flood2", "10.0.0.66");
    admit("other2", "10.0.0.7");

    PreAuthSlots.Admission<String> legit = admit("legit", "10.0.0.1");

    assertThat(legit.verdict()).isEqualTo(Verdict.ADMITTED);
    assertThat(legit.evicted()).as("oldest of the busiest (tied) addresses").isEqualTo("flood1");
    assertThat(slots.held()).isEqualTo(4);
    assertThat(slots.evicted()).isEqualTo(1);
    slots.release("flood1");
    assertThat(slots.held()).as("an evicted connection no longer holds a slot").isEqualTo(4);
  }

  @Test
  void releasingFreesTheSlotOnceAndForAll() throws Exception {
    admit("a1", "10.0.0.1");
    admit("a2", "10.0.0.1");

    slots.release("a1");
    slots.release("a1");
    slots.release("never-admitted");

    assertThat(slots.held()).isEqualTo(1);
    assertThat(admit("a3", "10.0.0.1").verdict()).isEqualTo(Verdict.ADMITTED);
    assertThat(slots.peak()).isEqualTo(2);
    assertThat(slots.peakPerAddress()).isEqualTo(2);
  }

  @Test
  void countsAnIpv6HostByItsSlash64() throws Exception {
    admit("v6a", "2001:db8:0:1::10");
    admit("v6b", "2001:db8:0:1:ffff::99");

    PreAuthSlots.Admission<String> third = admit("v6c", "2001:db8:0:1:1234::1");

    assertThat(third.verdict()).isEqualTo(Verdict.REFUSED_ADDRESS_FULL);
    assertThat(third.address()).isEqualTo("2001:db8:0:1::/64");
    assertThat(admit("v6d", "2001:db8:0:2::10").verdict()).isEqualTo(Verdict.ADMITTED);
    assertThat(PreAuthSlots.addressKey(InetAddress.getByName("::ffff:10.0.0.1")))
        .isEqualTo("10.0.0.1");
  }

  private PreAuthSlots.Admission<String> admit(String who, String ip) throws Exception {
    return slots.admit(who, InetAddress.getByName(ip));
  }
}
