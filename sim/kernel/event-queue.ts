// The discrete-event kernel's queue: a binary heap of (time, priority, sequence) keys in typed arrays.
// Equal times are ordered by priority, then by insertion order, so runs are deterministic.
// It knows nothing about hardware: an event is a target id and an integer argument.

export class EventQueue {
  private time = new Float64Array(1024);
  private prio = new Int32Array(1024);
  private seq = new Float64Array(1024);
  private target = new Int32Array(1024);
  private arg = new Float64Array(1024);
  private n = 0;
  private nextSeq = 0;
  /** Events ever scheduled (for reports and tests). */
  scheduled = 0;

  get size(): number {
    return this.n;
  }

  push(time: number, priority: number, target: number, arg: number): void {
    if (this.n === this.time.length) this.grow();
    let i = this.n++;
    const s = this.nextSeq++;
    this.scheduled++;
    // sift up
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(time, priority, s, p)) break;
      this.move(p, i);
      i = p;
    }
    this.time[i] = time;
    this.prio[i] = priority;
    this.seq[i] = s;
    this.target[i] = target;
    this.arg[i] = arg;
  }

  /** Remove the earliest event into `out`; returns false when empty. */
  pop(out: { time: number; target: number; arg: number }): boolean {
    if (this.n === 0) return false;
    out.time = this.time[0];
    out.target = this.target[0];
    out.arg = this.arg[0];
    const last = --this.n;
    if (last === 0) return true;
    const t = this.time[last];
    const pr = this.prio[last];
    const s = this.seq[last];
    const tg = this.target[last];
    const a = this.arg[last];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.lessIdx(r, l) ? r : l;
      if (!this.lessKeyIdx(c, t, pr, s)) break;
      this.move(c, i);
      i = c;
    }
    this.time[i] = t;
    this.prio[i] = pr;
    this.seq[i] = s;
    this.target[i] = tg;
    this.arg[i] = a;
    return true;
  }

  private less(t: number, p: number, s: number, j: number): boolean {
    const tj = this.time[j];
    if (t !== tj) return t < tj;
    const pj = this.prio[j];
    if (p !== pj) return p < pj;
    return s < this.seq[j];
  }

  private lessIdx(a: number, b: number): boolean {
    return this.less(this.time[a], this.prio[a], this.seq[a], b);
  }

  /** Is the event at index j earlier than key (t, p, s)? */
  private lessKeyIdx(j: number, t: number, p: number, s: number): boolean {
    const tj = this.time[j];
    if (tj !== t) return tj < t;
    const pj = this.prio[j];
    if (pj !== p) return pj < p;
    return this.seq[j] < s;
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from];
    this.prio[to] = this.prio[from];
    this.seq[to] = this.seq[from];
    this.target[to] = this.target[from];
    this.arg[to] = this.arg[from];
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const g = <T extends Float64Array | Int32Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.time = g(this.time, Float64Array);
    this.prio = g(this.prio, Int32Array);
    this.seq = g(this.seq, Float64Array);
    this.target = g(this.target, Int32Array);
    this.arg = g(this.arg, Float64Array);
  }
}
