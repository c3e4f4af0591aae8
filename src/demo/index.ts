// The demo: a sample repository with a real bug, fixed end to end by the bundled demo agent.
export interface DemoOptions {
  vendor?: string;
  json: boolean;
  keep: boolean;
}

/** Runs the demo and returns the process exit code. (Placeholder until the demo lands.) */
export async function runDemo(_options: DemoOptions): Promise<number> {
  return 1;
}
