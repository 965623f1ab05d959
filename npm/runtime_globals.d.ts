// Ambient declarations for the npm build only: tsc compiles the Deno adapter and scripts
// without Deno's own types, so the few Deno APIs they touch are declared here.

declare namespace Deno {
  interface Conn {
    read(p: Uint8Array): Promise<number | null>;
    write(p: Uint8Array): Promise<number>;
    close(): void;
    setNoDelay(noDelay?: boolean): void;
    setKeepAlive(keepAlive?: boolean): void;
  }
  function connect(options: { hostname?: string; port: number }): Promise<Conn>;
  interface TlsConn extends Conn {
    handshake(): Promise<unknown>;
  }
  function startTls(
    conn: Conn,
    options?: { hostname?: string; caCerts?: string[] },
  ): Promise<TlsConn>;
  function connectTls(options: {
    hostname?: string;
    port: number;
    caCerts?: string[];
    cert?: string;
    key?: string;
  }): Promise<TlsConn>;
}

interface ImportMeta {
  /** True in Deno, Bun and Node (22.18+) when the module is the entry point. */
  main?: boolean;
}
