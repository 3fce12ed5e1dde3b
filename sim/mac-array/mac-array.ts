// MAC array: multiplies decoded weights against the activations of the layer's tokens and accumulates,
// then applies the layer's scale at the output (a power of two is an exponent add).
// Contract: a lane stage: counts weights x tokens MACs and answers the cycles a lane group needs at its
// throughput; counts one output scaling per output of a layer with a layer scale.

import { registerKind } from '../core/registry.js';

registerKind({ kind: 'mac_array', contract: 'weights x tokens multiply-accumulates at its throughput, then the layer scale at the output' });
