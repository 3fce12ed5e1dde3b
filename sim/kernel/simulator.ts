// The simulation environment: a clock (in cycles of one clock domain) and the event queue.
// Components register a handler and schedule events for themselves or others; the kernel only
// delivers them in time order and never knows what the components model.

import { EventQueue } from './event-queue.js';

/** Something that receives events. */
export interface EventTarget {
  onEvent(arg: number, now: number): void;
}

export class Simulator {
  now = 0;
  private readonly queue = new EventQueue();
  private readonly targets: EventTarget[] = [];
  private readonly scratch = { time: 0, target: 0, arg: 0 };

  /** Register a target; the returned id addresses it in schedule(). */
  register(t: EventTarget): number {
    this.targets.push(t);
    return this.targets.length - 1;
  }

  /** Deliver `arg` to target `id` at absolute cycle `time` (never in the past). */
  schedule(time: number, id: number, arg = 0, priority = 0): void {
    if (time < this.now) throw new Error(`event scheduled in the past: ${time} < ${this.now}`);
    this.queue.push(time, priority, id, arg);
  }

  /** Run until the queue is empty; returns the time of the last event. */
  run(): number {
    const ev = this.scratch;
    while (this.queue.pop(ev)) {
      this.now = ev.time;
      this.targets[ev.target].onEvent(ev.arg, ev.time);
    }
    return this.now;
  }

  get scheduled(): number {
    return this.queue.scheduled;
  }
}
