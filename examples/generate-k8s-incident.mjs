// Writes examples/k8s-incident/: a Kubernetes deployment going bad, as the node and the
// containers logged it. Deterministic (seeded); run `node examples/generate-k8s-incident.mjs`.
//
// Story (UTC, 2026-11-20): traffic is normal from 10:30. At 10:41:50 payments v2.4.1 rolls
// out with a smaller DB pool; from 10:42 its pool times out (Java stack traces, through the
// docker json-file driver), checkout-api (JSON logs via containerd/CRI) starts failing
// payment calls, ingress-nginx returns 502/504. At 10:44 inventory (Go) panics on a nil map
// and is restarted by the kubelet (syslog) with back-off.
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), 'k8s-incident');
mkdirSync(out, { recursive: true });
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const T0 = Date.UTC(2026, 10, 20, 10, 30, 0);
const T_DEPLOY = Date.UTC(2026, 10, 20, 10, 41, 50);
const T_BAD = Date.UTC(2026, 10, 20, 10, 42, 5);
const T_PANIC = Date.UTC(2026, 10, 20, 10, 44, 12);
const T_END = Date.UTC(2026, 10, 20, 10, 48, 0);
const iso = (ms, digits = 3) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.' + String(ms % 1000).padStart(3, '0') + '0'.repeat(Math.max(0, digits - 3)) + 'Z');
const users = ['u-1042', 'u-2210', 'u-3371', 'u-4480', 'u-5127', 'u-6003', 'u-7719'];
const ips = ['10.42.1.17', '10.42.2.31', '10.42.0.9', '10.42.3.44'];
const clients = ['203.0.113.7', '198.51.100.23', '192.0.2.145', '203.0.113.88', '198.51.100.9'];
const hex = (n) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');

// checkout-api: Node service, pino JSON inside CRI lines (containerd)
{
  const lines = [];
  for (let t = T0; t < T_END; t += 400 + Math.floor(rnd() * 900)) {
    const bad = t >= T_BAD;
    const order = `ord_${hex(10)}`;
    const user = pick(users);
    const reqId = hex(16);
    const log = (level, msg, extra = {}) => {
      const rec = { level, time: t, pid: 1, hostname: 'checkout-api-7c9f6d8b5-x2k4q', service: 'checkout-api', reqId, msg, ...extra };
      lines.push(`${iso(t, 9)} ${level >= 50 ? 'stderr' : 'stdout'} F ${JSON.stringify(rec)}`);
    };
    log(30, `POST /api/checkout received for user ${user}`, { order });
    if (rnd() < 0.3) log(20, `cart ${order} has ${1 + Math.floor(rnd() * 6)} items, total ${(rnd() * 300).toFixed(2)} EUR`);
    if (bad && rnd() < 0.75) {
      log(40, `payment call to http://payments.shop.svc.cluster.local:8080/v1/charge timed out after ${2000 + Math.floor(rnd() * 1000)}ms, retrying (attempt 2 of 3)`, { order });
      log(50, `payment failed for order ${order}: upstream returned 503 Service Unavailable`, { order, status: 503 });
    } else {
      log(30, `payment authorised for order ${order} in ${40 + Math.floor(rnd() * 120)}ms`, { order });
      log(30, `order ${order} confirmed, email queued to ${user}@example.com`, { order });
    }
  }
  writeFileSync(join(out, 'checkout-api.containerd.log'), lines.join('\n') + '\n');
}

