/**
 * kcp-go's own echo client against kcp-web's echo server: kcp-go v5.7.6's
 * BenchmarkEchoSpeed client (sess_test.go dialEcho + echo_tester, unchanged,
 * compiled with its tests) dials a server in another process — kcp-web's
 * twin of its test server (bench/echo-server.ts) or the real kcp-go's (our
 * Go peer, same settings) — so the only difference between the two runs is
 * the server. The one file added to the copy of kcp-go's module only reads
 * the server's port from the environment and derives the key with kcptun's
 * salt, as our servers do.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEchoServer } from './echo.js';

const REMOTE_TEST = `package kcp

import (
	"crypto/sha1"
	"net"
	"os"
	"strconv"
	"testing"

	"golang.org/x/crypto/pbkdf2"
)

// Our servers derive "testkey" with kcptun's salt, as kcp-web's passphrase derivation does (the tests' own salt differs; speed does not).
var remotePass = pbkdf2.Key([]byte("testkey"), []byte("kcp-go"), 4096, 32, sha1.New)

// remoteclient is speedclient with the server in another process, at KCP_ECHO_ADDR.
func remoteclient(b *testing.B, nbytes int) {
	_, p, err := net.SplitHostPort(os.Getenv("KCP_ECHO_ADDR"))
	if err != nil {
		b.Skip("KCP_ECHO_ADDR is not host:port")
	}
	port, _ := strconv.Atoi(p)
	block, _ := NewSalsa20BlockCrypt(remotePass)
	cli, err := dialEcho(port, block)
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	if err := echo_tester(cli, nbytes, b.N); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(nbytes))
}

func BenchmarkEchoRemote4K(b *testing.B)  { remoteclient(b, 4096) }
func BenchmarkEchoRemote64K(b *testing.B) { remoteclient(b, 65536) }
func BenchmarkEchoRemote1M(b *testing.B)  { remoteclient(b, 1048576) }
`;

/** Bytes per echo and how many per run: 32 MiB a run at 1M, less for the smaller sizes. */
export const GO_CLIENT_SIZES = [
  { name: '4K', bytes: 4096, count: 2048 },
  { name: '64K', bytes: 65536, count: 256 },
  { name: '1M', bytes: 1 << 20, count: 32 },
] as const;

export interface GoClientEchoRow {
  size: string;
  /** MB/s (one direction) of every run, servers alternating. */
  kcpWeb: number[];
  kcpGo: number[];
}

/** Runs `rounds` alternating rounds per size; `moduleDir` is kcp-go's module source (read-only, copied). */
export async function goClientEcho(moduleDir: string, rounds: number, progress: (m: string) => void): Promise<GoClientEchoRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kcp-go-echo-client-'));
  try {
    cpSync(moduleDir, dir, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', dir]);
    writeFileSync(join(dir, 'zz_remote_echo_test.go'), REMOTE_TEST);
    progress('echo: building kcp-go v5.7.6 tests with a remote-server echo client (go test -c)');
    const bin = join(dir, 'kcp.test');
    execFileSync('go', ['test', '-c', '-o', bin, '.'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const rows: GoClientEchoRow[] = GO_CLIENT_SIZES.map((s) => ({ size: s.name, kcpWeb: [], kcpGo: [] }));
    for (let round = 0; round < rounds; round++) {
      for (const server of ['kcp-web', 'kcp-go'] as const) {
        const proc = await startEchoServer(server);
        try {
          for (const [i, size] of GO_CLIENT_SIZES.entries()) {
            progress(`echo: kcp-go's client → ${server} echo server, ${size.count} × ${size.name}, round ${round + 1} of ${rounds}`);
            let out = '';
            try {
              out = execFileSync(bin, ['-test.run', 'X', '-test.bench', `^BenchmarkEchoRemote${size.name}$`, '-test.benchtime', `${size.count}x`], {
                cwd: dir,
                encoding: 'utf8',
                env: { ...process.env, KCP_ECHO_ADDR: proc.address },
                maxBuffer: 256 << 20,
              });
            } catch (e) {
              out = String((e as { stdout?: unknown }).stdout ?? '');
            }
            const m = / ([\d.]+) MB\/s/.exec(out.split('\n').find((l) => l.startsWith('BenchmarkEchoRemote')) ?? '');
            if (!m) {
              // kcp-go's test binary can panic (see run.ts): the run counts as missing.
              progress(`echo: kcp-go's client failed against ${server} (${/panic: .*/.exec(out)?.[0] ?? 'no result'}); not counted`);
              continue;
            }
            (server === 'kcp-web' ? rows[i]!.kcpWeb : rows[i]!.kcpGo).push(Number(m[1]));
          }
        } finally {
          proc.stop();
        }
      }
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
