// A local S3 store for the s3: provider's tests: s3rver, which keeps
// objects but does not check V4 signatures, behind a front on 127.0.0.1
// that checks every request the way S3 does, with AWS's own signer, before
// passing it on.
//
//   node tests/s3/front.mjs --port P --dir D --bucket B --access-key K
//        --secret S [--token T] [--region R] [--keys FILE]
//
// --token: requests must carry x-amz-security-token T, signed.
// --region: requests must be signed for region R (else any region).
// --keys: more credentials, issued by tests/s3/fake-aws.mjs, which
// rewrites FILE as it issues them: a JSON array of {id, secret, token,
// expires} (expires in ms since the epoch), read again for each request.
// A request signed with one must carry its token, and is refused with
// 400 ExpiredToken once it expired, as S3 does.
// The payload must be signed: a request with a body and
// x-amz-content-sha256: UNSIGNED-PAYLOAD is refused (stricter than S3),
// and one whose body does not have the declared SHA-256 is refused with
// XAmzContentSHA256Mismatch, as S3 does.
// Path-style (http://127.0.0.1:P/B/KEY) and virtual-hosted
// (http://B.localhost:P/KEY) requests are both understood.
// Test hooks, unsigned: GET /__stats answers the count of S3 requests by
// method, of those refused, and of those signed with each access key
// ("key:AKID..."), as JSON; PUT and DELETE /__objects/KEY write and
// remove an object of the bucket directly; PUT /__secret changes the
// secret of the access key; PUT /__slowdown with "on" (or a number of
// seconds: "on" with that Retry-After) makes every S3 request answer 503
// SlowDown, as S3 does when a prefix gets too many, until "off".
// Prints "ready" once it listens.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import S3rver from 's3rver';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string' },
    dir: { type: 'string' },
    bucket: { type: 'string' },
    'access-key': { type: 'string' },
    secret: { type: 'string' },
    token: { type: 'string' },
    region: { type: 'string' },
    keys: { type: 'string' },
  },
  strict: true,
});
for (const name of ['port', 'dir', 'bucket', 'access-key', 'secret']) {
  if (!opts[name]) {
    console.error(`front.mjs: --${name} is required`);
    process.exit(2);
  }
}

const EMPTY_SHA256 =
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const UNSIGNED = 'UNSIGNED-PAYLOAD';
const MAX_SKEW_MS = 15 * 60 * 1000;   // S3's RequestTimeTooSkewed limit
const AUTH_RE = new RegExp(
  '^AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, ?' +
    'SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$',
);

const OBJECTS = '/__objects/';
let secret = opts.secret;
const stats = { refused: 0 };
let slowdown = null;   // null, or { retryAfter: seconds or null }

// The credentials fake-aws.mjs issued, as it last wrote them.
function issuedKeys() {
  if (!opts.keys) {
    return [];
  }
  try {
    return JSON.parse(readFileSync(opts.keys, 'utf8'));
  } catch {
    return [];   // not written yet
  }
}

class S3Refusal extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const refuse = (status, code, message) => {
  throw new S3Refusal(status, code, message);
};

const xmlEscape = (s) =>
  s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function sendError(res, method, { status, code, message }) {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>` +
    '<RequestId>front</RequestId></Error>';
  res.writeHead(status, { 'Content-Type': 'application/xml' });
  res.end(method === 'HEAD' ? undefined : body);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// 20240102T030405Z as a Date, or null.
function amzDate(text) {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(text ?? '');
  return m ? new Date(Date.UTC(m[1], m[2] - 1, m[3], m[4], m[5], m[6])) : null;
}

// The path-style path s3rver knows a request by: a Host of
// BUCKET.localhost is virtual-hosted, anything else is path-style already.
function pathStyle(req, rawPath) {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  const vhost = /^(.+)\.localhost$/.exec(host);
  return vhost ? `/${vhost[1]}${rawPath}` : rawPath;
}

// The path S3 signs: each segment decoded, then URI-encoded once, so a
// client must sign the key as S3 reads it, whatever bytes it sent.
const uriEscape = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalPath(rawPath) {
  try {
    return rawPath.split('/').map((seg) => uriEscape(decodeURIComponent(seg))).join('/');
  } catch {
    return refuse(400, 'InvalidURI', `Couldn't parse the specified URI: ${rawPath}`);
  }
}

