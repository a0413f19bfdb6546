/**
 * kcp-go's crypto header: a 16-byte random nonce, then CRC32-IEEE (LE) of
 * everything after the CRC field; the whole packet is then encrypted in place
 * (sess.go output() and packetInput()).
 */
import { crc32 } from '../crc32.js';
import type { BlockCrypt } from './types.js';

export const NONCE_SIZE = 16;
export const CRC_SIZE = 4;
export const CRYPT_HEADER_SIZE = NONCE_SIZE + CRC_SIZE;

/** Fills the nonce, writes the checksum and encrypts `packet` in place; packet[0, 20) is the room for the header. */
export function sealPacket(block: BlockCrypt, packet: Uint8Array, fillNonce: (nonce: Uint8Array) => void): void {
  if (packet.length < CRYPT_HEADER_SIZE) throw new RangeError(`a packet needs ${CRYPT_HEADER_SIZE} bytes of header room; got ${packet.length}`);
  fillNonce(packet.subarray(0, NONCE_SIZE));
  const sum = block.checksum ? block.checksum(packet, CRYPT_HEADER_SIZE) : crc32(packet, CRYPT_HEADER_SIZE);
  packet[16] = sum;
  packet[17] = sum >>> 8;
  packet[18] = sum >>> 16;
  packet[19] = sum >>> 24;
  block.encrypt(packet, packet);
}

/**
 * Decrypts `packet` in place; true if it is long enough and its checksum
 * holds. Never throws. Like kcp-go, a short packet is left as it is and a bad
 * one is left decrypted.
 */
export function openPacket(block: BlockCrypt, packet: Uint8Array): boolean {
  if (packet.length < CRYPT_HEADER_SIZE) return false;
  block.decrypt(packet, packet);
  const sum = (packet[16] | (packet[17] << 8) | (packet[18] << 16) | (packet[19] << 24)) >>> 0;
  return sum === (block.checksum ? block.checksum(packet, CRYPT_HEADER_SIZE) : crc32(packet, CRYPT_HEADER_SIZE));
}
