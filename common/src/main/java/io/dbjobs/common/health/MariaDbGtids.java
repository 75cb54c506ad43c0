package io.dbjobs.common.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MariaDB GTID arithmetic. A GTID is {@code domain-server-seq}; a position ({@code gtid_slave_pos},
 * {@code gtid_binlog_pos}) holds the last GTID per domain, a binlog state ({@code
 * gtid_binlog_state}) the last GTID per domain and server id. Sequence numbers grow within a domain
 * ({@code gtid_strict_mode}).
 */
public final class MariaDbGtids {
  private MariaDbGtids() {}

  /** One GTID. */
  public record Gtid(long domain, long server, long seq) {
    @Override
    public String toString() {
      return domain + "-" + server + "-" + seq;
    }
  }

  /**
   * The GTIDs of a comma-separated list ({@code 0-1-100,1-2-5}).
   *
   * @throws IllegalArgumentException naming the part that is not {@code domain-server-seq}
   */
  public static List<Gtid> parse(String list) {
    List<Gtid> out = new ArrayList<>();
    if (list == null || list.isBlank()) {
      return out;
    }
    for (String part : list.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      String[] f = p.split("-");
      if (f.length != 3) {
        throw new IllegalArgumentException("not a MariaDB GTID (domain-server-seq): '" + p + "'");
      }
      try {
        out.add(new Gtid(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "not a MariaDB GTID (domain-server-seq): '" + p + "'", e);
      }
    }
    return out;
  }

  /** The highest sequence number per domain in a list. */
  public static Map<Long, Long> seqByDomain(String list) {
    Map<Long, Long> out = new LinkedHashMap<>();
    for (Gtid g : parse(list)) {
      out.merge(g.domain(), g.seq(), Math::max);
    }
    return out;
  }

  /** The highest sequence number per domain and server id over several lists. */
  static Map<List<Long>, Long> seqByDomainAndServer(String... lists) {
    Map<List<Long>, Long> out = new LinkedHashMap<>();
    for (String l : lists) {
      for (Gtid g : parse(l)) {
        out.merge(List.of(g.domain(), g.server()), g.seq(), Math::max);
      }
    }
    return out;
  }

  /**
   * GTIDs a replica has that the primary never had. Of the replica's binlog state and slave
   * position, a GTID counts when:
   *
   * <ul>
   *   <li>the primary knows later GTIDs of the same domain and server only up to an older sequence
   *       number (e.g. an old primary's last transactions that never reached the new one), or
   *   <li>the primary knows nothing of that domain and server, and the GTID is the replica's own (a
   *       local write) or beyond the primary's whole domain, or
   *   <li>its sequence number is beyond everything the primary has in its domain.
   * </ul>
   *
   * What the primary knows is its binlog state and its slave position (a primary that replicated
   * without {@code log_slave_updates} has the GTIDs it applied only there). A replica without a
   * binary log shows local writes nowhere, so they cannot be found.
   */
  public static List<Gtid> errant(
      String replicaBinlogState,
      String replicaSlavePos,
      long replicaServerId,
      String primaryBinlogState,
      String primarySlavePos) {
    Map<List<Long>, Long> known = seqByDomainAndServer(primaryBinlogState, primarySlavePos);
    Map<Long, Long> primaryDomains = new LinkedHashMap<>();
    known.forEach((k, seq) -> primaryDomains.merge(k.get(0), seq, Math::max));
    Set<Gtid> out = new LinkedHashSet<>();
    for (Gtid g : parse(replicaBinlogState)) {
      Long sameServer = known.get(List.of(g.domain(), g.server()));
      long domainTop = primaryDomains.getOrDefault(g.domain(), 0L);
      if (sameServer != null) {
        if (sameServer < g.seq()) {
          out.add(g);
        }
      } else if (g.server() == replicaServerId || g.seq() > domainTop) {
        out.add(g);
      }
    }
    for (Gtid g : parse(replicaSlavePos)) {
      if (g.seq() > primaryDomains.getOrDefault(g.domain(), 0L)) {
        out.add(g);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Why a node at {@code position} cannot catch up from binary logs starting after {@code
   * oldestBinlogState} (per domain: the logs hold what follows sequence S; the node needs what
   * follows its own B, so B must be at least S). Empty when it can.
   */
  public static List<String> missingFromBinlogs(String position, String oldestBinlogState) {
    Map<Long, Long> have = seqByDomain(position);
    List<String> missing = new ArrayList<>();
    seqByDomain(oldestBinlogState)
        .forEach(
            (domain, start) -> {
              long b = have.getOrDefault(domain, 0L);
              if (b < start) {
                missing.add(
                    "domain "
                        + domain
                        + ": the node is at seq "
                        + b
                        + ", the primary's binlogs begin after seq "
                        + start);
              }
            });
    return missing;
  }
}
