/**
 * dbjobs' shared code. The public, compatibility-promised parts are {@link io.dbjobs.common.job}
 * (the job model as it appears in the jobs table) and {@code io.dbjobs.common.stream} (the wire
 * protocol). Every other package here is internal to dbjobs and carries no compatibility promise.
 */
package io.dbjobs.common;
