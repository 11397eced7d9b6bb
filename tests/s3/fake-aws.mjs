// The AWS credentials services the s3: provider's chain asks, faked on
// 127.0.0.1 for its tests: STS's AssumeRoleWithWebIdentity, the container
// credentials service (ECS, EKS Pod Identity) and the EC2 instance
// metadata service, IMDSv2 only. Each hands out short-lived credentials,
// a new key, secret and token every time, and writes every set it issued
// with its expiry to the keys file that tests/s3/front.mjs reads (--keys),
// so the store accepts the current ones and refuses expired ones
// (ExpiredToken), and a test can look for any of them in a log.
//
//   node tests/s3/fake-aws.mjs --port P --keys FILE --lifetime SECONDS
//        [--role-arn ARN] [--web-token-file F] [--container-token T]
//        [--role NAME]
//
// STS: POST / (form) or GET /?... with Action=AssumeRoleWithWebIdentity,
//   Version=2011-06-15, RoleArn (must be --role-arn), RoleSessionName (must
//   match [\w+=,.@-]{2,64}), WebIdentityToken (must be what --web-token-file
//   holds now). Answers STS's XML, or its ErrorResponse (AccessDenied,
//   InvalidIdentityToken, ValidationError).
// Container: GET /container/credentials, with Authorization equal to
//   --container-token when it is given (else 401). Answers JSON.
// IMDSv2: PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds
//   (1 to 21600, else 400) answers a session token; GET
//   /latest/meta-data/iam/security-credentials/ (the role, --role,
//   "mm-role" by default) and .../ROLE need a valid
//   X-aws-ec2-metadata-token (else 401). No IMDSv1.
//
// Test hooks: GET /__stats answers counts as flat JSON (sts, container,
// imds-token, imds-list, imds-creds, issued, refused, and for each refusal
// its reason); GET /__last/NAME answers the last STS request's parameter
// NAME (RoleSessionName...) or the last Authorization header
// (/__last/Authorization), as text; PUT /__fail with "on" (or a status)
// makes every credentials request answer 500 (or that status), until
// "off". Prints "ready" once it listens.
import { randomBytes } from 'node:crypto';
import { renameSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string' },
    keys: { type: 'string' },
    lifetime: { type: 'string' },
    'role-arn': { type: 'string' },
    'web-token-file': { type: 'string' },
    'container-token': { type: 'string' },
    role: { type: 'string', default: 'mm-role' },
  },
  strict: true,
});
for (const name of ['port', 'keys', 'lifetime']) {
  if (!opts[name]) {
    console.error(`fake-aws.mjs: --${name} is required`);
    process.exit(2);
  }
}

const LIFETIME_MS = Number(opts.lifetime) * 1000;
const CREDS = '/latest/meta-data/iam/security-credentials/';
const stats = { issued: 0, refused: 0 };
const last = {};
const imdsTokens = new Map();   // token -> expiry (ms)
let failStatus = 0;
let issued = [];                // what the keys file holds

const count = (name) => {
  stats[name] = (stats[name] ?? 0) + 1;
};

// Letters and digits, as AWS's keys are.
const alnum = (n) => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return [...randomBytes(n)].map((b) => chars[b % chars.length]).join('');
};

// A new set of credentials, written to the keys file with the others
// (atomically: the front may be reading it).
function issue() {
  const now = Date.now();
  const creds = {
    id: `ASIA${alnum(16)}`,
    secret: randomBytes(30).toString('base64'),
    token: `mmFake/${randomBytes(48).toString('base64')}`,
    expires: now + LIFETIME_MS,
  };
  issued = issued.concat(creds);
  writeFileSync(`${opts.keys}.tmp`, JSON.stringify(issued));
  renameSync(`${opts.keys}.tmp`, opts.keys);
  stats.issued += 1;
  return creds;
}

