/**
 * What the ERP sandbox's tests share: a sandbox on a free port over a temporary data
 * file, and a small XML-RPC client built on the sandbox's own codec (the Python tests
 * use the real reference client; these are for checks that need many calls).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readErpSandboxConfig, type ErpSandboxConfig } from './config.js';
import { createErpSandbox, type ErpSandbox, type ErpSandboxOptions } from './createErpSandbox.js';
import { parseMethodResponse } from '../../../lib/xmlrpc/parse.js';
import { serializeMethodCall } from '../../../lib/xmlrpc/serialize.js';
import type { MethodResponse, XmlRpcValue } from '../../../lib/xmlrpc/values.js';

export const TEST_SCALE = '0.05';

export function tempDir(prefix = 'erp-sandbox-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testConfig(dataDir: string, env: Record<string, string> = {}): ErpSandboxConfig {
  return readErpSandboxConfig({ SANDBOX_DATA_DIR: dataDir, SANDBOX_SCALE: TEST_SCALE, ERP_SANDBOX_PORT: '0', ...env });
}

export interface RunningSandbox {
  sandbox: ErpSandbox;
  url: string;
  stop: () => Promise<void>;
}

export async function startSandbox(env: Record<string, string> = {}, options: ErpSandboxOptions = {}): Promise<RunningSandbox> {
  const temp = tempDir();
  const sandbox = await createErpSandbox(testConfig(temp.dir, env), options);
  const url = await sandbox.listen();
  return {
    sandbox,
    url,
    stop: async () => {
      await sandbox.close();
      temp.remove();
    },
  };
}

export async function rpc(url: string, path: string, method: string, params: XmlRpcValue[]): Promise<MethodResponse> {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: serializeMethodCall(method, params) });
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  return parseMethodResponse(await response.text());
}

/** execute_kw as the admin of the default test sandbox; a fault becomes a thrown Error. */
export async function executeKw(
  url: string,
  model: string,
  method: string,
  args: XmlRpcValue[],
  kwargs: Record<string, XmlRpcValue> = {},
): Promise<XmlRpcValue> {
  const response = await rpc(url, '/xmlrpc/2/object', 'execute_kw', ['sandbox', 2, 'admin', model, method, args, kwargs]);
  if (response.kind === 'fault') throw new Error(`fault ${String(response.faultCode)}: ${response.faultString}`);
  return response.value;
}
