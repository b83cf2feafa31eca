// Starts the edge for the custom-domain specs before the suite and stops it after
// (scripts/edge: Caddy, Pebble and its DNS, all on loopback).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { EDGE_RUN, edgeEnv } from './tests/edge';

const scripts = path.resolve(__dirname, '..', 'scripts', 'edge');

export default async function globalSetup() {
  execFileSync(path.join(scripts, 'stop'), [EDGE_RUN], { env: edgeEnv, stdio: 'ignore' });
  execFileSync(path.join(scripts, 'start'), [EDGE_RUN], { env: edgeEnv, stdio: 'inherit' });
  return async () => {
    execFileSync(path.join(scripts, 'stop'), [EDGE_RUN], { env: edgeEnv, stdio: 'inherit' });
  };
}
