/**
 * The relay's self-signed certificate for WebTransport: ECDSA P-256, valid
 * 10 days, as browsers accept through `serverCertificateHashes` (at most 14
 * days; the page pins the SHA-256 of the DER, so no CA is involved). The
 * same profile as the Go helper's (webtransport-go/main.go selfSigned).
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

export interface Certificate {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the certificate's DER, hex. */
  sha256: string;
  notAfter: Date;
  /** sha256 when browsers accept it through serverCertificateHashes (valid at most 14 days), else undefined. */
  pinnableHash: string | undefined;
}

const VALID_DAYS = 10;
const PINNABLE_MS = 14 * 86_400_000;

/** An operator's certificate and key (PEM), checked to belong together. */
export function certificateFromPem(certPem: string, keyPem: string): Certificate {
  const x = new X509Certificate(certPem);
  if (!x.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('the WebTransport key does not belong to the certificate');
  const notAfter = new Date(x.validTo);
  const sha256 = createHash('sha256').update(x.raw).digest('hex');
  const pinnable = notAfter.getTime() - new Date(x.validFrom).getTime() <= PINNABLE_MS;
  return { certPem, keyPem, sha256, notAfter, pinnableHash: pinnable ? sha256 : undefined };
}

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

// A few DER encoders: the certificate is small and fixed in shape, so it is
// written out directly rather than through an X.509 library.
function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}
const seq = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const v of rest) {
    const bytes = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) bytes.unshift((x & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return tlv(0x06, Buffer.from(out));
}
const utcTime = (d: Date) => tlv(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));
const extension = (id: string, critical: boolean, value: Uint8Array) =>
  seq(oid(id), ...(critical ? [Buffer.from([0x01, 0x01, 0xff])] : []), tlv(0x04, value));

/** An IP address's bytes, as a subjectAltName iPAddress holds them. */
function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const groups = (h: string | undefined) => (h ? h.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

const ECDSA_SHA256 = '1.2.840.10045.4.3.2';

export async function selfSignedCertificate(hosts: string[], now = new Date()): Promise<Certificate> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + VALID_DAYS * 86_400_000);
  const serial = randomBytes(8);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and without a leading zero byte
  const name = seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from('kcp-web relay')))));
  const altNames = hosts.map((h) => (isIP(h) ? tlv(0x87, ipBytes(h)) : tlv(0x82, Buffer.from(h))));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // v3
    tlv(0x02, serial),
    seq(oid(ECDSA_SHA256)),
    name,
    seq(utcTime(notBefore), utcTime(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(
      extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x07, 0x80]))), // keyUsage: digitalSignature
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
      extension('2.5.29.17', false, seq(...altNames)),
    )),
  );
  const signature = sign('sha256', tbs, privateKey); // DER-encoded ECDSA signature
  const cert = seq(tbs, seq(oid(ECDSA_SHA256)), tlv(0x03, Buffer.from([0]), signature));
  return certificateFromPem(pem('CERTIFICATE', cert), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}
