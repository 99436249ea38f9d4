#!/usr/bin/env node
// Runs `prisma generate`. Generation does not use the schema engine, but the CLI insists on finding
// one and tries to download it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file keeps
// air-gapped builds working. Where the variable is already set, it is respected.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
if (!fs.existsSync(cli)) {
  // Production installs (--omit=dev) ship the already generated client inside dist/.
  console.log('prisma-generate: prisma CLI not installed, skipping');
  process.exit(0);
}
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
};
const result = spawnSync(process.execPath, [cli, 'generate'], { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
