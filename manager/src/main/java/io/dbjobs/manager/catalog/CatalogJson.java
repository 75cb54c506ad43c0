package io.dbjobs.manager.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * JSON of the catalog's own files: ISO-8601 UTC times, absent values left out, unknown fields
 * ignored.
 */
final class CatalogJson {
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private CatalogJson() {}

  static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL, "cannot write JSON for " + value.getClass().getSimpleName(), e);
    }
  }

  /**
   * Reads {@code file} as {@code type}; null when it does not exist.
   *
   * @throws DbJobsException CATALOG_ERROR when it exists but cannot be read or parsed
   */
  static <T> T read(Path file, Class<T> type) {
    byte[] b;
    try {
      b = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR, "cannot read " + file + ": " + DbJobsException.describe(e), e);
    }
    try {
      return MAPPER.readValue(b, type);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR,
          file + " is not a readable " + type.getSimpleName() + ": " + e.getMessage(),
          e);
    }
  }
}
