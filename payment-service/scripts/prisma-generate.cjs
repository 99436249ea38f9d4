#!/usr/bin/env node
// Runs `prisma generate`. The Prisma CLI insists on locating a schema-engine binary before any command,
// although generation never uses it; in air-gapped builds the download fails. Pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file (default: this Node binary) makes generation work
// offline, and is harmless online.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;

const prismaCli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [prismaCli, 'generate'], {
  cwd: path.join(__dirname, '..'),
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
