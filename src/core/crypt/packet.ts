/**
 * kcp-go's crypto header: a 16-byte random nonce, then CRC32-IEEE (LE) of
 * everything after the CRC field; the whole packet is then encrypted in place
 * (sess.go output() and packetInput()).
 *
 * An AEAD cipher (BlockCrypt.aead) frames datagrams otherwise: its nonce
 * (12 bytes for GCM) in front, the tag behind, no CRC. cryptHeaderSize and
 * cryptTrailerSize give the room either kind needs; sealPacket and
 * openPacket take the whole datagram, room included, for both.
 */
import { crc32 } from '../crc32.js';
import type { Aead, BlockCrypt } from './types.js';

export const NONCE_SIZE = 16;
export const CRC_SIZE = 4;
export const CRYPT_HEADER_SIZE = NONCE_SIZE + CRC_SIZE;

/** Bytes in front of the plaintext: the nonce and CRC (20), or an AEAD's nonce. */
export function cryptHeaderSize(block: BlockCrypt): number {
  return block.aead ? block.aead.nonceSize : CRYPT_HEADER_SIZE;
}

/** Bytes after the plaintext: an AEAD's tag, else none. */
export function cryptTrailerSize(block: BlockCrypt): number {
  return block.aead ? block.aead.overhead : 0;
}

/**
 * Fills the nonce, writes the checksum and encrypts `packet` in place;
 * packet[0, cryptHeaderSize) is the room for the header and, for an AEAD,
 * the last cryptTrailerSize bytes the room for its tag.
 */
export function sealPacket(block: BlockCrypt, packet: Uint8Array, fillNonce: (nonce: Uint8Array) => void): void {
  const aead = block.aead;
  if (aead) return sealAead(aead, packet, fillNonce);
  writeHeader(block, packet, fillNonce);
  block.encrypt(packet, packet);
}

function sealAead(aead: Aead, packet: Uint8Array, fillNonce: (nonce: Uint8Array) => void): void {
  const n = aead.nonceSize;
  if (packet.length < n + aead.overhead) throw new RangeError(`a packet needs ${n + aead.overhead} bytes of nonce and tag room; got ${packet.length}`);
  // A fresh random nonce per datagram, as kcp-go's fillRand: GCM's nonce must never repeat under one key.
  const drawn = n <= NONCE_SIZE ? nonce : new Uint8Array(n);
  fillNonce(drawn);
  for (let i = 0; i < n; i++) packet[i] = drawn[i]!;
  aead.seal(packet);
}

/**
 * sealPacket for every packet of a burst, in one cipher call where the
 * cipher has a batch path (BlockCrypt.encryptPackets); the nonces are then
 * other random bytes than fillNonce gave, which no receiver can tell.
 */
export function sealPackets(block: BlockCrypt, packets: readonly Uint8Array[], fillNonce: (nonce: Uint8Array) => void): void {
  if (!block.encryptPackets || block.aead || packets.length < 2) {
    for (const p of packets) sealPacket(block, p, fillNonce);
    return;
  }
  for (const p of packets) writeHeader(block, p, fillNonce);
  block.encryptPackets(packets);
}

/** The nonce is drawn here and copied in: a view of each packet's first bytes would be an allocation per packet. */
const nonce = new Uint8Array(NONCE_SIZE);

function writeHeader(block: BlockCrypt, packet: Uint8Array, fillNonce: (nonce: Uint8Array) => void): void {
  if (packet.length < CRYPT_HEADER_SIZE) throw new RangeError(`a packet needs ${CRYPT_HEADER_SIZE} bytes of header room; got ${packet.length}`);
  fillNonce(nonce);
  packet.set(nonce);
  const sum = checksum(block, packet);
  packet[16] = sum;
  packet[17] = sum >>> 8;
  packet[18] = sum >>> 16;
  packet[19] = sum >>> 24;
}

/**
 * Decrypts `packet` in place; true if it is long enough and its checksum (or
 * an AEAD's tag) holds. Never throws. Like kcp-go, a short packet is left as
 * it is and a bad one is left decrypted.
 */
export function openPacket(block: BlockCrypt, packet: Uint8Array): boolean {
  const aead = block.aead;
  if (aead) return packet.length >= aead.nonceSize + aead.overhead && aead.open(packet);
  if (packet.length < CRYPT_HEADER_SIZE) return false;
  block.decrypt(packet, packet);
  return checksumHolds(block, packet);
}

/**
 * openPacket for every packet of a burst, in one cipher call where the
 * cipher has a batch path (BlockCrypt.decryptPackets); ok[i] is set to what
 * openPacket would return for packets[i] (ok may be longer: it is reused).
 */
export function openPackets(block: BlockCrypt, packets: readonly Uint8Array[], ok: boolean[]): void {
  if (!block.decryptPackets || block.aead || packets.length < 2) {
    for (let i = 0; i < packets.length; i++) ok[i] = openPacket(block, packets[i]!);
    return;
  }
  const long = packets.every((p) => p.length >= CRYPT_HEADER_SIZE) ? packets : packets.filter((p) => p.length >= CRYPT_HEADER_SIZE);
  block.decryptPackets(long);
  for (let i = 0; i < packets.length; i++) ok[i] = packets[i]!.length >= CRYPT_HEADER_SIZE && checksumHolds(block, packets[i]!);
}

function checksumHolds(block: BlockCrypt, packet: Uint8Array): boolean {
  const sum = (packet[16] | (packet[17] << 8) | (packet[18] << 16) | (packet[19] << 24)) >>> 0;
  return sum === checksum(block, packet);
}

function checksum(block: BlockCrypt, packet: Uint8Array): number {
  return block.checksum ? block.checksum(packet, CRYPT_HEADER_SIZE) : crc32(packet, CRYPT_HEADER_SIZE);
}
