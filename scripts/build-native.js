#!/usr/bin/env node
// Builds the TUN addon (binding.gyp: core/native/tun.cc -> build/Release/tcplab_tun.node).
// `npm install` / `npm ci` run this as the package's install script; `npm run build:native` too.
// A failed build stops the install with an explanation (npm shows a failed script's output);
// TCPLAB_SKIP_NATIVE=1 installs without the addon (everything but the real TUN link works).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));

function say(lines) {
  process.stderr.write(lines.map((l) => `tcplab: ${l}\n`).join(''));
}

function onPath(tool) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(path.join(dir, tool)));
}

/** npm's own node-gyp (npm sets npm_config_node_gyp for scripts), a local one, or the one beside npm. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally
  }
  const prefix = path.dirname(path.dirname(process.execPath));
  candidates.push(path.join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'));
  return candidates.find((c) => c !== undefined && c !== '' && existsSync(c)) ?? null;
}

/** Node's headers: npm's nodedir setting, else the ones installed beside this node (offline-safe). */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.dirname(path.dirname(process.execPath));
  return existsSync(path.join(prefix, 'include/node/node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function fail(reason) {
  say([
    '',
    `building the TUN addon (core/native/tun.cc) failed: ${reason}`,
    '  It needs python3, make, a C++ compiler (Debian/Ubuntu: apt-get install python3 make g++)',
    "  and Node's headers (nodedir in .npmrc, or include/node beside the node binary).",
    '  Everything except the real TUN link works without it: to install anyway run',
    '    TCPLAB_SKIP_NATIVE=1 npm install',
    '  and build the addon later with  npm run build:native',
    '',
  ]);
  process.exit(1);
}

if (process.env.TCPLAB_SKIP_NATIVE === '1') {
  say(['TCPLAB_SKIP_NATIVE=1: not building the TUN addon (the real TUN link will be unavailable).']);
  process.exit(0);
}
if (process.platform !== 'linux') {
  say([`the TUN addon is Linux-only; skipped on ${process.platform} (the in-memory wire still works).`]);
  process.exit(0);
}
const missing = ['python3', 'make'].filter((t) => !onPath(t));
if (!onPath('g++') && !onPath('c++') && !process.env.CXX) missing.push('g++');
if (missing.length > 0) fail(`missing build tools: ${missing.join(', ')}`);
const gyp = findNodeGyp();
if (gyp === null) fail('node-gyp not found (it comes with npm; or npm install -g node-gyp)');
const run = spawnSync(process.execPath, [gyp, 'rebuild', ...nodedirArgs()], { cwd: root, stdio: 'inherit' });
if (run.error) fail(run.error.message);
if (run.status !== 0) fail(`node-gyp rebuild exited with ${run.status ?? run.signal}`);
if (!existsSync(path.join(root, 'build/Release/tcplab_tun.node'))) fail('build/Release/tcplab_tun.node was not produced');
