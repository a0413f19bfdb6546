/**
 * The relay's self-signed certificate for WebTransport: ECDSA P-256, valid
 * 10 days, as browsers accept through `serverCertificateHashes` (at most 14
 * days; the page pins the SHA-256 of the DER, so no CA is involved). The
 * same profile as the Go helper's (webtransport-go/main.go selfSigned).
 * Built with @peculiar/x509, an optional dependency loaded only here.
 */
import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
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

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

export async function selfSignedCertificate(hosts: string[], now = new Date()): Promise<Certificate> {
  const x509 = await import('@peculiar/x509');
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + VALID_DAYS * 86_400_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
      name: 'CN=kcp-web relay',
      notBefore,
      notAfter,
      signingAlgorithm: alg,
      keys,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(hosts.map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h }))),
      ],
    },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  return certificateFromPem(pem('CERTIFICATE', cert.rawData), pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)));
}
