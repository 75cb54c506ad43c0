package io.dbjobs.manager.cli;

import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.time.Steps;
import io.dbjobs.manager.api.ApiFleet;
import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.manager.fleet.DirectFleet;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.reseed.Reseed;
import io.dbjobs.manager.work.Verbs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;

/** Runs the reseed verb for {@code reseed} and {@code flashback}, showing its progress. */
final class ReseedRunner {
  private ReseedRunner() {}

  static int run(
      DbJobsCli root,
      PrintWriter out,
      Reseed.Request request,
      Path mariadbDump,
      RebuildOptions rebuild,
      WaitOption wait)
      throws InterruptedException {
    String compression = rebuild.compression;
    boolean json = rebuild.json;
    ApiFleet api = ThroughDaemon.api(root);
    if (api != null) {
      JobView last =
          ThroughDaemon.startAndFollow(
              api,
              ManagerApi.RESEED,
              new ManagerApi.ReseedBody(
                  request.node(),
                  request.method().label(),
                  request.donor(),
                  request.backupId(),
                  request.primary(),
                  request.force(),
                  request.keepOld(),
                  compression,
                  request.flashback(),
                  request.submittedBy(),
                  request.position().label(),
                  request.binlogAt()),
              out,
              json,
              "48h",
              wait.wait);
      return ThroughDaemon.finish(out, last, json, null);
    }
    wait.requireWaitWhenDirect(request.flashback() ? "dbjobs flashback" : "dbjobs reseed");
    DirectFleet direct = (DirectFleet) root.fleet();
    ProgressPrinter printer =
        new ProgressPrinter(
            json ? new PrintWriter(PrintWriter.nullWriter()) : out,
            !json && System.console() != null);
    Reseed verb =
        new Verbs(root.config(), direct.connections(), null, java.time.Clock.systemUTC())
            .reseed(Compression.parse(compression));
    Reseed.Outcome o =
        verb.run(
            request,
            new Reseed.Listener() {
              @Override
              public void note(String message) {
                printer.note(message);
              }

              @Override
              public void progress(JobView joinerJob) {
                printer.update(joinerJob, System.nanoTime());
              }
            });
    printer.done();
    Steps.afterJobEnd("job end seen", o.joinerJob().job().ended());
    if (json) {
      out.println(Json.write(Json.job(o.joinerJob(), Instant.now())));
    } else {
      out.println(JobWaiter.summary(o.joinerJob(), Instant.now()));
      if (o.sourceError() != null && !o.succeeded()) {
        out.println("source: " + o.sourceError());
      }
    }
    out.flush();
    Steps.afterJobEnd("printed", o.joinerJob().job().ended());
    return o.succeeded() ? 0 : JobWaiter.exitStatus(o.joinerJob().job());
  }
}