// payments: Spring Boot (Java) through the docker json-file driver; stack traces over several lines
{
  const lines = [];
  const push = (t, text, stream = 'stdout') => lines.push(JSON.stringify({ log: text + '\n', stream, time: iso(t, 9) }));
  const spring = (t, level, thread, logger, msg) => `${new Date(t).toISOString().replace('T', ' ').replace('Z', '')}  ${level.padStart(5)} 1 --- [${thread}] ${logger} : ${msg}`;
  push(T0, spring(T0, 'INFO', 'main', 'c.shop.payments.PaymentsApplication', 'Started PaymentsApplication in 6.912 seconds (process running for 7.48)'));
  for (let t = T0 + 1000; t < T_END; t += 700 + Math.floor(rnd() * 1200)) {
    const thread = `http-nio-8080-exec-${1 + Math.floor(rnd() * 10)}`;
    if (t >= T_DEPLOY && t < T_DEPLOY + 1200) {
      push(t, spring(t, 'INFO', 'main', 'c.shop.payments.PaymentsApplication', 'Starting PaymentsApplication v2.4.1 using Java 21.0.2 with PID 1'));
      push(t + 300, spring(t + 300, 'WARN', 'main', 'com.zaxxer.hikari.HikariConfig', 'HikariPool-1 - maximumPoolSize is less than minimumIdle, minimumIdle set to 2'));
      push(t + 600, spring(t + 600, 'INFO', 'main', 'com.zaxxer.hikari.HikariDataSource', 'HikariPool-1 - Start completed.'));
      continue;
    }
    if (t >= T_BAD && rnd() < 0.6) {
      push(t, spring(t, 'ERROR', thread, 'c.shop.payments.api.ChargeController', `charge ${'ch_' + hex(12)} failed`), 'stderr');
      push(t, 'org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection', 'stderr');
      push(t, '\tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:84)', 'stderr');
      push(t, '\tat c.shop.payments.repo.LedgerRepository.reserve(LedgerRepository.java:57)', 'stderr');
      push(t, '\tat c.shop.payments.api.ChargeController.charge(ChargeController.java:41)', 'stderr');
      push(t, 'Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms (total=2, active=2, idle=0, waiting=14)', 'stderr');
      push(t, '\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)', 'stderr');
      push(t, '\t... 58 common frames omitted', 'stderr');
    } else {
      push(t, spring(t, 'INFO', thread, 'c.shop.payments.api.ChargeController', `charge ${'ch_' + hex(12)} captured for ${(rnd() * 300).toFixed(2)} EUR via card ending ${1000 + Math.floor(rnd() * 8999)}`));
    }
  }
  writeFileSync(join(out, 'payments.docker.log'), lines.join('\n') + '\n');
}

// inventory: Go service, logfmt; a panic at 10:44:12 and a restart
{
  const lines = [];
  for (let t = T0; t < T_END; t += 1500 + Math.floor(rnd() * 2500)) {
    if (t >= T_PANIC && t < T_PANIC + 4000) {
      lines.push(`time=${iso(t)} level=info msg="reserving stock" sku=SKU-${1000 + Math.floor(rnd() * 50)} qty=1`);
      lines.push('panic: assignment to entry in nil map');
      lines.push('');
      lines.push('goroutine 417 [running]:');
      lines.push('shop/inventory/internal/stock.(*Cache).Reserve(0xc0001a2000, {0xc00038e0f0, 0x8}, 0x1)');
      lines.push('\t/src/internal/stock/cache.go:88 +0x1b4');
      lines.push('shop/inventory/internal/api.(*Handler).reserve(0xc000112040, {0x9a5e20, 0xc0003c21c0}, 0xc0003e4000)');
      lines.push('\t/src/internal/api/handler.go:52 +0x10e');
      lines.push('net/http.HandlerFunc.ServeHTTP(0xc000148000, {0x9a5e20, 0xc0003c21c0}, 0xc0003e4000)');
      lines.push('\t/usr/local/go/src/net/http/server.go:2166 +0x29');
      lines.push('exit status 2');
      t += 9000;
      lines.push(`time=${iso(t)} level=info msg="inventory starting" version=1.18.3 addr=:9090`);
      lines.push(`time=${iso(t + 80)} level=info msg="connected to redis" addr=redis.shop.svc.cluster.local:6379 latency=3ms`);
      continue;
    }
    const sku = `SKU-${1000 + Math.floor(rnd() * 50)}`;
    lines.push(`time=${iso(t)} level=info msg="reserving stock" sku=${sku} qty=${1 + Math.floor(rnd() * 3)}`);
    if (rnd() < 0.15) lines.push(`time=${iso(t + 5)} level=warn msg="stock running low" sku=${sku} remaining=${Math.floor(rnd() * 5)}`);
    lines.push(`time=${iso(t + 9)} level=debug msg="cache hit" sku=${sku} took=${(rnd() * 2).toFixed(3)}ms`);
  }
  writeFileSync(join(out, 'inventory.log'), lines.join('\n') + '\n');
}

