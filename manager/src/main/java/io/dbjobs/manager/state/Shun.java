package io.dbjobs.manager.state;

import java.time.Instant;

/**
 * A node taken out of service for dbjobs: schedules skip it, it is never chosen as a donor or a
 * backup source, the automatic policy leaves it alone.
 *
 * @param reason why, as the operator said (may be empty)
 * @param by who shunned it
 */
public record Shun(String node, String reason, String by, Instant since) {}
