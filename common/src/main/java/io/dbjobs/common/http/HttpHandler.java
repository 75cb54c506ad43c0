package io.dbjobs.common.http;

import java.io.IOException;

/**
 * Answers one request of a route. A {@link io.dbjobs.common.DbJobsException} thrown here becomes
 * the error answer of its code ({@link HttpErrors}); anything else becomes a 500 that says only
 * where the details are logged.
 */
@FunctionalInterface
public interface HttpHandler {
  HttpReply handle(HttpCall call) throws IOException;
}
