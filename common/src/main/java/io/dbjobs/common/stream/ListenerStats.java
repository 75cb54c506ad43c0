package io.dbjobs.common.stream;

/**
 * What a {@link StreamListener} did with connections before they authenticated, for metrics.
 *
 * @param unauthenticated connections holding a pre-authentication slot now (at most {@link
 *     StreamOptions#maxUnauthenticated()})
 * @param admitted connections given a slot since the listener opened
 * @param refused connections closed at once, before a byte was read, because a cap was reached
 * @param evicted connections closed to make room for one from a less busy address
 */
public record ListenerStats(int unauthenticated, long admitted, long refused, long evicted) {}
