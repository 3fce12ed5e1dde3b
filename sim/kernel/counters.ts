// Typed counters: each component registers what it counts (name, unit, meaning) once, then adds to a
// handle in a Float64Array. A report lists every registered counter, so nothing is counted off the books.

export interface CounterInfo {
  component: string;
  name: string;
  unit: string;
  description: string;
}

export class Counters {
  readonly info: CounterInfo[] = [];
  values = new Float64Array(64);
  private readonly index = new Map<string, number>();

  /** Register a counter (idempotent per component/name) and return its handle. */
  define(component: string, name: string, unit: string, description: string): number {
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

  add(h: number, v: number): void {
    this.values[h] += v;
  }

  get(component: string, name: string): number {
    const h = this.index.get(`${component}.${name}`);
    return h === undefined ? 0 : this.values[h];
  }

  has(component: string, name: string): boolean {
    return this.index.has(`${component}.${name}`);
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
