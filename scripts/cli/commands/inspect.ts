// sopsim inspect x.sopw: header, sections with checksum status, bits per weight.

import type { Argv } from 'yargs';
import { readSopw } from '../../../quant/packed/sopw.js';
import { fmt, run, table, toJson } from '../common.js';
import { printable } from '../../../quant/io/tensor.js';

export function register(y: Argv): Argv {
  return y.command(
    'inspect <file>',
    'Validate a packed .sopw file and print its header, sections, checksums and bits per weight',
    (a) =>
      a
        .positional('file', { type: 'string', demandOption: true, describe: 'a .sopw file' })
        .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
    (argv) =>
      run(() => {
        const f = readSopw(argv.file);
        const h = f.header;
        if (argv.json) {
          process.stdout.write(toJson({ file: argv.file, bytes: f.fileBytes, header: h, checksums: f.checks, valid: f.checks.every((c) => c.ok) }) + '\n');
          return;
        }
        const lines = [
          `file        ${argv.file} (${f.fileBytes} bytes, format version ${h.version})`,
          `layer       ${h.name}  [${h.shape.join(' x ')}]`,
          `scheme      ${h.scheme}  block ${h.block}  element ${h.element_bits} bits  LUT ${h.lut}`,
          `books       ${h.books.map((b) => `${b.name} (${b.kind})`).join(', ')}`,
          `scale       ${h.scale.format ?? 'none'}${h.scale.signed ? ' signed' : ''}${h.scale.sel_in_scale ? ', selection bit in scale' : ''}; block field ${h.scale.field_bits} bits; tensor scale ${h.tensor_scale}`,
          `bpw         ${fmt(h.bpw, 6)} (element + block field ${fmt(h.bpw_block, 6)})`,
        ];
        if (h.info && Object.keys(h.info).length) lines.push(`info        ${JSON.stringify(h.info)}`);
        process.stdout.write(lines.map(printable).join('\n') + '\n\n');
        const rows = [['section', 'offset', 'bytes', 'crc32', 'status']];
        for (const c of f.checks) {
          const e = h.sections.find((s) => s.name === c.name)!;
          rows.push([c.name, String(e.offset), String(c.length), `0x${(c.crc32 >>> 0).toString(16).padStart(8, '0')}`, c.ok ? 'ok' : 'BAD']);
        }
        process.stdout.write(table(rows) + '\n');
      }),
  );
}
