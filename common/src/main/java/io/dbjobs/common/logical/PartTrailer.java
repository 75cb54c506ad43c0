package io.dbjobs.common.logical;

/**
 * How a part ended.
 *
 * @param bytes compressed bytes (what a catalog stores)
 * @param rawBytes bytes once decompressed
 * @param rows rows (lines) for a rows part; objects for the schema part
 * @param sha256 SHA-256 of the compressed bytes, lowercase hex
 */
public record PartTrailer(int id, long bytes, long rawBytes, long rows, String sha256) {}
