package io.dbjobs.common.job.params;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.ParamSpec;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.time.Durations;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@link TaskParams} record's {@link Param} declarations: the {@link ParamSpec}s that
 * validate a job's parameters and write its help, and the conversion of validated text values (the
 * params column's JSON object) into the typed record and back.
 */
public final class ParamsCodec {
  private ParamsCodec() {}

  /** The specs of every component of {@code type}, in declaration order. */
  public static List<ParamSpec> specs(Class<? extends TaskParams> type) {
    List<ParamSpec> out = new ArrayList<>();
    for (RecordComponent rc : type.getRecordComponents()) {
      Param p = param(type, rc);
      String dflt = p.dflt().isEmpty() ? null : p.dflt();
      List<String> choices = choices(rc, p);
      if (!choices.isEmpty()) {
        out.add(
            new ParamSpec(p.name(), ParamSpec.Type.CHOICE, p.required(), dflt, choices, p.doc()));
      } else {
        out.add(new ParamSpec(p.name(), kind(rc, p), p.required(), dflt, List.of(), p.doc()));
      }
    }
    return List.copyOf(out);
  }

  /**
   * The typed record of parameters already validated against {@link #specs} (defaults filled in).
   *
   * @throws DbJobsException BAD_PARAMETER when a value does not convert (it passed no validation)
   */
  public static <T extends TaskParams> T read(Class<T> type, Map<String, String> validated) {
    RecordComponent[] rcs = type.getRecordComponents();
    Object[] args = new Object[rcs.length];
    Class<?>[] types = new Class<?>[rcs.length];
    for (int i = 0; i < rcs.length; i++) {
      Param p = param(type, rcs[i]);
      types[i] = rcs[i].getType();
      String text = validated.get(p.name());
      try {
        args[i] = convert(rcs[i].getType(), text);
      } catch (RuntimeException e) {
        throw new DbJobsException(
            ErrorCode.BAD_PARAMETER,
            "parameter '" + p.name() + "' does not read as " + rcs[i].getType().getSimpleName(),
            e);
      }
    }
    try {
      Constructor<T> c = type.getDeclaredConstructor(types);
      return c.newInstance(args);
    } catch (InvocationTargetException e) {
      throw DbJobsException.from(e.getCause(), "the parameters of " + type.getSimpleName());
    } catch (ReflectiveOperationException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL, "cannot build " + type.getSimpleName() + ": " + e, e);
    }
  }

  /** The text values of a record, nulls left out: what goes into a job row. */
  public static Map<String, String> write(TaskParams params) {
    Map<String, String> out = new LinkedHashMap<>();
    for (RecordComponent rc : params.getClass().getRecordComponents()) {
      Param p = param(params.getClass(), rc);
      Object v;
      try {
        v = rc.getAccessor().invoke(params);
      } catch (ReflectiveOperationException e) {
        throw new DbJobsException(
            ErrorCode.INTERNAL, "cannot read " + rc.getName() + " of " + params + ": " + e, e);
      }
      if (v != null) {
        out.put(p.name(), text(v));
      }
    }
    return out;
  }

  private static Param param(Class<?> type, RecordComponent rc) {
    Param p = rc.getAnnotation(Param.class);
    if (p == null) {
      throw new IllegalStateException(
          type.getSimpleName() + "." + rc.getName() + " has no @Param declaration");
    }
    return p;
  }

  private static List<String> choices(RecordComponent rc, Param p) {
    if (p.choices().length > 0) {
      return List.of(p.choices());
    }
    if (rc.getType() == Compression.class) {
      return Arrays.stream(Compression.values()).map(Compression::wireName).toList();
    }
    return List.of();
  }

  private static ParamSpec.Type kind(RecordComponent rc, Param p) {
    if (p.as() != ParamSpec.Type.STRING) {
      return p.as();
    }
    Class<?> t = rc.getType();
    if (t == int.class || t == Integer.class) {
      return ParamSpec.Type.INT;
    }
    if (t == long.class || t == Long.class) {
      return ParamSpec.Type.LONG;
    }
    if (t == boolean.class || t == Boolean.class) {
      return ParamSpec.Type.BOOLEAN;
    }
    if (t == Duration.class) {
      return ParamSpec.Type.DURATION;
    }
    if (t == String.class) {
      return ParamSpec.Type.STRING;
    }
    throw new IllegalStateException(
        "parameter " + p.name() + " has type " + t.getSimpleName() + ", which has no ParamSpec");
  }

  private static Object convert(Class<?> t, String text) {
    if (text == null) {
      if (t == int.class || t == long.class || t == boolean.class) {
        throw new IllegalArgumentException("a value is required");
      }
      return null;
    }
    String v = text.strip();
    if (t == String.class) {
      return text;
    }
    if (t == int.class || t == Integer.class) {
      return Integer.parseInt(v);
    }
    if (t == long.class || t == Long.class) {
      return Long.parseLong(v);
    }
    if (t == boolean.class || t == Boolean.class) {
      return Boolean.parseBoolean(v);
    }
    if (t == Duration.class) {
      return Durations.parse(v);
    }
    if (t == Compression.class) {
      return Compression.parse(v);
    }
    throw new IllegalArgumentException("no conversion to " + t.getSimpleName());
  }

  private static String text(Object v) {
    if (v instanceof Compression c) {
      return c.wireName();
    }
    if (v instanceof Duration d) {
      return d.toMillis() + "ms";
    }
    return v.toString();
  }
}
