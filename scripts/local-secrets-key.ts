// The SECRETS_KEY of a checkout's embedded database: made once, on first use, in the git-ignored
// .data/ folder (mode 0600) and read from there after, so `npm start` and `npm test` need no setup.
// Only scripts/with-db.ts uses it, and only when DATABASE_URL and SECRETS_KEY are both unset: a
// database of the caller's own always comes with the caller's own key.
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateKey, parseKeyring, SecretBoxError } from '../src/kernel/secret-box.ts';

export const LOCAL_SECRETS_KEY_FILE = '.data/secrets.key';

/** The key in `file`, made first when there is none. Two processes starting at once get the same key. */
export function localSecretsKey(file: string): { key: string; created: boolean } {
  let created = false;
  mkdirSync(dirname(file), { recursive: true });
  try {
    readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    // Written in full under another name, then linked into place: a reader never sees half a key,
    // and when two processes race, the first link wins and both use its key.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${generateKey()}\n`, { mode: 0o600 });
    try {
      linkSync(tmp, file);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  const key = readFileSync(file, 'utf8').trim();
  try {
    parseKeyring(key);
  } catch (e) {
    if (e instanceof SecretBoxError) throw new Error(`${file} does not hold a valid SECRETS_KEY (${e.message}); restore it, or set SECRETS_KEY`);
    throw e;
  }
  return { key, created };
}
