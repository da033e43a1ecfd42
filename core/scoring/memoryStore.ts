import type { ModelSnapshot, ModelStore } from "./snapshot.js";

/**
 * ModelStore kept in this object. Copies on save and load so callers cannot alter what is stored.
 * Does not simulate: durability across restarts, sharing between processes, write failures. Two
 * models handed the same instance share it, which is the behaviour the seed's `":memory:"` path
 * was meant to have (its reconnects opened a fresh empty database, losing every checkpoint).
 */
export class MemoryModelStore implements ModelStore {
  private saved: ModelSnapshot | undefined;

  async load(): Promise<ModelSnapshot | undefined> {
    return this.saved === undefined ? undefined : structuredClone(this.saved);
  }

  async save(snapshot: ModelSnapshot): Promise<void> {
    this.saved = structuredClone(snapshot);
  }
}
