package io.dbjobs.manager.api;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Calls a running {@code dbjobs serve} ({@link ManagerApi}) with its token. A failure becomes the
 * {@link DbJobsException} the daemon reported, with the same code, so a command fails the same way
 * through the API as directly; an unreachable daemon is DAEMON_UNREACHABLE, a refused token
 * PERMISSION_DENIED, each saying what to check.
 */
public final class ApiClient {
  private final String baseUrl;
  private final Secret token;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param baseUrl e.g. {@code http://127.0.0.1:4446}
   * @param token the daemon's {@code api.token}; null sends none (the daemon answers 401)
   * @param timeout per request
   */
  public ApiClient(String baseUrl, Secret token, Duration timeout) {
    this.baseUrl = baseUrl.replaceAll("/+$", "");
    this.token = token;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  public String baseUrl() {
    return baseUrl;
  }

  public <T> T get(String path, Class<T> type) {
    return read(send(HttpRequest.newBuilder(uri(path)).GET(), path), type);
  }

  public <T> T get(String path, TypeReference<T> type) {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri(path)).GET(), path);
    try {
      return ApiJson.MAPPER.readValue(r.body(), type);
    } catch (IOException e) {
      throw garbled(path, r.body(), e);
    }
  }

  /** POSTs {@code body} as JSON; the answer as {@code type}. */
  public <T> T post(String path, Object body, Class<T> type) {
    String json;
    try {
      json = ApiJson.MAPPER.writeValueAsString(body);
    } catch (IOException e) {
      throw new DbJobsException(ErrorCode.INTERNAL, "cannot encode a request to the daemon", e);
    }
    return read(
        send(
            HttpRequest.newBuilder(uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"),
            path),
        type);
  }

  /** GETs a text document, e.g. {@code /metrics}. */
  public String text(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET(), path).body();
  }

  private URI uri(String path) {
    return URI.create(baseUrl + path);
  }

  private HttpResponse<String> send(HttpRequest.Builder b, String path) {
    b.timeout(timeout);
    if (token != null) {
      b.header("Authorization", "Bearer " + token.reveal());
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.DAEMON_UNREACHABLE,
          "no dbjobs daemon answers at "
              + baseUrl
              + " ("
              + DbJobsException.describe(e)
              + "); is it running (systemctl status dbjobs)? To work directly against the nodes,"
              + " use --direct",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DbJobsException(ErrorCode.INTERNAL, "interrupted calling the daemon", e);
    }
    if (r.statusCode() / 100 == 2) {
      return r;
    }
    ManagerApi.ErrorDoc err;
    try {
      err = ApiJson.MAPPER.readValue(r.body(), ManagerApi.ErrorDoc.class);
    } catch (IOException | RuntimeException e) {
      err = new ManagerApi.ErrorDoc(r.body(), null);
    }
    if (r.statusCode() == 401) {
      throw new DbJobsException(
          ErrorCode.PERMISSION_DENIED,
          "the dbjobs daemon at "
              + baseUrl
              + " refused the request: "
              + err.error()
              + (token == null
                  ? "; set api.token in manager.yml to the daemon's token"
                  : "; api.token in manager.yml (" + token.source() + ") must be the daemon's"));
    }
    ErrorCode code = ErrorCode.fromRow(err.code());
    throw new DbJobsException(
        code == null ? ErrorCode.INTERNAL : code,
        err.error() == null || err.error().isBlank()
            ? "the dbjobs daemon answered " + r.statusCode() + " to " + path
            : err.error());
  }

  private static <T> T read(HttpResponse<String> r, Class<T> type) {
    try {
      return ApiJson.MAPPER.readValue(r.body(), type);
    } catch (IOException e) {
      throw garbled(r.uri().getPath(), r.body(), e);
    }
  }

  private static DbJobsException garbled(String path, String body, IOException e) {
    return new DbJobsException(
        ErrorCode.DAEMON_UNREACHABLE,
        "the dbjobs daemon answered "
            + path
            + " with something unexpected: "
            + (body.length() > 200 ? body.substring(0, 200) + "..." : body),
        e);
  }
}
