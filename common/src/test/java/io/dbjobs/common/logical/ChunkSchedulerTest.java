package io.dbjobs.common.logical;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkSchedulerTest {
  @Test
  void rangesCoverEveryValueOpenAtBothEnds() {
    List<String> r = ChunkScheduler.ranges("id", BigInteger.ONE, BigInteger.valueOf(100), 4);
    assertThat(r)
        .containsExactly(
            "`id` < 26", "`id` >= 26 AND `id` < 51", "`id` >= 51 AND `id` < 76", "`id` >= 76");
  }

  @Test
  void neverMoreRangesThanValues() {
    assertThat(ChunkScheduler.ranges("id", BigInteger.valueOf(5), BigInteger.valueOf(6), 10))
        .containsExactly("`id` < 6", "`id` >= 6");
  }

  @Test
  void anEmptyTableOrASingleChunkHasNoWhere() {
    assertThat(ChunkScheduler.ranges("id", null, null, 8)).containsExactly((String) null);
    assertThat(ChunkScheduler.ranges("id", BigInteger.ONE, BigInteger.TEN, 1))
        .containsExactly((String) null);
  }

  @Test
  void quotesTheColumnAndHandlesUnsignedBigintBounds() {
    BigInteger max = new BigInteger("18446744073709551615");
    List<String> r = ChunkScheduler.ranges("we`ird", BigInteger.ZERO, max, 2);
    assertThat(r.get(0)).isEqualTo("`we``ird` < 9223372036854775808");
  }

  @Test
  void aSessionFinishesItsTableThenHelpsWithTheBiggestRest() throws Exception {
    ChunkScheduler.TableJob big = job("big");
    ChunkScheduler.TableJob small = job("small");
    ChunkScheduler s = new ChunkScheduler(List.of(big, small), 2);
    ChunkScheduler.Work a = s.take(0);
    assertThat(a.plan()).isTrue();
    assertThat(a.job()).isSameAs(big);
    s.planned(big, Arrays.asList(null, null, null, null));
    ChunkScheduler.Work b = s.take(1);
    assertThat(b.job()).isSameAs(small);
    s.planned(small, Arrays.asList((String) null));
    s.done(small, 3);
    assertThat(s.take(0).chunk()).isEqualTo(1); // its own table, in order
    assertThat(s.take(1).chunk()).isEqualTo(3); // helps from the end
    assertThat(s.take(0).chunk()).isEqualTo(2);
    assertThat(s.take(1)).isNull();
  }

  private static ChunkScheduler.TableJob job(String name) {
    SourceTable t = new SourceTable("db", name, "BASE TABLE", "InnoDB", 0);
    SchemaObject o =
        new SchemaObject(
            SchemaObject.Kind.TABLE,
            "db",
            name,
            "CREATE TABLE x (a INT)",
            null,
            null,
            null,
            null,
            null,
            new SchemaObject.TableLoad("InnoDB", List.of(), null, null, true),
            null);
    return new ChunkScheduler.TableJob(new DumpTable(t, o, "id"), true);
  }
}
