// Activation buffer: holds the layer's input activations and receives its outputs.
// Contract: a lane stage: every MAC reads its activation from here (a word serves as many MACs as it holds
// activations); every output of a layer is written back once, in the activation format. Its read
// bandwidth may limit a lane group.

import { registerKind } from '../core/registry.js';

registerKind({ kind: 'activation_buffer', contract: 'activations read for every MAC, outputs written back once; reads per cycle limited by its banks' });
