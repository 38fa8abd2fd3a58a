// A TCP proxy in front of Jobpulse that can cut every connection through it at once, as a network
// failure would, and keeps the start of each request it carried (to check the headers sent).

import net from 'node:net';

export async function startCuttingProxy(targetUrl) {
  const target = new URL(targetUrl);
  const sockets = new Set();
  const requests = [];
  const lastRequests = new Map();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair = [client, upstream];
    for (const socket of pair) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        for (const other of pair) other.destroy();
      });
    }
    client.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      if (!/^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(text)) return;
      requests.push(text);
      lastRequests.set(client, text);
    });
    client.on('close', () => lastRequests.delete(client));
    upstream.on('data', (chunk) => {
      // An answer that is not an event stream, or the end of a chunked one, leaves the connection idle.
      const text = chunk.toString('latin1');
      const answer = /^HTTP\/1\.1 \d{3}/.test(text);
      if ((answer && !(/^HTTP\/1\.1 200/.test(text) && /\r\ncontent-type: text\/event-stream/i.test(text)))
          || text === '0\r\n\r\n' || text.endsWith('\r\n0\r\n\r\n')) {
        lastRequests.delete(client);
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** The start of every request received, in order. */
    requests,
    /** The request lines (`GET /path?query`) of the event streams still open through the proxy. */
    openStreams() {
      return [...lastRequests.values()].map((text) => text.slice(0, text.indexOf(' HTTP/1.1')));
    },
    /** Cuts every open connection. */
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    close() {
      this.cut();
      return new Promise((done) => server.close(() => done()));
    },
  };
}
