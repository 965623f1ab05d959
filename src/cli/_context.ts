/**
 * What a running command has: its connection (one admin client, made on first use and
 * closed by the CLI), stdout, the environment and the signal Ctrl-C aborts.
 *
 * @module
 */

import process from "node:process";
import { Client } from "../admin/client.ts";
import { intOption, type Values } from "./_args.ts";
import { type ConnectionConfig, connectionConfig } from "./_connection.ts";
import { Output } from "./_output.ts";

/** The state of one CLI run. */
export class Context {
  /** Standard output; its reader going away stops the run as Ctrl-C does. */
  readonly out: Output;
  /** Aborted by Ctrl-C (SIGINT), SIGTERM or a closed stdout: long commands stop cleanly. */
  readonly signal: AbortSignal;
  /** The per-request timeout (`--timeout`), if given. */
  readonly timeout: number | undefined;
  readonly #values: Values;
  readonly #env: Record<string, string | undefined>;
  #connection: Promise<ConnectionConfig> | undefined;
  #admin: Client | undefined;

  /** A context for a command given `values`; `stop` is aborted to end it. */
  constructor(values: Values, env: Record<string, string | undefined>, stop: AbortController) {
    this.#values = values;
    this.#env = env;
    this.signal = stop.signal;
    this.out = new Output(process.stdout, () => stop.abort(new Error("stdout closed")));
    this.timeout = intOption(values, "timeout", 1);
  }

  /** Brokers, TLS and SASL from the flags, the config file and the environment. */
  connection(): Promise<ConnectionConfig> {
    return this.#connection ??= connectionConfig(this.#values, this.#env);
  }

  /** The admin client (its cluster core is shared with the command's Writer or Readers). */
  async admin(): Promise<Client> {
    if (this.#admin) return this.#admin;
    const c = await this.connection();
    this.#admin ??= new Client({
      ...c,
      ...(this.timeout !== undefined
        ? { timeout: this.timeout, requestTimeout: this.timeout }
        : {}),
    });
    return this.#admin;
  }

  /** Writes what is left of the output and closes what the command opened. */
  async close(): Promise<void> {
    await this.out.flush();
    await this.#admin?.close();
  }
}
