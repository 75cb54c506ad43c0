/**
 * What operators decide about nodes and clusters at run time, kept by the manager (never in the
 * nodes' jobs tables, which are no trust boundary): shunned nodes and run-time policies. With the
 * RAM scheduler store in a file next to the catalog ({@link FileOperatorState}); with the clustered
 * JDBC store in a table of that database, so every manager sees the same ({@link
 * JdbcOperatorState}). Internal to dbjobs; no compatibility promise.
 */
package io.dbjobs.manager.state;
