// Typed counters: each block registers what it counts (name, unit, meaning) once and keeps the handle;
// it adds to the handle and its energy actions name the handle, so a counter cannot be misspelt into a
// silent zero. A report lists every registered counter, so nothing is counted off the books.

export interface CounterInfo {
  component: string;
  name: string;
  unit: string;
  description: string;
}

/** A registered counter: an index into Counters.values. */
export type Counter = number;

export class Counters {
  readonly info: CounterInfo[] = [];
  values = new Float64Array(64);
  private readonly index = new Map<string, Counter>();

  /** Register a counter (idempotent per component/name) and return its handle. */
  define(component: string, name: string, unit: string, description: string): Counter {
    const key = `${component}.${name}`;
    const hit = this.index.get(key);
    if (hit !== undefined) return hit;
    const h = this.info.length;
    this.info.push({ component, name, unit, description });
    this.index.set(key, h);
    if (h >= this.values.length) {
      const v = new Float64Array(this.values.length * 2);
      v.set(this.values);
      this.values = v;
    }
    return h;
  }

  add(h: Counter, v: number): void {
    this.values[h] += v;
  }

  /** `component.name` of a handle. */
  key(h: Counter): string {
    const c = this.info[h];
    if (!c) throw new Error(`no counter with handle ${h}`);
    return `${c.component}.${c.name}`;
  }

  /** Value of a registered counter; an unregistered name is a bug and throws. */
  get(component: string, name: string): number {
    const h = this.index.get(`${component}.${name}`);
    if (h === undefined) throw new Error(`no counter '${component}.${name}' is registered`);
    return this.values[h];
  }

  has(component: string, name: string): boolean {
    return this.index.has(`${component}.${name}`);
  }

  /** A copy with the same counters, holding this minus `before` (values of an earlier snapshot). */
  since(before: Float64Array): Counters {
    const d = new Counters();
    this.info.forEach((c, h) => d.add(d.define(c.component, c.name, c.unit, c.description), this.values[h] - (before[h] ?? 0)));
    return d;
  }

  /** Every counter as {component: {name: value}}. */
  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    this.info.forEach((c, h) => {
      (out[c.component] ??= {})[c.name] = this.values[h];
    });
    return out;
  }
}
