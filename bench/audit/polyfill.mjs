// The audit's server (graphql-hive/federation-gateway-audit) calls Promise.withResolvers,
// which Node has only from 22; this machine's Node is 20. Loaded with --import before the
// audit's CLI, and only when the method is missing.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