// An ISO 8601 time to the second, as AWS writes Expiration.
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const xmlEscape = (s) =>
  String(s).replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function refuse(res, reason, status, body, type) {
  stats.refused += 1;
  count(`refused:${reason}`);
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

function stsError(res, status, code, message) {
  refuse(res, code, status,
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n' +
    `  <Error>\n    <Type>Sender</Type>\n    <Code>${code}</Code>\n` +
    `    <Message>${xmlEscape(message)}</Message>\n  </Error>\n` +
    '  <RequestId>fake-aws</RequestId>\n</ErrorResponse>\n', 'text/xml');
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

function sts(req, res, params) {
  count('sts');
  for (const name of ['RoleArn', 'RoleSessionName', 'Action', 'Version']) {
    last[name] = params.get(name);
  }
  if (params.get('Action') !== 'AssumeRoleWithWebIdentity'
      || params.get('Version') !== '2011-06-15') {
    return stsError(res, 400, 'InvalidAction', 'not AssumeRoleWithWebIdentity 2011-06-15');
  }
  if (!/^[\w+=,.@-]{2,64}$/.test(params.get('RoleSessionName') ?? '')) {
    return stsError(res, 400, 'ValidationError', 'RoleSessionName is not valid');
  }
  let expected = null;
  try {
    expected = readFileSync(opts['web-token-file'] ?? '', 'utf8').trim();
  } catch {
    // no token file: every token is refused
  }
  if (!expected || params.get('WebIdentityToken') !== expected) {
    return stsError(res, 400, 'InvalidIdentityToken',
      'The web identity token that was passed could not be validated by AWS.');
  }
  if (params.get('RoleArn') !== opts['role-arn']) {
    return stsError(res, 403, 'AccessDenied',
      'Not authorized to perform sts:AssumeRoleWithWebIdentity');
  }
  const c = issue();
  res.writeHead(200, { 'Content-Type': 'text/xml' });
  res.end(
    '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n' +
    '  <AssumeRoleWithWebIdentityResult>\n' +
    '    <SubjectFromWebIdentityToken>system:serviceaccount:web:httpd</SubjectFromWebIdentityToken>\n' +
    '    <Audience>sts.amazonaws.com</Audience>\n' +
    '    <AssumedRoleUser>\n' +
    `      <Arn>${xmlEscape(opts['role-arn'])}/${xmlEscape(params.get('RoleSessionName'))}</Arn>\n` +
    '      <AssumedRoleId>AROAFAKE:session</AssumedRoleId>\n' +
    '    </AssumedRoleUser>\n' +
    '    <Credentials>\n' +
    `      <SessionToken>${xmlEscape(c.token)}</SessionToken>\n` +
    `      <SecretAccessKey>${xmlEscape(c.secret)}</SecretAccessKey>\n` +
    `      <Expiration>${iso(c.expires)}</Expiration>\n` +
    `      <AccessKeyId>${c.id}</AccessKeyId>\n` +
    '    </Credentials>\n' +
    '    <Provider>oidc.eks.example</Provider>\n' +
    '  </AssumeRoleWithWebIdentityResult>\n' +
    '  <ResponseMetadata>\n    <RequestId>fake-aws</RequestId>\n  </ResponseMetadata>\n' +
    '</AssumeRoleWithWebIdentityResponse>\n');
}

function jsonCreds(res, code) {
  const c = issue();
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({
    ...(code ? { Code: 'Success', Type: 'AWS-HMAC' } : { RoleArn: opts['role-arn'] ?? 'arn:aws:iam::123456789012:role/mm' }),
    LastUpdated: iso(Date.now()),
    AccessKeyId: c.id,
    SecretAccessKey: c.secret,
    Token: c.token,
    Expiration: iso(c.expires),
  }, null, 2));
}

function container(req, res) {
  count('container');
  last.Authorization = req.headers.authorization ?? '';
  if (opts['container-token'] !== undefined
      && req.headers.authorization !== opts['container-token']) {
    return refuse(res, 'container-authorization', 401,
      JSON.stringify({ code: 'AccessDenied', message: 'bad Authorization' }),
      'application/json');
  }
  return jsonCreds(res, false);
}

function imdsAuthorized(req) {
  const token = req.headers['x-aws-ec2-metadata-token'];
  const until = token && imdsTokens.get(token);
  return until && until > Date.now();
}

function imds(req, res, path) {
  if (path === '/latest/api/token') {
    count('imds-token');
    const ttl = req.headers['x-aws-ec2-metadata-token-ttl-seconds'];
    if (req.method !== 'PUT') {
      return refuse(res, 'imds-token-not-put', 405, '', 'text/plain');
    }
    if (!/^\d+$/.test(ttl ?? '') || Number(ttl) < 1 || Number(ttl) > 21600) {
      return refuse(res, 'imds-ttl', 400, '', 'text/plain');
    }
    last.ttl = ttl;
    const token = `mmImds${alnum(40)}`;
    imdsTokens.set(token, Date.now() + Number(ttl) * 1000);
    res.writeHead(200, { 'Content-Type': 'text/plain',
      'X-aws-ec2-metadata-token-ttl-seconds': ttl });
    return res.end(token);
  }
  if (req.method !== 'GET') {
    return refuse(res, 'imds-method', 405, '', 'text/plain');
  }
  if (!imdsAuthorized(req)) {
    // IMDSv1 (no token) or a token that is not the service's.
    return refuse(res, 'imds-no-token', 401, '', 'text/plain');
  }
  if (path === CREDS) {
    count('imds-list');
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    return res.end(`${opts.role}\n`);
  }
  if (path === CREDS + opts.role) {
    count('imds-creds');
    return jsonCreds(res, true);
  }
  return refuse(res, 'imds-not-found', 404, '', 'text/plain');
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://fake-aws');
  const path = url.pathname;
  if (req.method === 'GET' && path === '/__stats') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(stats));
  }
  if (req.method === 'GET' && path.startsWith('/__last/')) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    return res.end(last[path.slice('/__last/'.length)] ?? '');
  }
  if (req.method === 'PUT' && path === '/__fail') {
    const word = (await readBody(req)).trim();
    failStatus = word === 'off' ? 0 : word === 'on' ? 500 : Number(word);
    res.writeHead(204);
    return res.end();
  }
  const body = await readBody(req);
  if (failStatus) {
    count('failed');
    res.writeHead(failStatus, { 'Content-Type': 'text/plain' });
    return res.end('failing on purpose');
  }
  if (path.startsWith('/latest/')) {
    return imds(req, res, path);
  }
  if (path === '/container/credentials') {
    return container(req, res);
  }
  if (path === '/' && (req.method === 'POST' || req.method === 'GET')) {
    const params = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
    return sts(req, res, params);
  }
  return refuse(res, 'unknown-path', 404, '', 'text/plain');
}

writeFileSync(opts.keys, '[]');
const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end(String(err));
  });
});
server.on('error', (err) => {
  console.error(`fake-aws.mjs: ${err.message}`);
  process.exit(1);
});
server.listen(Number(opts.port), '127.0.0.1', () => console.log('ready'));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
