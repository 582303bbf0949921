// Shared reporting for the e2e node clients: one "ok"/"FAIL" line per
// check, a non-zero exit when any failed, and a hang guard.
let failures = 0;

export function ok(name) {
  console.log(`ok   ${name}`);
}

export function fail(name, detail) {
  failures++;
  console.log(`FAIL ${name}${detail === undefined ? "" : ": " + detail}`);
}

export function check(name, want, got) {
  const w = JSON.stringify(want);
  const g = JSON.stringify(got);
  if (w === g) ok(name);
  else fail(name, `expected ${w}, got ${g}`);
}

// withTimeout rejects when promise does not settle in ms: a hang guard,
// never a performance assertion.
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// main runs fn, turns a thrown error into a failure and sets the exit code.
export async function main(fn) {
  try {
    await fn();
  } catch (err) {
    fail("unexpected error", err && err.stack ? err.stack : String(err));
  }
  process.exitCode = failures > 0 ? 1 : 0;
}
