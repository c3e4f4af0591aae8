// E2E: the built looperd serves the web dashboard (page, style, the bundled browser script), and
// `looper dashboard` says where it is, starting the daemon when none runs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLooperEnv, type LooperEnv, tempDir } from './support/looper-harness.js';

let env: LooperEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

describe('dashboard', () => {
  it('looper dashboard starts looperd and points at a page whose script is valid', async () => {
    env = await createLooperEnv();
    const shown = await env.json<{ url: string; opened: boolean }>(['dashboard']);
    expect(shown.code).toBe(0);
    expect(shown.data).toEqual({ url: `${env.url}/dashboard`, opened: false });

    const page = await fetch(shown.data.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/dashboard/app.js');
    const script = await fetch(`${env.url}/dashboard/app.js`);
    expect(script.status).toBe(200);
    const file = path.join(tempDir('looper-dash-'), 'app.mjs');
    fs.writeFileSync(file, await script.text());
    // Parses as a module; it only runs in a browser.
    execFileSync(process.execPath, ['--check', file]);
    // The API calls it makes exist and answer without a token on loopback.
    for (const route of [
      '/status',
      '/loops?limit=100',
      '/events?limit=1',
      '/queue',
      '/failures?limit=10',
    ]) {
      const res = await fetch(`${env.url}/api/v1${route}`);
      expect(res.status, route).toBe(200);
    }
  });
});
