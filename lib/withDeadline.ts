/**
 * Waits for work no longer than a deadline, without stopping the work: a cache or Redis
 * call that does not answer in time is treated as failed (or as missing), a disconnect
 * that never settles does not hold up a stop, shared work is left to the other callers.
 */

/**
 * `work`'s outcome when it settles within `ms`; otherwise what `onTimeout` returns (or a
 * rejection with what it throws), once `ms` have passed. The timer is cleared as soon as
 * either settles. A rejection of `work` after the deadline is left unhandled by nobody:
 * it is caught here and dropped.
 */
export async function withDeadline<T, U = never>(work: Promise<T>, ms: number, onTimeout: () => U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<U>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
