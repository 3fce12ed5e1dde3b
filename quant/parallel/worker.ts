// Worker thread for block-parallel quantization: runs one share of a task from threads.ts in shared memory.

import { parentPort, workerData } from 'node:worker_threads';
import { runScaleSearch } from './tasks.js';
import type { Task } from './threads.js';

parentPort!.on('message', (m: { task: Task; done: Int32Array; slot: number }) => {
  try {
    runScaleSearch(m.task);
  } catch {
    Atomics.store(m.done, m.slot, 1); // the caller reruns this share itself and raises the error
  }
  Atomics.add(m.done, 0, 1);
  Atomics.notify(m.done, 0);
});

// tell the pool this worker is listening
const ready = (workerData as { ready: Int32Array }).ready;
Atomics.add(ready, 0, 1);
Atomics.notify(ready, 0);
