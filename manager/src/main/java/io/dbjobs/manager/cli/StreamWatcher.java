package io.dbjobs.manager.cli;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.stream.StreamProgress;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.receive.ReceivingJob;
import java.io.PrintWriter;

/**
 * Shows a receiving job (a backup, a log) on the terminal: the job row's phase with the bytes this
 * process has received, the rate and an ETA when the agent gave a size, through {@link
 * ProgressPrinter}.
 */
final class StreamWatcher implements ReceivingJob.Watcher {
  private final String node;
  private final String receiverAddress;
  private final PrintWriter out;
  private final ProgressPrinter printer;

  StreamWatcher(String node, String receiverAddress, PrintWriter out, boolean terminal) {
    this.node = node;
    this.receiverAddress = receiverAddress;
    this.out = out;
    this.printer = new ProgressPrinter(out, terminal);
  }

  @Override
  public void submitted(Job job) {
    out.println(
        "job "
            + job.id()
            + " queued on "
            + node
            + ": "
            + job.task()
            + ", its agent sends the stream to "
            + receiverAddress);
    out.flush();
  }

  @Override
  public void update(Job job, StreamProgress received) {
    printer.update(new JobView(node, merged(job, received)), System.nanoTime());
  }

  @Override
  public void note(String message) {
    printer.note(message);
  }

  /** Ends the progress line. */
  void done() {
    printer.done();
  }

  /** The row with the receiver's byte count when it is ahead, and the sender's size hint. */
  static Job merged(Job j, StreamProgress p) {
    if (p == null) {
      return j;
    }
    long done = Math.max(j.bytesDone(), p.bytes());
    Long total = j.bytesTotal() != null ? j.bytesTotal() : p.sizeHint() >= 0 ? p.sizeHint() : null;
    String phase = j.phase() == null || j.phase().equals("starting") ? "streaming" : j.phase();
    return j.withProgress(phase, done, total);
  }
}
