// A real OpenID Connect provider (the npm package oidc-provider) on loopback, for the single
// sign-on tests (tests/web/test_sso.py). Started as `node provider.mjs CONFIG.json`; prints
// "ready" once it listens.
//
// CONFIG: {"port": 4001, "clients": [client metadata...], "accounts": {"id": {"name": ...,
//          "groups": [...]}}}
//
// The login form is oidc-provider's own devInteractions form (any password); consent is
// granted without a second page, as an enterprise provider does for an admin-approved app.
//
// Two test hooks. POST /test/groups {"account": ..., "groups": [...]} changes an account's
// groups (as an administrator does in Entra ID). POST /test/tamper with a body of "audience", "signature", "expired",
// "nonce" or "issuer": the next token response carries an ID token changed that way, signed
// with this provider's own key (audience, expired, nonce, issuer) or with a stranger's key under
// the same key id (signature). It is how the tests see that saksrobot refuses such tokens.
import { readFileSync } from 'node:fs';
import { generateKeyPair, exportJWK, SignJWT, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;

async function signingKey(kid) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

const ownKey = await signingKey('test-key-1');
const strangersKey = await signingKey('test-key-1');

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: [ownKey] },
  cookies: { keys: ['saksrobot-test-cookie-key'] },
  pkce: { required: () => true },
  conformIdTokenClaims: false,
  claims: { openid: ['sub', 'groups'], profile: ['name', 'preferred_username'], email: ['email'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  ttl: {
    AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600,
    Session: 3600, Grant: 3600,
  },
  async findAccount(ctx, id) {
    const account = config.accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id, name: account.name, preferred_username: id, email: `${id}@example.test`,
          groups: account.groups,
        };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
});

let tamper = null;

async function tampered(idToken) {
  const claims = decodeJwt(idToken);
  const header = decodeProtectedHeader(idToken);
  let key = ownKey;
  const now = Math.floor(Date.now() / 1000);
  if (tamper === 'audience') claims.aud = 'another-application';
  if (tamper === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (tamper === 'nonce') claims.nonce = 'not-the-nonce-that-was-sent';
  if (tamper === 'issuer') claims.iss = 'http://127.0.0.1:9/another-provider';
  if (tamper === 'signature') key = strangersKey;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: header.alg, kid: header.kid, typ: header.typ })
    .sign(await importJWK(key, 'RS256'));
}

async function bodyOf(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body.trim();
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/tamper' && ctx.method === 'POST') {
    tamper = (await bodyOf(ctx.req)) || null;
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/test/groups' && ctx.method === 'POST') {
    const { account, groups } = JSON.parse(await bodyOf(ctx.req));
    config.accounts[account].groups = groups;
    ctx.status = 204;
    return;
  }
  await next();
  if (ctx.path === '/token' && tamper && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await tampered(ctx.body.id_token) };
    tamper = null;
  }
});

provider.listen(config.port, '127.0.0.1', () => {
  console.log('ready');
});
