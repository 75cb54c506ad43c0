/**
 * Copies of the nodes' error and slow query logs, streamed by their agents ({@code errorlog},
 * {@code slowquery} jobs) into {@code <catalog.dir>/<cluster>/<node>/logs/<error|slow>/}: one
 * {@code <UTC time>.log} (or {@code .log.zst}) per collection, with a {@code <UTC time>.json}
 * written last that describes it. Internal: no compatibility promise.
 */
package io.dbjobs.manager.logs;
