/**
 * {@code dbjobs reprovision}: the rebuild of a whole cluster from a node of another cluster. Only
 * the plan ({@code --plan}) is built. Internal: no compatibility promise.
 */
package io.dbjobs.manager.reprovision;
