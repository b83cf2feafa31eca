// The test identity providers (idp/server.mjs, npm's oidc-provider) that global-setup.ts
// starts: two issuers on loopback with fixture accounts (idp/README.md).
import http from 'node:http';

export const IDP_A = 'http://127.0.0.1:4701';
export const IDP_B = 'http://127.0.0.1:4702';
export const IDP_PASSWORD = 'idp-password';
export const IDP_DOMAIN = 'acme-idp.test';

function call(method: string, url: string, body?: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** Waits until both providers answer. */
export async function waitForIdp() {
  for (let i = 0; i < 100; i++) {
    const up = await Promise.all([IDP_A, IDP_B].map((idp) => call('GET', `${idp}/__test/health`).catch(() => 0)));
    if (up.every((status) => status === 200)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the test identity providers did not start');
}

/** Registers a workspace as a client of `issuer`, redirecting to `redirectUri`. */
export async function registerClient(issuer: string, clientId: string, secret: string, redirectUri: string) {
  const status = await call('POST', `${issuer}/__test/clients`, {
    client_id: clientId, client_secret: secret, redirect_uris: [redirectUri],
  });
  if (status !== 201) throw new Error(`registering ${clientId} at ${issuer}: ${status}`);
}
