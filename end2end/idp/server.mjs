// Test OpenID Providers for the end-to-end and HTTP tests of per-workspace SSO.
//
// One process, two independent providers (two workspaces' IdPs):
//   IdP A "Acme IdP"   http://127.0.0.1:$IDP_PORT_A (4701)  accounts @acme-idp.test
//   IdP B "Globex IdP" http://127.0.0.1:$IDP_PORT_B (4702)  accounts @globex-idp.test
// Built on oidc-provider; everything is in memory and forgotten on exit.
// See README.md in this directory for the endpoints and the login page.
import crypto from 'node:crypto';
import http from 'node:http';
import Provider, { interactionPolicy } from 'oidc-provider';

const PASSWORD = 'idp-password';

// name is the page's <h1>; letter keeps `sub`s distinct between the providers.
const IDPS = [
  { letter: 'A', name: 'Acme IdP', domain: 'acme-idp.test', port: Number(process.env.IDP_PORT_A || 4701) },
  { letter: 'B', name: 'Globex IdP', domain: 'globex-idp.test', port: Number(process.env.IDP_PORT_B || 4702) },
];

function fixtureAccounts({ letter, domain }) {
  const people = [
    ['alice', `alice@${domain}`, 'Alice Anderson', true],
    ['bob', `bob@${domain}`, 'Bob Brown', true],
    ['carol', `carol@${domain}`, 'Carol Clark', false],
    ['mallory', 'mallory@gmail.com', 'Mallory Moriarty', true],
  ];
  const accounts = new Map(); // lower-cased email -> account
  for (const [user, email, name, verified] of people) {
    // Stable and readable, e.g. "idp-a-alice", so tests can assert on it.
    const sub = `idp-${letter.toLowerCase()}-${user}`;
    accounts.set(email, { sub, email, name, email_verified: verified, disabled: false });
  }
  return accounts;
}

// Storage for one provider. oidc-provider's bundled MemoryAdapter keeps one
// module-wide LRU (1000 entries) shared by every Provider in the process: two
// providers would see each other's clients, and a long test run could evict
// the clients the tests registered. This one is per provider and never evicts.
function memoryAdapter() {
  const db = new Map(); // "Model:id" -> { payload, expiresAt }
  const live = (key) => {
    const entry = db.get(key);
    if (entry && entry.expiresAt && entry.expiresAt <= Date.now()) db.delete(key);
    return db.get(key)?.payload;
  };
  const findBy = (model, field, value) => {
    for (const key of db.keys()) {
      const payload = key.startsWith(`${model}:`) && live(key);
      if (payload && payload[field] === value) return payload;
    }
    return undefined;
  };
  return class Adapter {
    constructor(model) { this.model = model; }
    key(id) { return `${this.model}:${id}`; }
    async upsert(id, payload, expiresIn) {
      db.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : 0 });
    }
    async find(id) { return live(this.key(id)); }
    async findByUid(uid) { return findBy(this.model, 'uid', uid); }
    async findByUserCode(userCode) { return findBy(this.model, 'userCode', userCode); }
    async consume(id) { const p = live(this.key(id)); if (p) p.consumed = Math.floor(Date.now() / 1000); }
    async destroy(id) { db.delete(this.key(id)); }
    async revokeByGrantId(grantId) {
      for (const [key, { payload }] of db) if (payload.grantId === grantId) db.delete(key);
    }
  };
}

