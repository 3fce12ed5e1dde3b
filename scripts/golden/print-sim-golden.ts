// Print the simulator's golden record (see sim-golden.ts) as JSON.
import { simGolden } from './sim-golden.js';

process.stdout.write(JSON.stringify(simGolden(), null, 1) + '\n');
