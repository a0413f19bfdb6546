/**
 * A relay fleet on test hosts: network namespaces joined by one bridge (the
 * bridge lives in a namespace of its own, so the host's network is never
 * touched), nginx as the load balancer in front of N `kcp-web relay`
 * processes (and serving the game's page), kcp-go echo servers as game
 * servers, and a client host. All names carry the process id, and
 * `close()` removes every namespace.
 *
 * nginxConfig() is the load balancer's configuration: docs/deploy.md shows
 * its output for the documented addresses, and test/fleet.test.ts checks the
 * two agree.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NginxOptions {
  /** Relays' signaling addresses, "IP:PORT". */
  relays: string[];
  /** Port the balancer listens on for HTTP signaling and WebSocket. */
  listen: number;
  /** Writable directory for nginx's pid file and temporary files. */
  prefix: string;
  /** The game's built page, served by nginx itself at / (same origin as signaling, so no CORS). */
  pages?: string;
  /** Where Debian keeps dynamic modules. */
  modules?: string;
}

/**
 * nginx in front of the relays. HTTP only: WebRTC signaling (POST
 * /kcp-web/rtc) and GET /kcp-web/config may land on any relay, WebSocket
 * sessions stay on the relay their upgrade reached, and each WebRTC session's
 * media goes to the UDP port the answering relay named in its SDP answer, not
 * through the balancer. A relay that refuses connections is skipped
 * (proxy_next_upstream error): its POST was never sent, so the retry is safe.
 * With `pages`, nginx also serves the game's page; module scripts need their
 * JavaScript MIME type, hence the `types` block (no mime.types include, so
 * the file stands alone).
 */
export function nginxConfig(o: NginxOptions): string {
  return `# kcp-web relay fleet: nginx (Debian: apt-get install nginx)
daemon off;
worker_processes auto;
pid ${o.prefix}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${o.prefix}/body;
  proxy_temp_path ${o.prefix}/proxy;
  fastcgi_temp_path ${o.prefix}/fastcgi;
  uwsgi_temp_path ${o.prefix}/uwsgi;
  scgi_temp_path ${o.prefix}/scgi;
  upstream kcp_web_relays {
${o.relays.map((r) => `    server ${r} max_fails=1 fail_timeout=30s;`).join('\n')}
  }
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen ${o.listen};
    location /kcp-web/ {
      proxy_pass http://kcp_web_relays;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      # The client's address, appended to any the client sent; relays started with
      # --trust-proxy BALANCER take the rightmost address that is not a balancer's.
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      # WebSocket sessions are long-lived and may be quiet between game updates.
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }${o.pages ? `
    location / {
      root ${o.pages};
      types { text/html html; text/javascript js; application/json json map; }
    }` : ''}
  }
}
`;
}

export const NGINX = '/usr/sbin/nginx';

/** Why the fleet cannot run here, or null. */
export function fleetUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces';
  if (!existsSync(NGINX)) return 'nginx missing (apt-get install nginx)';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return 'ip netns unavailable';
  }
  return null;
}

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Namespaces on one bridge, 10.88.0.0/24; each host gets one address. */
export class TestNet {
  readonly subnet = '10.88.0';
  private readonly hub: string;
  private readonly hosts = new Map<string, string>();
  private readonly children: ChildProcess[] = [];
  private n = 0;

  constructor(readonly tag = `kwf${process.pid}`) {
    this.hub = `${tag}-hub`;
    sh('ip', ['netns', 'add', this.hub]);
    sh('ip', ['-n', this.hub, 'link', 'add', 'br0', 'type', 'bridge']);
    sh('ip', ['-n', this.hub, 'link', 'set', 'br0', 'up']);
  }

  /** Adds a host namespace with address 10.88.0.`octet`; returns the address. */
  addHost(name: string, octet: number): string {
    const ns = `${this.tag}-${name}`;
    const ip = `${this.subnet}.${octet}`;
    const veth = `v${++this.n}`;
    sh('ip', ['netns', 'add', ns]);
    this.hosts.set(name, ns);
    sh('ip', ['-n', this.hub, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh('ip', ['-n', this.hub, 'link', 'set', veth, 'master', 'br0', 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ip;
  }

  /** Starts `cmd` on host `name`; it is killed by close(). */
  spawn(name: string, cmd: string, args: string[]): ChildProcess {
    const ns = this.hosts.get(name);
    if (!ns) throw new Error(`no host ${name}`);
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.push(child);
    return child;
  }

  /**
   * Writes `dir`/`name`-`base(cmd)`, a script that runs `cmd` on host `name`
   * with its arguments, for a program another one starts itself (Playwright
   * starts Chromium and talks to it over a pipe, which exec keeps). Its
   * processes are ended by close(), as they live in the host's namespace.
   */
  wrapper(name: string, cmd: string, dir: string): string {
    const ns = this.hosts.get(name);
    if (!ns) throw new Error(`no host ${name}`);
    const path = join(dir, `${name}-${cmd.split('/').pop()}`);
    writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${ns} ${cmd} "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  }

  /** Ends every process in this net's namespaces (nginx's workers too), then removes the namespaces. */
  close(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const ns of [...this.hosts.values(), this.hub]) {
      try {
        const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
        for (const pid of pids) process.kill(pid, 'SIGKILL');
      } catch {
        /* none left */
      }
      try {
        sh('ip', ['netns', 'del', ns]);
      } catch {
        /* already gone */
      }
    }
    this.hosts.clear();
  }
}
