/**
 * The rows this process holds a lease on (`locked_until` = the lease it wrote when claiming them) and has
 * not finished with. On graceful shutdown the worker releases exactly these: same id AND same lease value, so
 * a row re-claimed by another replica after our lease expired (a different lease) is never touched.
 */
export class HeldClaims {
  private readonly leases = new Map<string, Date>();

  add(ids: readonly string[], lease: Date): void {
    ids.forEach((id) => this.leases.set(id, lease));
  }

  /** The row's lease was cleared by recording its outcome (or lost to someone else): nothing to release. */
  done(id: string): void {
    this.leases.delete(id);
  }

  /** Forgets leases that have expired by `now`: anyone may have re-claimed those rows. */
  prune(now: Date): void {
    for (const [id, lease] of this.leases) {
      if (lease <= now) {
        this.leases.delete(id);
      }
    }
  }

  get size(): number {
    return this.leases.size;
  }

  /** The held rows grouped by lease (one lease per claiming tick), then forgotten. */
  drain(): { lease: Date; ids: string[] }[] {
    const groups = new Map<number, { lease: Date; ids: string[] }>();
    for (const [id, lease] of this.leases) {
      const group = groups.get(lease.getTime()) ?? { lease, ids: [] };
      group.ids.push(id);
      groups.set(lease.getTime(), group);
    }
    this.leases.clear();
    return [...groups.values()];
  }
}
