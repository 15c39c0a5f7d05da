/**
 * The one shape every service factory returns (createGateway, create{Crm,Erp,Payments}Subgraph,
 * create{Crm,Erp,Payments}Sandbox), beside what is its own: what runService and the tests
 * start and stop it with.
 */
export interface Service {
  /** Starts listening; resolves with the service's URL (port 0 gives the real port). */
  listen(port: number, host?: string): Promise<string>;
  /**
   * Starts draining before close() (lib/drain.ts): GET /ready answers 503 and responses
   * close their connections; resolves `delayMs` later. Absent where nothing balances the
   * service (the sandboxes).
   */
  drain?(delayMs: number): Promise<void>;
  /** Stops the server and closes every connection and store the service opened. */
  close(): Promise<void>;
}
