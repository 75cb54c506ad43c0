package io.dbjobs.agent.task.reseed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepJournalTest {
  @TempDir Path dir;

  @Test
  void readsThePlanAndTheLinesInOrder() {
    Path f = dir.resolve("1.swap.journal");
    try (StepJournal j = StepJournal.create(f, "test", Map.of("a", "b"))) {
      j.append(new StepJournal.Line("intent", "out", "ibdata1", null));
      j.append(new StepJournal.Line("done", "out", "ibdata1", null));
      j.mark("all-out");
    }
    StepJournal.Replay r = StepJournal.read(f);
    assertThat(r.kind()).isEqualTo("test");
    assertThat(r.plan().get("a").asText()).isEqualTo("b");
    assertThat(r.lines())
        .containsExactly(
            new StepJournal.Line("intent", "out", "ibdata1", null),
            new StepJournal.Line("done", "out", "ibdata1", null),
            StepJournal.Line.mark("all-out"));
    assertThat(r.has("all-out")).isTrue();
    assertThat(r.lastMark()).isEqualTo("all-out");
  }

  @Test
  void isPrivateToTheAgent() throws Exception {
    Path f = dir.resolve("2.swap.journal");
    StepJournal.create(f, "test", Map.of()).close();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
  }

  @Test
  void ignoresAHalfWrittenLastLineAndCutsItOffBeforeAppending() throws Exception {
    Path f = dir.resolve("3.swap.journal");
    try (StepJournal j = StepJournal.create(f, "test", Map.of())) {
      j.mark("stopped");
    }
    // a crash in the middle of writing the next line: no newline, or garbage up to one
    Files.write(f, "{\"at\":\"all-o".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    assertThat(StepJournal.read(f).lines()).containsExactly(StepJournal.Line.mark("stopped"));
    try (StepJournal j = StepJournal.open(f)) {
      j.mark("rollback");
    }
    assertThat(StepJournal.read(f).lines())
        .containsExactly(StepJournal.Line.mark("stopped"), StepJournal.Line.mark("rollback"));

    Files.write(
        f, "\u0000\u0000\u0000\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    assertThat(StepJournal.read(f).lines()).hasSize(2);
  }

  @Test
  void refusesAJournalCorruptedBeforeItsEnd() throws Exception {
    Path f = dir.resolve("4.swap.journal");
    try (StepJournal j = StepJournal.create(f, "test", Map.of())) {
      j.mark("stopped");
    }
    Files.write(
        f, "garbage\n{\"at\":\"x\"}\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    assertThatThrownBy(() -> StepJournal.read(f)).hasMessageContaining("corrupt journal");
  }

  @Test
  void neverOverwritesAnUnsettledJournal() {
    Path f = dir.resolve("5.swap.journal");
    StepJournal.create(f, "test", Map.of()).close();
    assertThatThrownBy(() -> StepJournal.create(f, "test", Map.of()))
        .hasMessageContaining("exists already")
        .hasMessageContaining("restart the agent");
  }

  @Test
  void aSwapPlanCarriesTheNodesOtherConnectionsWithoutPasswordsAndAnOlderPlanHasNone()
      throws Exception {
    ChannelSettings west =
        new ChannelSettings(
            "west", "10.1.0.1", 3306, "repl", "slave_pos", true, "/ca.pem", null, null, false, "7");
    SwapPlan plan =
        new SwapPlan(
            9,
            "db2@h/1",
            "reseed-physical",
            "/d",
            "/n",
            "/o",
            null,
            "10.0.0.1:3306",
            false,
            null,
            "donor db3",
            java.util.List.of(west));
    Path f = dir.resolve("9.swap.journal");
    StepJournal.create(f, "datadir-swap", plan).close();
    assertThat(StepJournal.read(f).plan(SwapPlan.class).channels()).containsExactly(west);
    assertThat(Files.readString(f)).doesNotContainIgnoringCase("password");

    Path old = dir.resolve("10.swap.journal");
    Files.writeString(
        old,
        "{\"journal\":\"datadir-swap\",\"version\":1,\"plan\":{\"jobId\":10,\"primary\":"
            + "\"10.0.0.1:3306\"}}\n");
    assertThat(StepJournal.read(old).plan(SwapPlan.class).channels()).isNull();
  }
}
