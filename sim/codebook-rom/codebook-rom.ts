// Fixed-codebook ROM: NF4, BOF4, Split87, SH4 hard-wired per lane at the LUT output precision.
// Contract: serves any number of lanes per cycle (one ROM per lane); counts lookups.

import type { LoadedConfig } from '../config/load.js';
import type { Counters } from '../kernel/counters.js';
import { actionPj, type EnergyAction } from '../energy/actions.js';

export class CodebookRom {
  static readonly NAME = 'codebook_rom';
  readonly hLookups: number;
  private readonly names: Set<string>;

  constructor(private readonly cfg: LoadedConfig, counters: Counters) {
    this.names = new Set(cfg.hw.codebook_rom.enabled ? cfg.hw.codebook_rom.codebooks.map((n) => n.toUpperCase()) : []);
    this.hLookups = counters.define(CodebookRom.NAME, 'lookups', '', 'weights decoded by a ROM codebook');
  }

  holds(codebook: string): boolean {
    return this.names.has(codebook.toUpperCase());
  }

  actions(): EnergyAction[] {
    const a = actionPj(this.cfg, this.cfg.hw.actions.rom_lookup);
    return [{ component: CodebookRom.NAME, action: 'lookup', counter: `${CodebookRom.NAME}.lookups`, pjEach: a.pj, source: a.source }];
  }
}
