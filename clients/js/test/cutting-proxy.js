// A TCP proxy in front of Jobpulse that can cut every connection through it at once, as a network
// failure would, and keeps the start of each request it carried (to check the headers sent).

import net from 'node:net';

export async function startCuttingProxy(targetUrl) {
  const target = new URL(targetUrl);
  const sockets = new Set();
  const requests = [];
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
      if (/^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(text)) requests.push(text);
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** The start of every request received, in order. */
    requests,
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
