package io.dbjobs.agent.loop;

/** The version of this build, from the jar manifest ("dev" when run from classes). */
public final class AgentVersion {
  private AgentVersion() {}

  public static String get() {
    String v = AgentVersion.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
