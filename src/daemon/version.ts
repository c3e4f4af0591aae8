// The package version, fixed at bundle time by scripts/build.mjs (`__LOOPER_VERSION__`).
declare const __LOOPER_VERSION__: string | undefined;

export const looperVersion: string =
  typeof __LOOPER_VERSION__ === 'string' ? __LOOPER_VERSION__ : '0.0.0-dev';
