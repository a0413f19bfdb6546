#!/usr/bin/env node
// Builds the relay's WebTransport helper into its per-platform npm package
// (packages/wt-<platform>-<arch>/bin/kcp-web-wt), as esbuild ships its
// binary: a static Go build (CGO off) for that os/cpu, with the package's
// version set to kcp-web's, since kcp-web depends on that exact version.
//   node scripts/wt-package.mjs [PLATFORM-ARCH] [--pack DIR]
// PLATFORM-ARCH uses Node's names (linux-x64, linux-arm64, darwin-arm64, win32-x64);
// default: this machine's. --pack DIR also runs npm pack into DIR and prints the tarball's path.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const packAt = args.indexOf('--pack');
const packDir = packAt >= 0 ? args.splice(packAt, 2)[1] : undefined;
const target = args[0] ?? `${process.platform}-${process.arch}`;
const GOOS = { linux: 'linux', darwin: 'darwin', win32: 'windows', freebsd: 'freebsd' };
const GOARCH = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
const [platform, arch] = target.split('-');
if (!GOOS[platform] || !GOARCH[arch]) {
  console.error(`wt-package: PLATFORM-ARCH must be one of ${Object.keys(GOOS).join('/')} - ${Object.keys(GOARCH).join('/')} (Node's names); got ${JSON.stringify(target)}`);
  process.exit(2);
}
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const dir = join(root, 'packages', `wt-${target}`);
const exe = platform === 'win32' ? 'kcp-web-wt.exe' : 'kcp-web-wt';
mkdirSync(join(dir, 'bin'), { recursive: true });
const manifest = join(dir, 'package.json');
const pkg = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')) : {
  name: `@kcp-web/wt-${target}`,
  description: `The kcp-web relay's WebTransport (HTTP/3) helper, prebuilt for ${target} (quic-go + webtransport-go)`,
  license: 'MIT AND BSD-3-Clause',
  os: [platform],
  cpu: [arch],
  files: [`bin/${exe}`, 'LICENSES.md'],
  preferUnplugged: true,
};
if (pkg.version !== version) {
  pkg.version = version;
  writeFileSync(manifest, `${JSON.stringify({ name: pkg.name, version, ...pkg }, null, 2)}\n`);
}
execFileSync('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', join(dir, 'bin', exe), '.'], {
  cwd: join(root, 'webtransport-go'),
  stdio: 'inherit',
  env: { ...process.env, CGO_ENABLED: '0', GOOS: GOOS[platform], GOARCH: GOARCH[arch] },
});
// The binary carries Go's runtime and every module it imports; their licenses (MIT, BSD-3-Clause) ask for their notices to travel with it.
writeFileSync(join(dir, 'LICENSES.md'), licenses());
if (packDir) {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: dir, encoding: 'utf8' }));
  console.log(join(packDir, packed.filename));
} else console.log(join(dir, 'bin', exe));

/** The license text of Go and of each module linked into the helper, from the module cache the build used. */
function licenses() {
  const go = (...a) => execFileSync('go', a, { cwd: join(root, 'webtransport-go'), encoding: 'utf8' }).trim();
  const text = (d) => {
    const f = readdirSync(d).find((n) => /^(licen[cs]e|copying)(\.md|\.txt)?$/i.test(n));
    if (!f) throw new Error(`wt-package: no license file in ${d}`);
    return readFileSync(join(d, f), 'utf8').trim();
  };
  const modules = go('list', '-deps', '-f', '{{if .Module}}{{if not .Module.Main}}{{.Module.Path}} {{.Module.Version}} {{.Module.Dir}}{{end}}{{end}}', '.')
    .split('\n')
    .filter(Boolean);
  const parts = [['Go (runtime and standard library)', go('env', 'GOVERSION'), go('env', 'GOROOT')]];
  for (const line of [...new Set(modules)].sort()) parts.push(line.split(' '));
  return [
    '# Licenses of what bin/kcp-web-wt is built from',
    '',
    "kcp-web's own code is under the MIT license (kcp-web's LICENSE). The binary also contains:",
    '',
    ...parts.map(([name, version, d]) => `## ${name} ${version}\n\n\`\`\`\n${text(d)}\n\`\`\`\n`),
  ].join('\n');
}
