/**
 * Authenticated jobs: the per-node job keys ({@link io.dbjobs.common.auth.KeyRing}), the seal the
 * manager puts on every job row ({@link io.dbjobs.common.auth.JobSealer}) and the agent checks
 * before it reads a single parameter ({@link io.dbjobs.common.auth.JobVerifier}), and the wrapping
 * of a job's stream secret so that reading the jobs table gives nothing usable ({@link
 * io.dbjobs.common.auth.SecretBox}). Public API: the seal and box formats are part of the jobs
 * table's schema (docs/security.md).
 */
package io.dbjobs.common.auth;
