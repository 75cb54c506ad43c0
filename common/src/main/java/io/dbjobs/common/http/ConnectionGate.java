package io.dbjobs.common.http;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts a server's connections: all of them ({@code maxConnections}) and those not yet
 * authenticated, in total ({@code maxUnauthenticated}) and per client address ({@code
 * maxUnauthenticatedPerAddress}). A connection over any cap is refused when it opens; an admitted
 * one holds a {@link Ticket} until it closes, and leaves the unauthenticated counts as soon as one
 * of its requests carries the right token, or as it starts closing. Thread-safe.
 */
final class ConnectionGate {
  private final int maxConnections;
  private final int maxUnauthenticated;
  private final int maxPerAddress;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger unauthenticated = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();

  ConnectionGate(HttpLimits limits) {
    this.maxConnections = limits.maxConnections();
    this.maxUnauthenticated = limits.maxUnauthenticated();
    this.maxPerAddress = limits.maxUnauthenticatedPerAddress();
  }

  /** Why a connection was refused. */
  enum Refusal {
    CONNECTIONS("maxConnections"),
    UNAUTHENTICATED("maxUnauthenticated"),
    PER_ADDRESS("maxUnauthenticatedPerAddress");

    final String key;

    Refusal(String key) {
      this.key = key;
    }
  }

  /** An admitted connection's place in the counts. */
  final class Ticket {
    private final InetAddress address;
    private final AtomicBoolean unauthenticatedHeld = new AtomicBoolean(true);
    private final AtomicBoolean released = new AtomicBoolean();

    private Ticket(InetAddress address) {
      this.address = address;
    }

    /** The connection sent the right token: it no longer counts as unauthenticated. */
    void authenticated() {
      if (unauthenticatedHeld.compareAndSet(true, false)) {
        leaveUnauthenticated(address);
      }
    }

    /**
     * The connection is being closed (refused, answered for the last time, timed out): it no longer
     * waits to authenticate, and its last moments are bounded by the linger, not by the caps.
     */
    void closing() {
      authenticated();
    }

    /** The connection closed. */
    void release() {
      if (released.compareAndSet(false, true)) {
        authenticated();
        open.decrementAndGet();
      }
    }
  }

  /** The result of {@link #admit}: a ticket, or the cap that refused the connection. */
  record Admission(Ticket ticket, Refusal refusal) {}

  Admission admit(InetAddress address) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      return refuse(Refusal.CONNECTIONS);
    }
    if (unauthenticated.incrementAndGet() > maxUnauthenticated) {
      unauthenticated.decrementAndGet();
      open.decrementAndGet();
      return refuse(Refusal.UNAUTHENTICATED);
    }
    boolean[] admitted = {false};
    perAddress.compute(
        address,
        (a, n) -> {
          int held = n == null ? 0 : n;
          if (held >= maxPerAddress) {
            return n;
          }
          admitted[0] = true;
          return held + 1;
        });
    if (!admitted[0]) {
      unauthenticated.decrementAndGet();
      open.decrementAndGet();
      return refuse(Refusal.PER_ADDRESS);
    }
    return new Admission(new Ticket(address), null);
  }

  private Admission refuse(Refusal r) {
    refused.incrementAndGet();
    return new Admission(null, r);
  }

  private void leaveUnauthenticated(InetAddress address) {
    unauthenticated.decrementAndGet();
    perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  int open() {
    return open.get();
  }

  int unauthenticated() {
    return unauthenticated.get();
  }

  long refused() {
    return refused.get();
  }
}
