// An S3 server for the store tests: s3rver (bucket "lake", path-style, on
// 127.0.0.1) behind a front that s3rver lacks and the tests need:
//  - it verifies every request's SigV4 signature (s3rver skips that), written
//    here independently of sluice's signer, so a wrong secret key is refused
//    as AWS refuses it (403 SignatureDoesNotMatch); credentials: S3RVER/S3RVER;
//  - with --if-none-match it honours "If-None-Match: *" on PUT and on
//    CompleteMultipartUpload (412 when the key exists); s3rver ignores it;
//  - with --fail-first=N it answers the first N requests 503 SlowDown (retry tests);
//  - with --delay-file=PATH, while PATH exists, it holds every request for the
//    number of milliseconds PATH holds (a slow object store, degradation tests).
// Usage: node --openssl-legacy-provider s3_server.mjs DATA_DIR [--if-none-match] [--fail-first=N]
//        [--delay-file=PATH]
// (s3rver's continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.)
// Prints {"port": N} once listening; logs "METHOD URL [if-none-match]" per request on stderr.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');

const [dir, ...flags] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node s3_server.mjs DATA_DIR [--if-none-match] [--fail-first=N]');
  process.exit(2);
}
const honourIfNoneMatch = flags.includes('--if-none-match');
let failures = Number((flags.find((f) => f.startsWith('--fail-first=')) || '=0').split('=')[1]);
const delayFile = (flags.find((f) => f.startsWith('--delay-file=')) || '').split('=')[1];
const secrets = { S3RVER: 'S3RVER' };

// The delay asked for now (0 without the file).
function delayMs() {
  if (!delayFile) return 0;
  try {
    return Number(fs.readFileSync(delayFile, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
const rfc3986 = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function errorXml(res, status, code, message) {
  res.writeHead(status, { 'Content-Type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
          `<Message>${message}</Message></Error>`);
}

// null when the request is correctly signed, otherwise [status, code, message].
function checkSignature(req) {
  const auth = req.headers.authorization || '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return [403, 'AccessDenied', 'Requests must carry a SigV4 Authorization header'];
  const [, accessKey, date, region, signed, signature] = m;
  const secret = secrets[accessKey];
  if (!secret) return [403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'];
  const names = signed.split(';');
  if (!names.includes('host')) return [403, 'AccessDenied', 'host must be signed'];
  const [path, rawQuery = ''] = req.url.split(/\?(.*)/s);
  const query = rawQuery.split('&').filter(Boolean).map((item) => {
    const [k, v = ''] = item.split(/=(.*)/s);
    return [rfc3986(decodeURIComponent(k)), rfc3986(decodeURIComponent(v))];
  }).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join('&');
  const headers = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [req.method, path, query, headers, signed, req.headers['x-amz-content-sha256']].join('\n');
  const amzDate = req.headers['x-amz-date'] || '';
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac('AWS4' + secret, date);
  for (const part of [region, 's3', 'aws4_request']) key = hmac(key, part);
  const expected = hmac(key, toSign).toString('hex');
  if (expected !== signature) {
    return [403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'];
  }
  return null;
}

const s3rver = new S3rver({
  directory: dir,
  silent: true,
  vhostBuckets: false,
  configureBuckets: [{ name: 'lake' }],
});
await s3rver.configureBuckets();
const handle = s3rver.callback();

const server = http.createServer(async (req, res) => {
  const conditional = req.headers['if-none-match'] === '*';
  console.error(`${req.method} ${req.url}${conditional ? ' if-none-match' : ''}`);
  const delay = delayMs();
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  if (failures > 0) {
    failures--;
    req.resume();
    return errorXml(res, 503, 'SlowDown', 'Please reduce your request rate.');
  }
  const problem = checkSignature(req);
  if (problem) {
    req.resume();
    return errorXml(res, ...problem);
  }
  const isWrite = req.method === 'PUT' || (req.method === 'POST' && /[?&]uploadId=/.test(req.url));
  if (honourIfNoneMatch && conditional && isWrite && !/[?&]partNumber=/.test(req.url)) {
    const [bucket, ...rest] = req.url.split('?')[0].slice(1).split('/').map(decodeURIComponent);
    if (await s3rver.store.existsObject(bucket, rest.join('/'))) {
      req.resume();
      return errorXml(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    }
  }
  handle(req, res);
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
