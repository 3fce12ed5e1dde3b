// Where the real-weight test data lives: ../shared/data beside the repository (or $SOPSIM_DATA).
// It is not part of the repository: stories260K comes from Hugging Face karpathy/tinyllamas.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DATA_DIR = process.env.SOPSIM_DATA ?? join(repo, '..', 'shared', 'data');
export const STORIES = join(DATA_DIR, 'stories260K.safetensors');
export const HAVE_STORIES = existsSync(STORIES);
export const REPO = repo;

if (!HAVE_STORIES) {
  console.warn(`[skip] real-weight tests: ${STORIES} not found (stories260K: Hugging Face karpathy/tinyllamas; set SOPSIM_DATA)`);
}
