// Preloaded into every subgraph the bench starts (node --import): counts the GraphQL
// requests the process's HTTP servers receive (POST on a path starting with /graphql),
// so that the bench measures subgraph fetches per gateway request without a proxy in the
// way. GET /__bench/requests answers {"count": n}; DELETE /__bench/requests resets it.
import http from 'node:http';

let count = 0;
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === 'request') {
    const [req, res] = args;
    if (req.url === '/__bench/requests') {
      if (req.method === 'DELETE') count = 0;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ count }));
      return true;
    }
    if (req.method === 'POST' && req.url && req.url.startsWith('/graphql')) count++;
  }
  return emit.call(this, event, ...args);
};
