/**
 * OTLP/JSON logs that make live detection open an incident: 37 quiet minutes of service
 * `checkout`, then 30 records of a new error, all inside the last whole minute (so that one
 * minute holds the burst whatever the clock says). Posts them to the server; returns the status.
 */
export async function postLiveBurst(serverUrl: string, nowMs = Date.now()): Promise<number> {
  const lastMinute = Math.floor(nowMs / 60_000) * 60_000 - 60_000;
  const ns = (ms: number) => String(BigInt(Math.round(ms)) * 1_000_000n);
  const records = [
    ...Array.from({ length: 37 * 20 }, (_, k) => ({
      timeUnixNano: ns(lastMinute - 38 * 60_000 + k * 3000),
      severityText: 'INFO',
      severityNumber: 9,
      body: { stringValue: `served request ${k} in ${k % 40} ms` },
    })),
    ...Array.from({ length: 30 }, (_, k) => ({
      timeUnixNano: ns(lastMinute + 5000 + k * 1500),
      severityText: 'ERROR',
      severityNumber: 17,
      body: { stringValue: `payment provider timeout after ${3000 + k} ms` },
    })),
  ];
  const res = await fetch(`${serverUrl}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeLogs: [{ logRecords: records }],
        },
      ],
    }),
  });
  return res.status;
}
