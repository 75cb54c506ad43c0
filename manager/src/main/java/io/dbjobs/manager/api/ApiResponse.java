package io.dbjobs.manager.api;

/**
 * What a route answers: a status and a body, written as JSON unless {@code contentType} says
 * otherwise (then {@code body} is a String).
 */
public record ApiResponse(int status, Object body, String contentType) {
  public static ApiResponse ok(Object body) {
    return new ApiResponse(200, body, null);
  }

  public static ApiResponse of(int status, Object body) {
    return new ApiResponse(status, body, null);
  }

  public static ApiResponse text(String contentType, String text) {
    return new ApiResponse(200, text, contentType);
  }
}
