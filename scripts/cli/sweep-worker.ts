// Worker-thread entry for `sopsim sweep` (a piscina task): one sweep point per call.

import { runPoint, type PointTask } from './sweep-point.js';

export default function (task: PointTask): Record<string, string | number> {
  return runPoint(task);
}
