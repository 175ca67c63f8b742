// Shared by the SDK check files: PASS/FAIL lines, assertions, and the SDK packages from the script's cache dir
// (they are installed under .sdk-check/, not next to these files, so plain `import 'openai'` would not find them).
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

export { assert };

const cache = process.env.SDK_CHECK_CACHE;
if (!cache) throw new Error('SDK_CHECK_CACHE is not set: run these through scripts/sdk-check');
export const requireSdk = createRequire(`${cache}/package.json`);

export const gateway = process.env.GATEWAY_URL; // http://127.0.0.1:PORT, no /v1
export const key = process.env.GATEWAY_KEY;

let failures = 0;

/** Runs one check, bounded in time, and prints PASS or FAIL with the reason. */
export async function check(name, fn, timeoutMs = 20000) {
  let timer;
  try {
    await Promise.race([fn(), new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    })]);
    console.log(`PASS ${name}`);
  } catch (e) {
    failures++;
    const detail = e?.status ? ` (status ${e.status}) ` : ' ';
    console.log(`FAIL ${name}:${detail}${String(e?.message ?? e).split('\n').slice(0, 8).join('\n    ')}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `fn`, which must throw; returns what it threw. */
export async function rejects(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the SDK to throw, it did not');
}

/** Sets the exit status: 0 when every check passed, else 1. */
export function done() {
  process.exitCode = failures === 0 ? 0 : 1;
}
