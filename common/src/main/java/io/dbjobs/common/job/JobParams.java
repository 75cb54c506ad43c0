package io.dbjobs.common.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.Map;
import java.util.TreeMap;

/** The {@code params} column: a JSON object of string values, keys sorted. */
public final class JobParams {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<TreeMap<String, String>> TYPE = new TypeReference<>() {};

  private JobParams() {}

  public static String toJson(Map<String, String> params) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(params));
    } catch (JsonProcessingException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL, "cannot encode job parameters " + params.keySet(), e);
    }
  }

  /**
   * @throws DbJobsException BAD_PARAMETER when the text is not a JSON object of strings
   */
  public static Map<String, String> parse(String json) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      TreeMap<String, String> m = JSON.readValue(json, TYPE);
      return m == null ? Map.of() : m;
    } catch (JsonProcessingException e) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "the job's params column is not a JSON object of text values ("
              + e.getOriginalMessage()
              + "): "
              + (json.length() > 200 ? json.substring(0, 200) + "..." : json),
          e);
    }
  }
}
