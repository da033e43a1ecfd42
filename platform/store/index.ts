/** platform/store public surface: the SQLite store, its migrations and the typed repositories. */
export { openStore, BUSY_TIMEOUT_MS, type OpenStoreOptions, type Store } from "./sqlite.js";
export { migrate, schemaVersion, MIGRATIONS, type Migration, type MigrationResult } from "./migrations.js";
export { AdmissionDecisions, type AdmissionDecision } from "./admissionDecisions.js";
export { PendingRightsizing, type PendingRightsizingEntry } from "./pendingRightsizing.js";
