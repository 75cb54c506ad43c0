package io.dbjobs.common.stream;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The caps on a listener's unauthenticated connections: at most {@code perListener} in all and
 * {@code perAddress} from one address (an IPv4 address, or an IPv6 /64, which one host typically
 * has whole). A connection holds its slot from accept until it authenticated or closed, lingering
 * after a refusal included, so the caps bound sockets as well as buffers.
 *
 * <p>When the listener is full, a newcomer whose address holds fewer slots than the busiest address
 * takes the oldest slot of a busiest address (that connection is closed); otherwise it is refused.
 * So one flooding address, or several, cannot lock a sender from another address out: at worst a
 * flood from more addresses than the cap makes it compete for slots.
 *
 * <p>Thread-safe: admissions come from the accept thread, releases from the connections' threads.
 *
 * @param <C> what a slot is held by (the connection's channel)
 */
final class PreAuthSlots<C> {
  /** What happened to a newcomer. */
  enum Verdict {
    ADMITTED,
    /** Its address already holds {@code perAddress} slots. */
    REFUSED_ADDRESS_FULL,
    /** The listener is full and its address holds as many slots as the busiest one. */
    REFUSED_LISTENER_FULL
  }

  /**
   * The decision on a newcomer.
   *
   * @param evicted the connection that lost its slot to the newcomer (close it), or null
   * @param address the newcomer's address (its /64 for IPv6), for messages
   * @param held slots its address holds now
   */
  record Admission<C>(Verdict verdict, C evicted, String address, int held) {}

  private record Slot<C>(C holder, String address, long seq) {}

  private final int perListener;
  private final int perAddress;
  private final Map<String, ArrayDeque<Slot<C>>> byAddress = new HashMap<>();
  private final Map<C, Slot<C>> byHolder = new IdentityHashMap<>();
  private long nextSeq;
  private long admitted;
  private long refused;
  private long evicted;
  private int peak;
  private int peakPerAddress;

  PreAuthSlots(int perListener, int perAddress) {
    this.perListener = perListener;
    this.perAddress = perAddress;
  }

  /** Decides on a newcomer from {@code remote}; an admitted one holds a slot until released. */
  synchronized Admission<C> admit(C holder, InetAddress remote) {
    String address = addressKey(remote);
    ArrayDeque<Slot<C>> mine = byAddress.get(address);
    int held = mine == null ? 0 : mine.size();
    if (held >= perAddress) {
      refused++;
      return new Admission<>(Verdict.REFUSED_ADDRESS_FULL, null, address, held);
    }
    C victim = null;
    if (byHolder.size() >= perListener) {
      Slot<C> oldest = oldestOfBusiestAddress();
      if (oldest == null || byAddress.get(oldest.address()).size() <= held) {
        refused++;
        return new Admission<>(Verdict.REFUSED_LISTENER_FULL, null, address, held);
      }
      remove(oldest);
      evicted++;
      victim = oldest.holder();
    }
    Slot<C> slot = new Slot<>(holder, address, nextSeq++);
    byAddress.computeIfAbsent(address, a -> new ArrayDeque<>()).addLast(slot);
    byHolder.put(holder, slot);
    admitted++;
    int now = byAddress.get(address).size();
    peak = Math.max(peak, byHolder.size());
    peakPerAddress = Math.max(peakPerAddress, now);
    return new Admission<>(Verdict.ADMITTED, victim, address, now);
  }

  /** Frees the slot of {@code holder} (authenticated or closed); no-op when it holds none. */
  synchronized void release(C holder) {
    Slot<C> slot = byHolder.get(holder);
    if (slot != null) {
      remove(slot);
    }
  }

  synchronized int held() {
    return byHolder.size();
  }

  synchronized long admitted() {
    return admitted;
  }

  synchronized long refused() {
    return refused;
  }

  synchronized long evicted() {
    return evicted;
  }

  /** The most slots ever held at once. */
  synchronized int peak() {
    return peak;
  }

  /** The most slots one address ever held at once. */
  synchronized int peakPerAddress() {
    return peakPerAddress;
  }

  private Slot<C> oldestOfBusiestAddress() {
    Slot<C> best = null;
    int bestSize = 0;
    for (ArrayDeque<Slot<C>> q : byAddress.values()) {
      Slot<C> head = q.peekFirst();
      if (head == null) {
        continue;
      }
      if (q.size() > bestSize || (q.size() == bestSize && head.seq() < best.seq())) {
        best = head;
        bestSize = q.size();
      }
    }
    return best;
  }

  private void remove(Slot<C> slot) {
    byHolder.remove(slot.holder());
    ArrayDeque<Slot<C>> q = byAddress.get(slot.address());
    q.remove(slot);
    if (q.isEmpty()) {
      byAddress.remove(slot.address());
    }
  }

  /** An IPv4 address as is; an IPv6 address by its /64 ({@code 2001:db8:0:1::/64}). */
  static String addressKey(InetAddress a) {
    if (a == null) {
      return "?";
    }
    if (a instanceof Inet4Address) {
      return a.getHostAddress();
    }
    byte[] b = a.getAddress();
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 8; i += 2) {
      s.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
    }
    return s.append(":/64").toString();
  }
}
