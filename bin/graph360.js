#!/usr/bin/env node
// The `graph360` command: scripts/graph360.ts, run from its TypeScript source through tsx
// (the services run that way too; there is no build output).
import { register } from 'tsx/esm/api';

register();
await import('../scripts/graph360.ts');
