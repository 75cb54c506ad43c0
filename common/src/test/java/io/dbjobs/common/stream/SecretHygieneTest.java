package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dbjobs.common.stream.WireMessage.Proof;
import io.dbjobs.testkit.LogCapture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stream's secret never reaches a log line (any level), an exception message or stack trace, or a
 * {@code toString}, whether the stream succeeds or fails.
 */
class SecretHygieneTest extends StreamFixture {
  private final String secret = StreamSecret.mint();
  private final String wrongSecret = StreamSecret.mint();
  private final List<String> texts = new ArrayList<>();

  @Test
  void noLogLineExceptionOrToStringContainsTheSecret() throws Exception {
    try (LogCapture logs = LogCapture.start()) {
      StreamListener listener = listener(fast().withHandshakeTimeout(Duration.ofMillis(500)));

      // a stream that succeeds
      ExpectedStream ok = listener.expect("ok", secret, new RecordingSink());
      SendResult sent = send(target(listener, "ok", secret));
      texts.add(sent.toString());
      texts.add(ok.await(WAIT).toString());
      texts.add(ok.toString());
      texts.add(target(listener, "ok", secret).toString());
      texts.add(fast().toString());

      // a sender with the wrong secret, then a raw client with a made-up proof
      ExpectedStream waiting = listener.expect("wrong", secret, new RecordingSink());
      texts.add(describe(catchThrowable(() -> send(target(listener, "wrong", wrongSecret)))));
      try (RawClient c = new RawClient(listener.port())) {
        c.helloAndChallenge("wrong");
        c.send(new Proof(new byte[32]));
        texts.add(String.valueOf(c.readUntilClosed(WAIT)));
      }
      texts.add(waiting.toString());

      // a stream whose sink fails to finish, one cancelled mid-way, one never proven
      listener.expect("nack", secret, new RecordingSink().failFinishWith("disk on fire"));
      texts.add(describe(catchThrowable(() -> send(target(listener, "nack", secret)))));
      ExpectedStream cancelled = listener.expect("cancel", secret, new RecordingSink());
      GatedInput gated = new GatedInput(GeneratedInput.random(2 << 20, 1), 1 << 20);
      var inFlight =
          sendAsync(
              () ->
                  sender.send(
                      target(listener, "cancel", secret),
                      gated,
                      SourceCompletion.none(),
                      fast(),
                      ProgressListener.NONE));
      gated.reachedGate.get(20, TimeUnit.SECONDS);
      cancelled.cancel();
      texts.add(describe(failureOf(cancelled)));
      gated.open();
      texts.add(describe(catchThrowable(() -> inFlight.get(20, TimeUnit.SECONDS))));
      try (RawClient c = new RawClient(listener.port())) {
        c.helloAndChallenge("wrong");
        texts.add(String.valueOf(c.readUntilClosed(WAIT)));
      }

      // malformed secrets are reported without their value
      String truncated = secret.substring(0, 63);
      texts.add(
          describe(catchThrowable(() -> listener.expect("bad", truncated, new RecordingSink()))));
      texts.add(describe(catchThrowable(() -> new StreamTarget(HOST, 1, "bad", truncated))));

      listener.close();
      texts.addAll(logs.lines());
      assertThat(logs.lines()).anyMatch(l -> l.startsWith("DEBUG") || l.startsWith("INFO"));
      assertThat(logs.linesContaining("WARN")).isNotEmpty();
    }

    assertThat(texts).hasSizeGreaterThan(20);
    for (String s : List.of(secret, wrongSecret, secret.substring(0, 63))) {
      for (String form : List.of(s, s.toUpperCase(Locale.ROOT))) {
        assertThat(texts).noneMatch(t -> t.contains(form));
      }
    }
  }

  private SendResult send(StreamTarget t) {
    return sender.send(
        t,
        GeneratedInput.random(10_000, 1),
        SourceCompletion.of(Map.of("tool", "test")),
        fast(),
        ProgressListener.NONE);
  }

  private static Throwable failureOf(ExpectedStream e) throws InterruptedException {
    try {
      e.result().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      throw new AssertionError("stream succeeded");
    } catch (ExecutionException x) {
      return x.getCause();
    } catch (java.util.concurrent.TimeoutException x) {
      throw new AssertionError(x);
    }
  }

  /** Message, toString and stack trace of a throwable and its causes. */
  private static String describe(Throwable t) {
    assertThat(t).isNotNull();
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return t + "\n" + w;
  }
}
