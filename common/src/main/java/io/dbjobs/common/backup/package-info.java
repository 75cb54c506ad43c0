/**
 * What agent and manager share about backups: trailer metadata keys, positions, the backup tools
 * and the parsers that read a backup's position from its own bytes. Internal: no compatibility
 * promise beyond {@link io.dbjobs.common.backup.StreamMeta}'s keys, which are part of the stream
 * protocol.
 */
package io.dbjobs.common.backup;
