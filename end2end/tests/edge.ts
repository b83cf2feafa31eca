// The edge for custom domains, as scripts/edge/start runs it for the suite (global-setup.ts):
// pebble-challtestsrv's DNS (the server's DNS_RESOLVER), Pebble's ACME CA, and Caddy with
// on-demand TLS in front of the server. Helpers to publish DNS records and reach the edge.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { PORT } from './support';

export const EDGE_RUN = path.resolve(__dirname, '..', '..', '.data', 'e2e-edge');
export const EDGE_DNS_PORT = 8053;
export const EDGE_DNS_API_PORT = 8055;
export const EDGE_HTTPS_PORT = 5001;

/** The environment scripts/edge/start gets: Caddy proxies to this suite's server. */
export const edgeEnv: Record<string, string> = {
  ...(process.env as Record<string, string>),
  EDGE_DNS_PORT: String(EDGE_DNS_PORT),
  EDGE_DNS_API_PORT: String(EDGE_DNS_API_PORT),
  EDGE_HTTPS_PORT: String(EDGE_HTTPS_PORT),
  EDGE_ASK_URL: `http://127.0.0.1:${PORT}/internal/tls-ask`,
  EDGE_UPSTREAM: `127.0.0.1:${PORT}`,
};

function dnsApi(call: string, body: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: EDGE_DNS_API_PORT, method: 'POST', path: `/${call}` }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${call}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Replaces the TXT values at `name` in the edge's DNS (no values: removes them). */
export async function setTxt(name: string, ...values: string[]) {
  const host = name.endsWith('.') ? name : `${name}.`; // challtestsrv matches the final dot only
  await dnsApi('clear-txt', { host });
  for (const value of values) await dnsApi('set-txt', { host, value });
}

/** Adds one TXT value at `name`, keeping the others (names shared between tests). */
export async function addTxt(name: string, value: string) {
  await dnsApi('set-txt', { host: name.endsWith('.') ? name : `${name}.`, value });
}

/** Pebble's issuing root of this run: what clients of the edge trust. */
export const pebbleRoot = () => fs.readFileSync(path.join(EDGE_RUN, 'pebble-root.pem'));

/** The SPKI hash Chromium is told to accept (Pebble's intermediate, new at each run). */
export const chromiumSpki = () => fs.readFileSync(path.join(EDGE_RUN, 'chromium-spki.txt'), 'utf8').trim();

/** A custom domain no other test uses, under a name of its own (`crm.<slug>.test`). */
export const customDomain = (slug: string) => `crm.${slug}.test`;