// ingress-nginx access log (combined format), gzipped like a rotated file
{
  const lines = [];
  const paths = ['/api/checkout', '/api/cart', '/api/products?page=2', '/static/app.js', '/api/inventory/reserve', '/healthz'];
  const month = 'Nov';
  for (let t = T0; t < T_END; t += 150 + Math.floor(rnd() * 500)) {
    const d = new Date(t);
    const ts = `${String(d.getUTCDate()).padStart(2, '0')}/${month}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
    const path = pick(paths);
    let status = 200;
    let rt = (0.005 + rnd() * 0.08).toFixed(3);
    if (path === '/api/checkout' && t >= T_BAD && rnd() < 0.7) {
      status = rnd() < 0.5 ? 502 : 504;
      rt = (2 + rnd() * 28).toFixed(3);
    } else if (path === '/api/inventory/reserve' && t >= T_PANIC && t < T_PANIC + 12000) status = 503;
    const method = path.startsWith('/api/checkout') || path.startsWith('/api/inventory') ? 'POST' : 'GET';
    lines.push(`${pick(clients)} - - [${ts}] "${method} ${path} HTTP/1.1" ${status} ${status === 200 ? 200 + Math.floor(rnd() * 5000) : 150} "-" "Mozilla/5.0 (X11; Linux x86_64)" ${Math.floor(300 + rnd() * 600)} ${rt} [shop-frontend-80] [] ${pick(ips)}:8080 ${status === 200 ? 200 + Math.floor(rnd() * 5000) : 0} ${rt} ${status} ${hex(32)}`);
  }
  writeFileSync(join(out, 'ingress-nginx.access.log.gz'), gzipSync(lines.join('\n') + '\n'));
}

// kubelet / node: syslog (RFC 3164)
{
  const lines = [];
  const host = 'node-pool-a-3';
  const sys = (t, tag, msg) => {
    const d = new Date(t);
    lines.push(`${d.toUTCString().slice(8, 11)} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)} ${host} ${tag}: ${msg}`);
  };
  for (let t = T0; t < T_END; t += 20000 + Math.floor(rnd() * 20000)) {
    sys(t, 'kubelet[1123]', `I1120 ${new Date(t).toISOString().slice(11, 23)}    1123 kubelet_volumes.go:160] "Cleaned up orphaned pod volumes dir" podUID=${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`);
    if (t >= T_DEPLOY && t < T_DEPLOY + 40000) {
      sys(T_DEPLOY - 2000, 'kubelet[1123]', 'I1120 10:41:48.120421    1123 kuberuntime_manager.go:1012] "Pulling image" image="registry.shop.internal/payments:2.4.1"');
      sys(T_DEPLOY, 'kubelet[1123]', 'I1120 10:41:50.002173    1123 kuberuntime_container.go:735] "Started container" pod="shop/payments-6d5b9c7f4-q8wzn" container="payments"');
    }
  }
  for (let k = 0; k < 4; k++) {
    const t = T_PANIC + 2000 + k * 15000;
    sys(t, 'kubelet[1123]', `E1120 ${new Date(t).toISOString().slice(11, 23)}    1123 pod_workers.go:1300] "Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"inventory\\" with CrashLoopBackOff: \\"back-off ${10 * 2 ** k}s restarting failed container=inventory pod=inventory-5f7d8c9b6-7hm2p_shop\\"" pod="shop/inventory-5f7d8c9b6-7hm2p"`);
  }
  sys(T_BAD + 30000, 'kernel', 'Memory cgroup out of memory: Killed process 48211 (java) total-vm:4123456kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:2840kB oom_score_adj:-997');
  lines.sort((a, b) => a.slice(7, 15).localeCompare(b.slice(7, 15)));
  writeFileSync(join(out, 'node-syslog.log'), lines.join('\n') + '\n');
}
