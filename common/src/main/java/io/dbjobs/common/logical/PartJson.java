package io.dbjobs.common.logical;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;

/** JSON of the part container's records and of the schema part's lines. */
public final class PartJson {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private PartJson() {}

  public static byte[] bytes(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL, "cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /**
   * @throws DbJobsException RESTORE_FAILED naming what did not parse
   */
  public static <T> T read(byte[] b, int off, int len, Class<T> type) {
    try {
      return JSON.readValue(b, off, len, type);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "a " + type.getSimpleName() + " of the dump does not parse: " + e.getMessage(),
          e);
    }
  }

  public static ObjectMapper mapper() {
    return JSON;
  }
}