function constantTimeEqual(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// Refuse req as S3 would, unless it is signed with our credentials; the
// signature is recomputed by @smithy/signature-v4 over the headers the
// client says it signed, with its own date and payload hash.
async function verify(req, rawPath, query, body) {
  const auth = req.headers.authorization;
  if (!auth) {
    refuse(403, 'AccessDenied', 'Anonymous access is refused: sign it');
  }
  const m = AUTH_RE.exec(auth);
  if (!m) {
    refuse(400, 'AuthorizationHeaderMalformed', `not SigV4: ${auth}`);
  }
  const [, keyId, day, region, service, signedList, signature] = m;
  stats[`key:${keyId}`] = (stats[`key:${keyId}`] ?? 0) + 1;
  // The fixed key, or one issued by fake-aws.mjs.
  let keySecret = secret;
  let keyToken = opts.token;
  if (keyId !== opts['access-key']) {
    const issued = issuedKeys().find((k) => k.id === keyId);
    if (!issued) {
      refuse(403, 'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.');
    }
    keySecret = issued.secret;
    keyToken = issued.token;
    if (issued.expires <= Date.now()) {
      refuse(400, 'ExpiredToken', 'The provided token has expired.');
    }
  }
  if (service !== 's3') {
    refuse(400, 'AuthorizationHeaderMalformed', `service '${service}' is not s3`);
  }
  if (opts.region && region !== opts.region) {
    refuse(400, 'AuthorizationHeaderMalformed',
      `the region '${region}' is wrong; expecting '${opts.region}'`);
  }
  const date = amzDate(req.headers['x-amz-date']);
  if (!date || !req.headers['x-amz-date'].startsWith(day)) {
    refuse(403, 'AccessDenied', 'no x-amz-date matching the credential scope');
  }
  if (Math.abs(Date.now() - date.getTime()) > MAX_SKEW_MS) {
    refuse(403, 'RequestTimeTooSkewed', 'x-amz-date is too far from now');
  }

  const signed = signedList.split(';');
  const required = ['host', 'x-amz-date', 'x-amz-content-sha256'];
  // A token is required with --token, and refused (never issued) without.
  const token = req.headers['x-amz-security-token'];
  if (keyToken !== undefined || token !== undefined) {
    if (token === undefined || !constantTimeEqual(token, keyToken ?? '')) {
      refuse(403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
    }
    required.push('x-amz-security-token');
  }
  // Stricter than S3, on purpose: the provider signs its payloads.
  const declared = req.headers['x-amz-content-sha256'];
  if (declared === UNSIGNED && body.length > 0) {
    refuse(403, 'AccessDenied', 'the payload must be signed, not UNSIGNED-PAYLOAD');
  }
  for (const name of required) {
    if (!signed.includes(name)) {
      refuse(403, 'AccessDenied', `${name} must be signed`);
    }
  }

  const headers = {};
  for (const name of signed) {
    if (req.headers[name] === undefined) {
      refuse(403, 'SignatureDoesNotMatch', `signed header ${name} is missing`);
    }
    headers[name] = req.headers[name];
  }
  const request = new HttpRequest({
    method: req.method,
    protocol: 'http:',
    hostname: req.headers.host,
    path: canonicalPath(rawPath),
    query,
    headers,
  });
  const signer = new SignatureV4({
    credentials: { accessKeyId: keyId, secretAccessKey: keySecret },
    region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,   // S3 encodes it once: canonicalPath did
    applyChecksum: false,
  });
  const ours = await signer.sign(request, {
    signingDate: date,
    signingRegion: region,
    signingService: 's3',
    signableHeaders: new Set(signed),
  });
  const expected = /Signature=([0-9a-f]{64})$/.exec(ours.headers.authorization)[1];
  if (!constantTimeEqual(expected, signature)) {
    refuse(403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.');
  }

  // What was signed must be what came.
  if (declared !== UNSIGNED) {
    const actual = body.length ? createHash('sha256').update(body).digest('hex')
                               : EMPTY_SHA256;
    if (declared !== actual) {
      refuse(400, 'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  }
  const md5 = req.headers['content-md5'];
  if (md5 !== undefined
      && md5 !== createHash('md5').update(body).digest('base64')) {
    refuse(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
}

// s3rver rewrites an object in place, so a GET overlapping a PUT can get
// the old length with the new bytes; S3's writes are atomic. Requests pass
// to s3rver one at a time.
let queue = Promise.resolve();
function oneAtATime(work) {
  const done = queue.then(work);
  queue = done.catch(() => {});
  return done;
}

// Pass req on to s3rver and its answer back; resolves once it is sent.
function proxy(req, path, body, res, inner) {
  const headers = { ...req.headers, host: `127.0.0.1:${inner}` };
  // Checked here; s3rver would only look the key up in its own accounts.
  delete headers.authorization;
  delete headers['x-amz-security-token'];
  delete headers['transfer-encoding'];
  headers['content-length'] = String(body.length);
  return new Promise((resolve) => {
    res.on('close', resolve);   // sent, or the client gave up
    const out = http.request(
      { host: '127.0.0.1', port: inner, method: req.method, path, headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', resolve);
      },
    );
    out.on('error', (err) => {
      sendError(res, req.method, { status: 500, code: 'InternalError', message: err.message });
      resolve();
    });
    out.end(body);
  });
}

// PUT or DELETE /__objects/KEY (unsigned, not counted): the test itself
// writes or removes an object of the bucket, as no client of the module
// would, e.g. a state of django-maintenance-mode's or an oversize one.
async function writeDirectly(req, key, res, inner) {
  const body = await readBody(req);
  const fake = {
    method: req.method,
    headers: { 'content-type': 'text/plain', 'x-amz-content-sha256': UNSIGNED },
  };
  await oneAtATime(() => proxy(fake, `/${opts.bucket}/${key}`, body, res, inner));
}

async function handle(req, res, inner) {
  const [rawPath, rawQuery = ''] = req.url.split(/\?(.*)/s);
  if (req.method === 'GET' && rawPath === '/__stats') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(stats));
    return;
  }
  if (req.method === 'PUT' && rawPath === '/__secret') {
    // The key's secret rotated under the clients; they must be refused.
    secret = (await readBody(req)).toString();
    res.writeHead(204);
    res.end();
    return;
  }
  if (req.method === 'PUT' && rawPath === '/__slowdown') {
    const [word, seconds] = (await readBody(req)).toString().trim().split(/\s+/);
    slowdown = word === 'on' ? { retryAfter: seconds ?? null } : null;
    res.writeHead(204);
    res.end();
    return;
  }
  if (rawPath.startsWith(OBJECTS)) {
    await writeDirectly(req, rawPath.slice(OBJECTS.length), res, inner);
    return;
  }
  stats[req.method] = (stats[req.method] ?? 0) + 1;
  if (slowdown) {
    await readBody(req);
    stats.slowdown = (stats.slowdown ?? 0) + 1;
    if (slowdown.retryAfter) {
      res.setHeader('Retry-After', slowdown.retryAfter);
    }
    sendError(res, req.method, { status: 503, code: 'SlowDown',
      message: 'Please reduce your request rate.' });
    return;
  }
  const query = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    query[k] = k in query ? [].concat(query[k], v) : v;
  }
  try {
    const body = await readBody(req);
    await verify(req, rawPath, query, body);
    const path = pathStyle(req, rawPath) + (rawQuery ? `?${rawQuery}` : '');
    await oneAtATime(() => proxy(req, path, body, res, inner));
  } catch (err) {
    if (!(err instanceof S3Refusal)) {
      throw err;
    }
    stats.refused += 1;
    sendError(res, req.method, err);
  }
}

const store = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: opts.dir,
  configureBuckets: [{ name: opts.bucket }],
});
const { port: inner } = await store.run();

const front = http.createServer((req, res) => {
  handle(req, res, inner).catch((err) =>
    sendError(res, req.method, { status: 500, code: 'InternalError', message: String(err) }));
});
front.on('error', (err) => {
  console.error(`front.mjs: ${err.message}`);
  process.exit(1);
});
front.listen(Number(opts.port), '127.0.0.1', () => console.log('ready'));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
