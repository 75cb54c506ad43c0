package io.dbjobs.common.sql;

/** Turns a value into an SQL string literal that is correct on one connection, as it is now. */
@FunctionalInterface
public interface LiteralQuoter {
  String quote(String value);
}