function createIdp(idp) {
  const issuer = `http://127.0.0.1:${idp.port}`;
  const accounts = fixtureAccounts(idp);
  const bySub = (sub) => [...accounts.values()].find((a) => a.sub === sub);

  // Fresh signing key each start; served at /jwks, ID tokens are RS256.
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `idp-${idp.letter.toLowerCase()}-${Date.now()}`, use: 'sig', alg: 'RS256' };

  // An IdP session that belongs to a since-disabled account must not silently
  // sign in again: send it back to the login page, which refuses it.
  const policy = interactionPolicy.base();
  policy.get('login').checks.add(new interactionPolicy.Check(
    'account_disabled',
    'the account of the current session is disabled',
    (ctx) => Boolean(ctx.oidc.session.accountId && bySub(ctx.oidc.session.accountId)?.disabled),
  ));

  const Adapter = memoryAdapter();
  const clients = new Adapter('Client'); // where oidc-provider looks up non-static clients
  const clientIds = new Set();
  const provider = new Provider(issuer, {
    adapter: Adapter,
    clients: [], // registered at run time through POST /__test/clients
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic', // client_secret_post is accepted too
      id_token_signed_response_alg: 'RS256',
    },
    responseTypes: ['code'],
    pkce: { required: () => true }, // S256 is the only method oidc-provider offers
    scopes: ['openid'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // By default oidc-provider puts scope-requested claims only in /me (userinfo)
    // when an access token is issued; the relying party reads them from the ID token.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const account = bySub(sub);
      // Disabled accounts are not found: their pending codes fail at /token.
      if (!account || account.disabled) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: account.email, email_verified: account.email_verified, name: account.name };
        },
      };
    },
    // Explicit lifetimes (seconds); the defaults for these print notices.
    ttl: { Interaction: 3600, Session: 8 * 3600, Grant: 8 * 3600, AccessToken: 3600, IdToken: 3600 },
    jwks: { keys: [jwk] },
    cookies: {
      keys: [crypto.randomBytes(32).toString('hex')],
      // Cookies are not isolated by port: both IdPs share the host 127.0.0.1, so
      // with the default names a browser signed in at B would overwrite A's session.
      names: Object.fromEntries(['session', 'interaction', 'resume']
        .map((n) => [n, `_idp_${idp.letter.toLowerCase()}_${n}`])),
    },
    features: {
      devInteractions: { enabled: false }, // our own login page below
      // Clients may register a backchannel_logout_uri (see logOutEverywhere below).
      backchannelLogout: { enabled: true },
    },
    interactions: { policy, url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Errors shown to the user (e.g. unknown redirect_uri) in the same page, as an alert.
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page(idp, `<p role="alert">${escapeHtml(out.error)}: ${escapeHtml(out.error_description)}</p>`);
    },
  });
  // We are not behind a proxy; oidc-provider marks cookies `secure` only on https,
  // so plain http on loopback works without further settings.

  // Auto-consent: the grant covers whatever openid scopes were requested.
  async function grantFor(details, accountId) {
    let grant = details.grantId && await provider.Grant.find(details.grantId);
    // The session's existing grant is reused only if it is the same person's
    // (prompt=login lets someone else sign in over an existing session).
    if (grant?.accountId !== accountId) {
      grant = new provider.Grant({ accountId, clientId: details.params.client_id });
    }
    grant.addOIDCScope(String(details.params.scope || 'openid'));
    return grant.save();
  }

  async function interaction(req, res, path) {
    const details = await provider.interactionDetails(req, res);
    const { uid, prompt, params } = details;

    if (req.method === 'GET' && path === `/interaction/${uid}`) {
      if (prompt.name === 'consent') {
        // Signed in at the IdP already (session cookie), new client or scopes: no consent page.
        const grantId = await grantFor(details, details.session.accountId);
        return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
      return sendHtml(res, 200, loginPage(idp, uid, params, { email: params.login_hint || '' }));
    }

    if (req.method === 'POST' && path === `/interaction/${uid}/login` && prompt.name === 'login') {
      const form = new URLSearchParams(await readBody(req));
      const email = (form.get('email') || '').trim();
      const account = accounts.get(email.toLowerCase());
      let error;
      if (!account || form.get('password') !== PASSWORD) error = 'Invalid email or password.';
      else if (account.disabled) error = 'This account is disabled.';
      if (error) return sendHtml(res, 200, loginPage(idp, uid, params, { email, error }));

      if (details.session?.accountId && details.session.accountId !== account.sub) {
        // Someone else signs in over an existing IdP session (prompt=login).
        // oidc-provider would first detour through its own logout step (an
        // auto-submitting form, a bare "Continue" button without JavaScript):
        // end the old session here instead, and detach it from the interaction.
        await (await provider.Session.findByUid(details.session.uid))?.destroy();
        details.session = undefined;
        await details.save(details.exp - Math.floor(Date.now() / 1000));
      }
      // Log in and consent in one go, so the browser goes straight back to the client.
      const grantId = await grantFor(details, account.sub);
      return provider.interactionFinished(req, res, {
        login: { accountId: account.sub },
        consent: { grantId },
      }, { mergeWithLastSubmission: false });
    }

    return sendHtml(res, 404, page(idp, '<p role="alert">Unknown interaction step.</p>'));
  }

  async function admin(req, res, path) {
    if (req.method === 'GET' && path === '/__test/health') {
      return sendJson(res, 200, { ok: true, issuer });
    }
    if (req.method === 'GET' && path === '/__test/accounts') {
      return sendJson(res, 200, [...accounts.values()]);
    }
    if (req.method === 'POST' && path === '/__test/clients') {
      let body;
      try { body = JSON.parse(await readBody(req)); } catch { return sendJson(res, 400, { error: 'body must be JSON' }); }
      // Extra client metadata (e.g. post_logout_redirect_uris) passes through as is.
      const metadata = { ...body };
      try {
        await provider.Client.validate(metadata);
      } catch (err) {
        return sendJson(res, 400, { error: err.error || 'invalid_client_metadata', error_description: err.error_description || err.message });
      }
      await clients.upsert(metadata.client_id, metadata); // adds or replaces
      clientIds.add(metadata.client_id);
      return sendJson(res, 201, { issuer, client_id: metadata.client_id });
    }
    const m = path.match(/^\/__test\/accounts\/([^/]+)\/(disable|enable)$/);
    if (req.method === 'POST' && m) {
      const account = accounts.get(decodeURIComponent(m[1]).toLowerCase());
      if (!account) return sendJson(res, 404, { error: 'no such account' });
      account.disabled = m[2] === 'disable';
      // A disabled account is logged out of every client that takes back-channel logout.
      const backchannel = account.disabled ? await logOutEverywhere(account.sub) : [];
      return sendJson(res, 200, { ...account, backchannel });
    }
    return sendJson(res, 404, { error: 'not found' });
  }

  // OpenID Connect Back-Channel Logout: a signed logout token (typ logout+jwt, the
  // logout event, a fresh jti, no nonce) posted to each client's backchannel_logout_uri.
  // oidc-provider's own sender refuses loopback addresses, and the clients' hosts are
  // workspace names no resolver knows: this one connects to 127.0.0.1 and sends the
  // URI's host in the Host header. Answers each client's HTTP status.
  async function logOutEverywhere(sub) {
    const results = [];
    for (const clientId of clientIds) {
      const client = await provider.Client.find(clientId);
      if (!client?.backchannelLogoutUri) continue;
      const token = new provider.IdToken({ sub }, { client, ctx: undefined });
      token.mask = { sub: null };
      token.set('events', { 'http://schemas.openid.net/event/backchannel-logout': {} });
      token.set('jti', crypto.randomUUID());
      const logoutToken = await token.issue({ use: 'logout' });
      const status = await postForm(client.backchannelLogoutUri, { logout_token: logoutToken });
      results.push({ client_id: clientId, status });
    }
    return results;
  }

  const oidc = provider.callback();
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url, issuer).pathname;
    try {
      if (path.startsWith('/__test/')) return await admin(req, res, path);
      if (path.startsWith('/interaction/')) return await interaction(req, res, path);
      return oidc(req, res);
    } catch (err) {
      // e.g. SessionNotFound when the interaction cookie is missing or expired.
      const message = err.error_description || err.message;
      if (!res.headersSent) sendHtml(res, err.statusCode || 500, page(idp, `<p role="alert">${escapeHtml(message)}</p>`));
      else res.end();
    }
  });
  return { ...idp, issuer, server };
}

