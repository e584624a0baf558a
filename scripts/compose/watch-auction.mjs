// Watches one auction over SignalR through nginx, the way a browser that skips negotiation does: one WebSocket,
// SignalR's JSON protocol spoken by hand (no npm packages needed; Node 20 with --experimental-websocket).
// Usage: node --experimental-websocket watch-auction.mjs <base ws url> <access token> <auction id> <event> [timeout s]
// Prints "watching <seq>" once WatchAuction answered, then "<event> <json>" and exits 0 when that event arrives;
// exits 1 on an error, a close or the timeout.
const [base, token, auctionId, wanted, timeoutS = '30'] = process.argv.slice(2);
const RS = '\u001e';
const fail = (why) => { console.log(`FAILED ${why}`); process.exit(1); };
setTimeout(() => fail(`no ${wanted} within ${timeoutS} s`), Number(timeoutS) * 1000);

const ws = new WebSocket(`${base}/hubs/marketplace?access_token=${encodeURIComponent(token)}`);
let handshaken = false;
ws.onerror = (e) => fail(`websocket error ${e.message ?? ''}`);
ws.onclose = (e) => fail(`closed ${e.code} ${e.reason}`);
ws.onopen = () => ws.send(JSON.stringify({ protocol: 'json', version: 1 }) + RS);
ws.onmessage = async (m) => {
  const text = typeof m.data === 'string' ? m.data : await m.data.text();
  for (const frame of text.split(RS).filter(Boolean)) {
    const msg = JSON.parse(frame);
    if (!handshaken) {
      if (msg.error) fail(`handshake: ${msg.error}`);
      handshaken = true;
      ws.send(JSON.stringify({ type: 1, invocationId: '1', target: 'WatchAuction', arguments: [auctionId] }) + RS);
    } else if (msg.type === 3 && msg.invocationId === '1') {
      if (msg.error) fail(`WatchAuction: ${msg.error}`);
      console.log(`watching ${msg.result}`);
    } else if (msg.type === 1 && msg.target === wanted) {
      console.log(`${wanted} ${JSON.stringify(msg.arguments[0])}`);
      ws.onclose = null; ws.close(); process.exit(0);
    } else if (msg.type === 7) {
      fail(`server closed: ${msg.error ?? ''}`);
    }
  }
};
