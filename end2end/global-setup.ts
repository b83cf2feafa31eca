// Starts what the suite talks to besides the server, and stops it after: the edge for the
// custom-domain specs (scripts/edge: Caddy, Pebble and its DNS, all on loopback) and the
// test identity providers for the single sign-on specs (idp/server.mjs).
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { EDGE_RUN, edgeEnv } from './tests/edge';
import { IDP_A, IDP_B, waitForIdp } from './tests/idp';

const scripts = path.resolve(__dirname, '..', 'scripts', 'edge');

export default async function globalSetup() {
  execFileSync(path.join(scripts, 'stop'), [EDGE_RUN], { env: edgeEnv, stdio: 'ignore' });
  execFileSync(path.join(scripts, 'start'), [EDGE_RUN], { env: edgeEnv, stdio: 'inherit' });
  const idp = spawn('node', [path.join(__dirname, 'idp', 'server.mjs')], {
    env: { ...process.env, IDP_PORT_A: new URL(IDP_A).port, IDP_PORT_B: new URL(IDP_B).port },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForIdp();
  return async () => {
    idp.kill('SIGTERM');
    execFileSync(path.join(scripts, 'stop'), [EDGE_RUN], { env: edgeEnv, stdio: 'inherit' });
  };
}
