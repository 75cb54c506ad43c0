package io.dbjobs.common.job.params;

import io.dbjobs.common.job.ParamSpec;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares one task parameter on a component of a {@link TaskParams} record: its name in the job
 * row's JSON, what it means, its default. The record is the one declaration: validation, help text
 * and the typed value handlers read all derive from it ({@link ParamsCodec}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Param {
  /** The name in the params column, e.g. {@code stream-id}. */
  String name();

  /** What it means, for help texts and messages. */
  String doc();

  /** The default as text; "" for none (the value is then null, or required). */
  String dflt() default "";

  boolean required() default false;

  /**
   * The kind when the Java type does not say it (a {@code String} holding host:port or a table
   * list); {@code STRING} means "from the Java type".
   */
  ParamSpec.Type as() default ParamSpec.Type.STRING;

  /** The allowed values of a text parameter; for an enum they come from its wire names. */
  String[] choices() default {};
}
