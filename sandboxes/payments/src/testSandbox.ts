/**
 * For this folder's tests: a payments sandbox on 127.0.0.1 port 0 over a small seed world
 * in a temporary directory, and the official stripe client pointed at it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { readPaymentsSandboxConfig } from './config.js';
import { createPaymentsSandbox, type PaymentsSandbox, type PaymentsSandboxOptions } from './createPaymentsSandbox.js';

/** The scale the tests seed with: 50 companies, 400 invoices, about 300 payments. */
export const TEST_SCALE = '0.05';

export interface TestSandbox {
  sandbox: PaymentsSandbox;
  url: string;
  stripe: Stripe;
  dataDir: string;
  /** A client with other settings (e.g. retries), same sandbox. */
  client(options?: Partial<Stripe.StripeConfig>, key?: string): Stripe;
  close(): Promise<void>;
}

export function stripeClient(url: string, options: Partial<Stripe.StripeConfig> = {}, key = 'sk_test_sandbox'): Stripe {
  const { hostname, port } = new URL(url);
  return new Stripe(key, { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0, telemetry: false, ...options });
}

/** Starts a sandbox; `env` adds or overrides environment variables (dataDir reuses a directory; options: e.g. a clock). */
export async function startSandbox(env: Record<string, string> = {}, dataDir?: string, options: PaymentsSandboxOptions = {}): Promise<TestSandbox> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'payments-sandbox-'));
  const config = readPaymentsSandboxConfig({ SANDBOX_DATA_DIR: dir, SANDBOX_SCALE: TEST_SCALE, PAYMENTS_SANDBOX_PORT: '0', ...env });
  const sandbox = await createPaymentsSandbox(config, options);
  const url = await sandbox.listen();
  return {
    sandbox,
    url,
    stripe: stripeClient(url),
    dataDir: dir,
    client: (options, key) => stripeClient(url, options, key),
    close: async () => {
      await sandbox.close();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