function loginPage(idp, uid, params, { email, error }) {
  return page(idp, `
    <p>Sign in to continue to <code>${escapeHtml(params.client_id)}</code>.</p>
    ${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
    <form method="post" action="/interaction/${escapeHtml(uid)}/login">
      <p><label for="email">Email</label><br>
        <input id="email" name="email" type="email" autocomplete="username" value="${escapeHtml(email)}" required${error || !email ? ' autofocus' : ''}></p>
      <p><label for="password">Password</label><br>
        <input id="password" name="password" type="password" autocomplete="current-password" required${email && !error ? ' autofocus' : ''}></p>
      <p><button type="submit">Sign in</button></p>
    </form>`);
}

function page(idp, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${idp.name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${idp.name}</h1>${body}</main></body></html>`;
}

function sendHtml(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function sendJson(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

// POSTs a form to `uri` over loopback, whatever its host: the HTTP status, or 0.
function postForm(uri, fields) {
  const url = new URL(uri);
  const body = new URLSearchParams(fields).toString();
  return new Promise((resolve) => {
    const req = http.request({
      host: '127.0.0.1',
      port: url.port || 80,
      path: url.pathname + url.search,
      method: 'POST',
      headers: {
        host: url.host,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
      },
      timeout: 5000,
    }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

async function readBody(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const idps = IDPS.map(createIdp);
await Promise.all(idps.map(({ server, port }) => new Promise((resolve, reject) => {
  server.once('error', reject);
  // Loopback only: this is what keeps the unauthenticated /__test endpoints private.
  server.listen(port, '127.0.0.1', resolve);
})));
for (const { letter, issuer } of idps) console.log(`IdP ${letter}: ${issuer}`);

function stop(signal) {
  for (const { server } of idps) {
    server.close();
    server.closeAllConnections(); // keep-alive sockets would otherwise hold the process open
  }
  console.log(`IdPs stopped (${signal})`);
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
